import type { Config } from './config/load-config.js'
import { diagnoseRecord, probesFor, type Observation } from './diagnose/diagnose.js'
import type { AuthoritativeDiscovery } from './dns/authoritative.js'
import type { DnsRecord, QueryOutcome, Resolver } from './dns/types.js'
import { expandExpected, type DomainExpectation, type ExpectedRecord } from './records/expected.js'
import {
  domainStatus,
  summarize,
  type AnswerReport,
  type DomainReport,
  type ObservationReport,
  type RecordReport,
  type Report
} from './report/report.js'
import { TOOL } from './version.js'

/** What the engine needs from the outside world: narrow ports, so tests pass real or plain ones. */
export interface CheckPorts {
  resolvers: Resolver[]
  /** Finds each zone's own servers when `authoritative` is among the resolvers. */
  discovery?: AuthoritativeDiscovery
  /** The time the report is stamped with, and stale caches are counted from. */
  now: () => Date
}

export interface CheckOptions {
  /** Check only these domains (as listed in the config). */
  domains?: string[]
}

/**
 * Check every domain of the config against every resolver and build the report.
 * Every question goes to every resolver at once; resolvers bound their own concurrency.
 */
export async function check(
  config: Config,
  ports: CheckPorts,
  options: CheckOptions = {}
): Promise<Report> {
  const selected = selectDomains(config, options.domains)
  const now = ports.now()
  const domains = await Promise.all(
    selected.map((domain) => checkDomain(expandExpected(domain), ports, now))
  )
  const resolvers = [...(ports.discovery?.known() ?? []), ...ports.resolvers]
  return {
    schemaVersion: 1,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: now.toISOString(),
    config: config.file,
    resolvers: resolvers.map((r) => ({ name: r.name, kind: r.kind, address: r.address })),
    summary: summarize(domains),
    domains
  }
}

function selectDomains(config: Config, names: string[] | undefined): Config['domains'] {
  if (!names || names.length === 0) return config.domains
  const wanted = new Set(names.map((n) => n.toLowerCase().replace(/\.$/, '')))
  const unknown = [...wanted].filter((n) => !config.domains.some((d) => d.name === n))
  if (unknown.length > 0) {
    throw new UsageError(`--domain ${unknown.join(', ')}: not in ${config.file}`)
  }
  return config.domains.filter((d) => wanted.has(d.name))
}

/** A mistake in how the tool was called (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError'
}

async function checkDomain(
  expectation: DomainExpectation,
  ports: CheckPorts,
  now: Date
): Promise<DomainReport> {
  const found = await ports.discovery?.serversFor(expectation.zone)
  // The apex found from the SOA is where a doubled name lands; the config's zone otherwise.
  const zone = found && !found.error ? found.apex : expectation.zone
  const resolvers = [...(found?.servers ?? []), ...ports.resolvers]
  const records = await Promise.all(
    expectation.records.map((record) => checkRecord(record, zone, resolvers, now))
  )
  const report: DomainReport = {
    domain: expectation.domain,
    zone: expectation.zone,
    line: expectation.line,
    status: domainStatus(records),
    records,
    mailtrap: null
  }
  if (found) {
    report.authoritative = {
      zone: found.apex,
      servers: found.servers.map((s) => s.name),
      ...(found.error ? { error: found.error } : {})
    }
  }
  return report
}

async function checkRecord(
  expected: ExpectedRecord,
  zone: string,
  resolvers: Resolver[],
  now: Date
): Promise<RecordReport> {
  const observations =
    expected.name === null
      ? []
      : await Promise.all(resolvers.map((resolver) => observe(resolver, expected, zone)))
  const diagnosis = diagnoseRecord(expected, zone, observations, now)
  return {
    key: expected.key,
    type: expected.type,
    name: expected.name,
    expected: expected.value,
    source: expected.source,
    status: diagnosis.status,
    checked: diagnosis.checked,
    findings: diagnosis.findings,
    observations: observations.map((o, i) => ({
      ...toObservationReport(o),
      verdict: diagnosis.verdicts[i] ?? 'unknown'
    }))
  }
}

async function observe(
  resolver: Resolver,
  expected: ExpectedRecord,
  zone: string
): Promise<Observation> {
  const question = { name: expected.name!, type: expected.type }
  const outcome = await resolver.query(question)
  const probes = await Promise.all(
    probesFor(expected, zone, outcome).map(async (q) => ({
      question: q,
      outcome: await resolver.query(q)
    }))
  )
  return { resolver: resolver.name, kind: resolver.kind, question, outcome, probes }
}

function toAnswers(records: DnsRecord[]): AnswerReport[] {
  return records.map((r) => ({ name: r.name, type: r.type, data: r.data, ttl: r.ttl }))
}

function summarizeOutcome(
  outcome: QueryOutcome
): Pick<ObservationReport, 'rcode' | 'answers' | 'error'> {
  return outcome.ok
    ? { rcode: outcome.response.rcode, answers: toAnswers(outcome.response.answers) }
    : { rcode: null, answers: [], error: outcome.error }
}

function toObservationReport(o: Observation): ObservationReport {
  const report: ObservationReport = {
    resolver: o.resolver,
    ...summarizeOutcome(o.outcome),
    authoritative: o.outcome.ok && o.outcome.response.flags.aa
  }
  const probes = o.probes.map((p) => ({
    name: p.question.name,
    type: p.question.type,
    ...summarizeOutcome(p.outcome)
  }))
  if (probes.length > 0) report.probes = probes.map(({ error: _error, ...rest }) => rest)
  return report
}
