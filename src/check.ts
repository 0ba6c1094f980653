import type { Config } from './config/load-config.js'
import { toAsciiName } from './names/dns-names.js'
import { diagnoseRecord, probesFor } from './diagnose/diagnose.js'
import type { DiagnosisContext, Observation, RecordDiagnosis } from './diagnose/types.js'
import { memoized, plainReport, recordShape } from './check-plain.js'
import { detectDnsHost } from './diagnose/dns-hosts.js'
import { UsageError } from './errors.js'
import { FixWords } from './report/fix-words.js'
import type { ZoneWarning } from './dns/zone-file.js'
import {
  acrossCuts,
  answeredBy,
  createOtherZones,
  partialAnswer,
  unfollowedChain,
  unreachableQuestion,
  delegationOf,
  findDelegation,
  findZoneCut,
  lameDelegationOf,
  type OtherZones,
  type ZoneDelegation
} from './dns/authoritative.js'
import { renderBindSnippet } from './records/bind.js'
import type { AuthoritativeDiscovery } from './dns/authoritative.js'
import type { DnsQuestion, DnsRecord, QueryOutcome, Resolver } from './dns/types.js'
import { toObservationReport, type TracedObservation } from './report/observations.js'
import { expandExpected, type DomainExpectation, type ExpectedRecord } from './records/expected.js'
import {
  domainStatus,
  summarize,
  type DomainReport,
  type RecordReport,
  type Report
} from './report/report.js'
import { TOOL } from './version.js'
import { joinMailtrap, readMailtrap, type MailtrapPort } from './check-mailtrap.js'
import { withDelegation } from './check-delegation.js'
import { withZoneWarnings } from './check-zone-warnings.js'
import { inShard, type Shard } from './report/merge.js'
import type { JsonReportWriter } from './report/json-stream.js'
import { eachInOrder } from './ordered-window.js'
import { NONE, slim } from './report/slim.js'

/** What the engine needs from the outside world: narrow ports, so tests pass real or plain ones. */
export interface CheckPorts {
  resolvers: Resolver[]
  /** Finds each zone's own servers when `authoritative` is among the resolvers. */
  discovery?: AuthoritativeDiscovery
  /** Mailtrap's view of the account's sending domains, when a token was given. */
  mailtrap?: MailtrapPort
  /** The time the report is stamped with, and stale caches are counted from. */
  now: () => Date
  /** The router to other zones' servers, built with the run's limits and closed with it. */
  otherZones?: OtherZones
  /** Offline: what the zone files hold that some servers refuse to load. */
  zoneWarnings?: readonly ZoneWarning[]
}

export interface CheckOptions {
  /** Check only these domains (as listed in the config). */
  domains?: string[]
  /** Check only this slice of the domains (by a hash of each name). */
  shard?: Shard
  /** Domains checked at once, at most: memory stays flat however long the list. */
  window?: number
  /** The release gate: every domain must be DNS-verified and compliant in Mailtrap. */
  requireVerified?: boolean
  /** Add every domain the Mailtrap account lacks (`--create`; `create: true` does it per domain). */
  create?: boolean
  /** False where nothing may be created, whatever the config says (pull request events). */
  createAllowed?: boolean
  /**
   * Where the JSON report goes as the check runs: its head first, then each domain whole, in
   * the config's order; the caller ends it. The report returned then keeps each plain passing
   * domain without what each resolver answered, so memory stays flat however long the list.
   */
  stream?: Pick<JsonReportWriter, 'begin' | 'domain'>
  /** Told of each domain as its check ends (progress lines; the order is completion order). */
  onDomain?: (report: DomainReport) => void
  /** Told how many domains this check covers, before the first one starts (progress lines). */
  onRound?: (domains: number) => void
}

/** Enough domains in flight to keep every resolver busy, few enough to keep memory flat. */
const DOMAIN_WINDOW = 64

/**
 * Check every domain of the config against every resolver and build the report.
 * Every question goes to every resolver at once; resolvers bound their own concurrency.
 */
export async function check(
  config: Config,
  ports: CheckPorts,
  options: CheckOptions = {}
): Promise<Report> {
  const shard = options.shard
  const selected = selectDomains(config, options.domains).filter(
    (d) => !shard || inShard(d.name, shard)
  )
  const now = ports.now()
  options.onRound?.(selected.length)
  const mailtrap = await readMailtrap(ports.mailtrap)
  const gate = {
    requireVerified: options.requireVerified === true,
    create: options.create === true,
    createAllowed: options.createAllowed !== false
  }
  const head = {
    schemaVersion: 1 as const,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: now.toISOString(),
    config: config.file,
    ...(shard ? { shard } : {})
  }
  const stream = options.stream
  await stream?.begin(head)
  const domains: DomainReport[] = []
  await eachInOrder(
    selected,
    options.window ?? DOMAIN_WINDOW,
    async (domain): Promise<DomainReport> => {
      const view = mailtrap.views?.get(domain.name)
      const report = await checkDomain(expandExpected(domain, view), ports, now)
      // Without Mailtrap (nothing read, no error) the join is the report itself: no await.
      const joined =
        mailtrap.views || mailtrap.error
          ? await joinMailtrap(report, domain, view, mailtrap, ports.mailtrap, gate)
          : report
      const done = withZoneWarnings(withDelegation(joined, domain), ports.zoneWarnings ?? [])
      options.onDomain?.(done)
      return done
    },
    async (report) => {
      if (!stream) return void domains.push(report)
      await stream.domain(report)
      domains.push(slim(report))
    }
  )
  const resolvers = [...(ports.discovery?.known() ?? []), ...ports.resolvers]
  return {
    ...head,
    resolvers: resolvers.map((r) => ({ name: r.name, kind: r.kind, address: r.address })),
    summary: summarize(domains),
    domains
  }
}

function selectDomains(config: Config, names: string[] | undefined): Config['domains'] {
  if (!names || names.length === 0) return config.domains
  const wanted = new Set(names.map(toAsciiName))
  const unknown = [...wanted].filter((n) => !config.domains.some((d) => d.name === n))
  if (unknown.length > 0) {
    throw new UsageError(`--domain ${unknown.join(', ')}: not in ${config.file}`)
  }
  return config.domains.filter((d) => wanted.has(d.name))
}

/** Where a domain's records live: the zone apex from the SOA, its NS names and DNS host. */
interface ZoneFacts {
  apex: string
  nameServers: string[]
  /** The zone's own servers, when discovery was asked for. */
  servers: Resolver[]
  discoveryError?: string
  /** A server of the zone as asked: names in other zones go to their own zone's servers. */
  route: (resolver: Resolver) => Resolver
}

/** One router across zone cuts per run, so each other zone's servers are found once. */
const otherZones = new WeakMap<CheckPorts, OtherZones>()

const cacheOf = (ports: CheckPorts): Resolver | undefined =>
  ports.resolvers.find((r) => r.kind !== 'authoritative' && r.kind !== 'zone-files')

async function routerFor(
  ports: CheckPorts,
  apex: string
): Promise<(resolver: Resolver) => Resolver> {
  // A server pinned with --authoritative may hold a zone the registry delegates elsewhere.
  const cache = cacheOf(ports)
  const pinned = ports.resolvers.find((r) => r.kind === 'authoritative' && !r.listed)
  // Two round trips before the first record: asked only where the zone cut is looked up.
  const delegation = cache && pinned ? await findDelegation(pinned, cache, apex) : undefined
  return routeAt(ports, apex, delegation)
}

/** Servers as asked for names in the zone `apex`: names in other zones go to their own. */
function routeAt(
  ports: CheckPorts,
  apex: string,
  delegation: ZoneDelegation | undefined
): (resolver: Resolver) => Resolver {
  // The engine's router (built with the run's limits, closed with the fleet), else one of
  // our own per run.
  let others = ports.otherZones ?? otherZones.get(ports)
  if (!others) {
    others = createOtherZones({ via: cacheOf(ports), discovery: ports.discovery })
    otherZones.set(ports, others)
  }
  const router = others
  return (resolver) => acrossCuts(resolver, router, apex, delegation)
}

/**
 * Find the zone apex and NS names: from discovery when it runs, else from the first resolver
 * that answers conclusively. Falls back to the config's zone.
 */
async function locateZone(domain: string, zone: string, ports: CheckPorts): Promise<ZoneFacts> {
  // The SOA of the sending domain itself says which zone really holds it; the config's `zone`
  // is what is assumed when no server says.
  const found = await ports.discovery?.serversFor(domain)
  if (found && !found.error) {
    const { apex, nameServers, servers } = found
    return { apex, nameServers, servers, route: await routerFor(ports, apex) }
  }
  for (const resolver of ports.resolvers) {
    const cut = await findZoneCut(resolver, domain)
    if (cut.apex === undefined) continue
    const nameServers = 'nameServers' in cut ? cut.nameServers : []
    const { apex } = cut
    return {
      apex,
      nameServers,
      servers: [],
      discoveryError: found?.error,
      route: await routerFor(ports, apex)
    }
  }
  return {
    apex: zone,
    nameServers: found?.nameServers ?? [],
    servers: [],
    discoveryError: found?.error,
    route: await routerFor(ports, zone)
  }
}

async function checkDomain(
  expectation: DomainExpectation,
  ports: CheckPorts,
  now: Date
): Promise<DomainReport> {
  const first = await passingWithoutZoneCut(expectation, ports, now)
  if (first && 'records' in first) {
    return domainReport(expectation, ports, first.facts, undefined, first.records)
  }
  // Each domain's answers are kept while it is checked (the full pass reuses what the first
  // asked), and dropped with it: the resolvers themselves keep only what other domains may
  // still ask.
  const own = first?.own ?? ports.resolvers.map((r) => memoized(r))
  const facts = await locateZone(expectation.domain, expectation.zone, ports)
  const host = detectDnsHost(facts.nameServers)
  const records = await checkRecords(expectation, facts, host, own, now)
  return domainReport(expectation, ports, facts, host, records)
}

/** Every record of the domain checked the full way, in the zone `facts` found. */
function checkRecords(
  expectation: DomainExpectation,
  facts: ZoneFacts,
  host: ReturnType<typeof detectDnsHost>,
  own: Resolver[],
  now: Date
): Promise<RecordReport[]> {
  const context: DiagnosisContext = { apex: facts.apex, siblings: expectation.records, now }
  const words = new FixWords(facts.apex, host)
  const resolvers = [...facts.servers, ...own].map(facts.route)
  return Promise.all(
    expectation.records.map((record) => checkRecord(record, resolvers, context, words))
  )
}

/**
 * A passing domain without its zone cut. The SOA and NS lookups cost two round trips and two
 * questions per domain, and only the wording of a fix needs them: so when no zone's own
 * servers are to be found (no discovery), no Mailtrap account is read and the resolvers are
 * network ones, the records are checked first with the config's zone as the apex. If every
 * record passes without a probe (the apex then decided nothing), that is the domain's report,
 * its zone the config's and its name servers unknown; otherwise the domain's memo of the answers
 * so far (or undefined, when nothing was asked), and the domain is checked again the full way.
 * A domain whose every record is plain is judged from one wait for its questions: no memo, no
 * promise per record (issue 12: the most of a healthy fleet).
 */
async function passingWithoutZoneCut(
  expectation: DomainExpectation,
  ports: CheckPorts,
  now: Date
): Promise<{ facts: ZoneFacts; records: RecordReport[] } | { own: Resolver[] } | undefined> {
  // With Mailtrap, its findings on a passing domain are worded for the zone's DNS host.
  if (ports.discovery || ports.mailtrap || ports.resolvers.some((r) => r.kind === 'zone-files')) {
    return undefined
  }
  const apex = expectation.zone
  const words = new FixWords(apex, undefined)
  // Every record's question to every resolver at once, and one wait for them all: a healthy
  // domain's records are then each judged plain without a promise of their own. Asked past
  // the router: a plain answer (the record itself, with the AA bit from an authoritative
  // server) is one the router hands back as it is, nothing to follow (check-plain-route.test);
  // any other record is asked again through it (the memo answers the first hop).
  const resolvers = ports.resolvers
  const n = resolvers.length
  // Each distinct question once (as the memo would), its outcomes at k × n, resolver by resolver.
  const questions: DnsQuestion[] = []
  const pending: Promise<QueryOutcome>[] = []
  const asks: number[] = []
  for (const record of expectation.records) {
    if (record.name === null) continue
    let k = questions.findIndex((q) => q.name === record.name && q.type === record.type)
    if (k < 0) {
      k = questions.push({ name: record.name, type: record.type }) - 1
      for (const r of resolvers) pending.push(r.query(questions[k]!))
    }
    asks.push(k)
  }
  const asked = await Promise.all(pending)
  const plain: (RecordReport | undefined)[] = []
  let at = 0
  let allPlain = true
  for (const record of expectation.records) {
    if (record.name === null) {
      plain.push(undefined)
      allPlain = false
      continue
    }
    const k = asks[at++]!
    const outcomes = asked.slice(k * n, k * n + n)
    const report = plainReport(record, resolvers, outcomes, words)
    if (!report) allPlain = false
    plain.push(report)
  }
  // Every record plain: a pass with no probe, the apex deciding nothing.
  const facts: ZoneFacts = { apex, nameServers: NONE, servers: NONE, route: plainRoute }
  if (allPlain) return { facts, records: plain as RecordReport[] }
  // Where the registry delegates the zone decides nothing when every answer is right.
  facts.route = routeAt(ports, apex, undefined)
  const own = resolvers.map((r, i) =>
    memoized(
      r,
      questions.map((q, k) => [q, pending[k * n + i]!])
    )
  )
  const context: DiagnosisContext = { apex, siblings: expectation.records, now }
  const routed = own.map(facts.route)
  const records = await Promise.all(
    expectation.records.map((record, i) => plain[i] ?? checkRecord(record, routed, context, words))
  )
  const clean = records.every(
    (r) => r.status === 'pass' && r.observations.every((o) => o.probes === undefined)
  )
  return clean ? { facts, records } : { own }
}

/** The route of a domain whose every record was plain: nothing more is asked. */
const plainRoute = (resolver: Resolver): Resolver => resolver

function domainReport(
  expectation: DomainExpectation,
  ports: CheckPorts,
  zone: ZoneFacts,
  host: ReturnType<typeof detectDnsHost>,
  records: RecordReport[]
): DomainReport {
  const status = domainStatus(records)
  const report: DomainReport = {
    domain: expectation.domain,
    zone: zone.apex,
    line: expectation.line,
    status,
    records,
    findings: NONE,
    nameServers: zone.nameServers,
    dnsHost: host ? { id: host.id, name: host.name } : null,
    mailtrap: null
  }
  if (ports.discovery) {
    report.authoritative = {
      zone: zone.apex,
      servers: zone.servers.map((s) => s.name),
      ...(zone.discoveryError ? { error: zone.discoveryError } : {})
    }
  }
  if (status === 'fail') {
    // The snippet shows what the fixes say to enter: the one merged SPF record, the host's TTL.
    const ttl = Number(host?.ttl)
    report.fix = renderBindSnippet(
      expectation.domain,
      zone.apex,
      expectation.records.map((r) => ({ ...r, value: enteredValue(r, records) ?? r.value })),
      Number.isInteger(ttl) && ttl > 0 ? ttl : undefined
    )
  }
  return report
}

/** The value a finding's fix says to enter for `record`, where it differs (a merged SPF record). */
function enteredValue(record: ExpectedRecord, records: RecordReport[]): string | undefined {
  if (record.key !== 'spf') return undefined
  const steps = records.find((r) => r.key === 'spf')?.findings.flatMap((f) => f.fix) ?? []
  const step = steps.find((s) => s.action === 'set-value' || s.action === 'merge-spf')
  return step && 'record' in step ? step.record.value : undefined
}

async function checkRecord(
  expected: ExpectedRecord,
  resolvers: Resolver[],
  context: DiagnosisContext,
  words: FixWords
): Promise<RecordReport> {
  if (expected.name !== null) {
    // Every resolver said exactly the expected record: the record passes, as the full
    // diagnosis would say (plain.ts), without its rules and probes.
    const question = { name: expected.name, type: expected.type }
    const outcomes = await Promise.all(resolvers.map((r) => r.query(question)))
    const plain = plainReport(expected, resolvers, outcomes, words)
    if (plain) return plain
  }
  const observations =
    expected.name === null
      ? []
      : await Promise.all(resolvers.map((resolver) => observe(resolver, expected, context)))
  return recordReport(
    expected,
    diagnoseRecord(expected, observations, context),
    observations,
    words
  )
}

function recordReport(
  expected: ExpectedRecord,
  diagnosis: RecordDiagnosis,
  observations: Observation[],
  words: FixWords
): RecordReport {
  return recordShape(
    expected,
    diagnosis,
    words,
    observations.map((o, i) => ({
      ...toObservationReport(o),
      verdict: diagnosis.verdicts[i] ?? 'unknown'
    }))
  )
}

/** The most probe rounds for one record (a CNAME chain is followed one link a round). */
const MAX_PROBE_ROUNDS = 10

async function observe(
  resolver: Resolver,
  expected: ExpectedRecord,
  context: DiagnosisContext
): Promise<TracedObservation> {
  const question = { name: expected.name!, type: expected.type }
  const given = await resolver.query(question)
  const probes: Observation['probes'] = []
  for (let round = 0; round < MAX_PROBE_ROUNDS; round++) {
    const next = probesFor(expected, context, given, probes)
    if (next.length === 0) break
    probes.push(
      ...(await Promise.all(
        next.map(async (q) => ({ question: q, outcome: await resolver.query(q) }))
      ))
    )
  }
  // A CNAME chain into a zone no server could be asked for has no known end: the record is not
  // known, never judged at a hop that is not the end. The answer stays as the server gave it;
  // where the chain left the zone, and why, is said beside it (the router says so for an
  // answer it could not follow; for a CNAME question, a probe did not come back).
  const outcome = partialAnswer(given) ?? given
  const lost = probes.find((p) => unreachableQuestion(p.outcome))
  const unfollowed: Observation['unfollowed'] =
    outcome !== given && !given.ok
      ? (unfollowedChain(given) ?? { end: question.name, why: given.error })
      : lost && !lost.outcome.ok && outcome.ok
        ? { end: lost.question.name, why: lost.outcome.error }
        : undefined
  const served = servedBy(resolver, [outcome, ...probes.map((p) => p.outcome)])
  return {
    resolver: resolver.name,
    kind: resolver.kind,
    listed: resolver.listed === true,
    ...(delegationOf(resolver) ? { undelegated: delegationOf(resolver) } : {}),
    ...(lameDelegationOf(given) ? { lameDelegation: lameDelegationOf(given) } : {}),
    ...(unfollowed ? { unfollowed } : {}),
    question,
    outcome,
    probes,
    ...(served ? { answeredBy: served } : {})
  }
}

/**
 * Which server of another zone gave each of `outcomes` and their records, where a referral or
 * a CNAME chain led an authoritative resolver there; undefined when none did.
 */
function servedBy(
  resolver: Resolver,
  outcomes: QueryOutcome[]
): Map<QueryOutcome | DnsRecord, string> | undefined {
  if (resolver.kind !== 'authoritative') return undefined
  const served = new Map<QueryOutcome | DnsRecord, string>()
  for (const o of outcomes) {
    for (const key of [o, ...(o.ok ? o.response.answers : [])]) {
      const server = answeredBy(key)
      if (server) served.set(key, server)
    }
  }
  return served.size > 0 ? served : undefined
}
