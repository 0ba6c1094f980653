import { isAtOrBelow, parentName } from '../names/dns-names.js'
import { parseServerAddress } from './server-address.js'
import type { DnsQuestion, DnsRecord, QueryMeter, QueryOutcome, Resolver } from './types.js'
import { normalizeName } from './types.js'
import { createWireResolver } from './wire-client.js'

/** The servers that hold a zone, found through a recursive resolver, or why they were not. */
export interface ZoneServers {
  /** The zone apex (the owner of the SOA), which may be above the name that was asked for. */
  apex: string
  /** One resolver per name-server address, asked with RD=0. Empty when `error` says why. */
  servers: Resolver[]
  /** The zone's NS names, from its NS records. */
  nameServers: string[]
  error?: string
}

/**
 * Finds a zone's authoritative servers and asks them directly: the source of truth that tells
 * "wrong at the source" from "not propagated yet".
 */
export interface AuthoritativeDiscovery {
  /** The servers of the zone that holds `name` (SOA → NS → addresses), found once per run. */
  serversFor(name: string): Promise<ZoneServers>
  /** Every server found so far, for the report. */
  known(): Resolver[]
  close(): Promise<void>
}

export interface DiscoveryOptions {
  /** The recursive resolver that looks up the SOA, the NS set and the servers' addresses. */
  via: Resolver
  /** Close `via` with the discovery (it was made for discovery alone). */
  ownsVia?: boolean
  /** Port to ask the discovered servers on: 53, or a test's Knot port. */
  port?: number
  timeoutMs?: number
  tries?: number
  maxInFlight?: number
  /** Questions per second to each discovered server at most (rate-cap.ts); none by default. */
  rateLimit?: number
  /** Counts every question the discovered servers are asked (the progress line). */
  meter?: QueryMeter
}

/**
 * Discover authoritative servers through `via`. IPv4 addresses are preferred (many CI runners
 * have no IPv6 route); a server with only IPv6 addresses is asked over IPv6.
 */
export function createAuthoritativeDiscovery(options: DiscoveryOptions): AuthoritativeDiscovery {
  const { via } = options
  const port = options.port ?? 53
  const zones = new Map<string, Promise<ZoneServers>>()
  const servers = new Map<string, Resolver>()

  const serverFor = (nsName: string, address: string, label: string): Resolver => {
    const key = `${nsName} ${address}`
    let resolver = servers.get(key)
    if (!resolver) {
      const wire = createWireResolver({
        name: label,
        kind: 'authoritative',
        host: address,
        port,
        recursionDesired: false,
        timeoutMs: options.timeoutMs,
        tries: options.tries,
        maxInFlight: options.maxInFlight,
        rateLimit: options.rateLimit,
        meter: options.meter
      })
      resolver = Object.assign(wire, { listed: true as const })
      servers.set(key, resolver)
    }
    return resolver
  }

  const discover = async (name: string): Promise<ZoneServers> => {
    const cut = await findZoneCut(via, name)
    if ('error' in cut)
      return { apex: cut.apex ?? name, servers: [], nameServers: [], error: cut.error }
    const { apex, nameServers: nsNames } = cut
    const found: Resolver[] = []
    const failures: string[] = []
    for (const nsName of nsNames) {
      const addresses = await addressesOf(via, nsName)
      if (addresses.length === 0) failures.push(`${nsName} has no address`)
      for (const address of addresses) {
        const label = addresses.length > 1 ? `${nsName}/${address}` : nsName
        found.push(serverFor(nsName, address, label))
      }
    }
    if (found.length === 0) {
      return {
        apex,
        servers: [],
        nameServers: nsNames,
        error: `no server of ${apex} could be reached: ${failures.join('; ')}`
      }
    }
    return { apex, servers: found, nameServers: nsNames }
  }

  return {
    serversFor(name) {
      const key = normalizeName(name)
      let pending = zones.get(key)
      if (!pending) {
        pending = discover(key)
        zones.set(key, pending)
      }
      return pending
    },
    known: () => [...servers.values()],
    async close() {
      await Promise.all([...servers.values()].map((s) => s.close()))
      if (options.ownsVia) await via.close()
    }
  }
}

/** A zone's apex and NS names, or why they could not be found (with the apex when it was). */
export type ZoneCut = { apex: string; nameServers: string[] } | { apex?: string; error: string }

/**
 * The zone that holds `name`, asked of `via`: the SOA's owner is the apex, then its NS set.
 * The one lookup both the discovery of authoritative servers and the report's DNS host use.
 */
export async function findZoneCut(via: Resolver, name: string): Promise<ZoneCut> {
  const apex = apexFrom(name, await via.query({ name, type: 'SOA' }))
  if (typeof apex !== 'string') return apex
  const ns = await via.query({ name: apex, type: 'NS' })
  if (!ns.ok) return { apex, error: `NS of ${apex}: ${ns.error}` }
  const nameServers = [...new Set(records(ns, apex, 'NS').map((r) => r.data))].sort()
  if (nameServers.length === 0) {
    return { apex, error: `${via.name} found no NS records for ${apex} (${ns.response.rcode})` }
  }
  return { apex, nameServers }
}

function records(outcome: QueryOutcome, owner: string, type: string): DnsRecord[] {
  if (!outcome.ok) return []
  return outcome.response.answers.filter((r) => r.name === owner && r.type === type)
}

/** The zone apex from a SOA query: the SOA in the answer at the name, or in the authority. */
function apexFrom(name: string, soa: QueryOutcome): string | { error: string } {
  if (!soa.ok) return { error: `SOA of ${name}: ${soa.error}` }
  const { rcode, answers, authority } = soa.response
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
    return { error: `the zone of ${name} could not be found: SOA query answered ${rcode}` }
  }
  if (answers.some((r) => r.name === name && r.type === 'SOA')) return name
  const inAuthority = authority.find(
    (r) => r.type === 'SOA' && (name === r.name || name.endsWith(`.${r.name}`))
  )
  if (inAuthority) return inAuthority.name
  return { error: `the zone of ${name} could not be found: no SOA in the answer (${rcode})` }
}

async function addressesOf(via: Resolver, host: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([
    via.query({ name: host, type: 'A' }),
    via.query({ name: host, type: 'AAAA' })
  ])
  const v4 = records(a, host, 'A').map((r) => r.data)
  return v4.length > 0 ? v4 : records(aaaa, host, 'AAAA').map((r) => r.data)
}

/**
 * Asks a name's own zone servers when the server asked says the name is not its own: a
 * referral to a delegated child, or REFUSED for a name outside the zone it serves. The answer
 * of `--authoritative` (or of a discovered server) is then the child's or the other zone's, as
 * a resolver walking down from the root would get it, and never "missing" or "the chain's end".
 */
export interface OtherZones {
  /**
   * The authoritative answer for `question` from the servers that hold its name, when `outcome`
   * (from `from`) is a referral, or REFUSED for a name outside `apex`; undefined when no such
   * server can be reached (then the caches decide).
   */
  answer(
    from: Resolver,
    question: DnsQuestion,
    outcome: QueryOutcome,
    apex: string
  ): Promise<{ server: string; outcome: QueryOutcome } | { lame: LameDelegation } | undefined>
  close(): Promise<void>
}

export interface OtherZonesOptions {
  /** A recursive resolver for NS addresses and the zone cut of a refused name (a cache). */
  via?: Resolver
  /** Finds the servers of a refused name's zone, when discovery runs. */
  discovery?: AuthoritativeDiscovery
  timeoutMs?: number
  tries?: number
}

/** A delegation whose servers do not serve the child zone: each server and why. */
export interface LameDelegation {
  cut: string
  servers: { server: string; why: string }[]
}

/** Referrals followed in a row before giving up: a loop of lame delegations ends here. */
const MAX_REFERRALS = 4

/** The child zone and its NS names, when `outcome` is a referral (no AA, NS, no SOA). */
export function referralOf(
  outcome: QueryOutcome
): { cut: string; nameServers: string[] } | undefined {
  if (!outcome.ok) return undefined
  const { rcode, flags, answers, authority } = outcome.response
  const ns = authority.filter((r) => r.type === 'NS')
  if (rcode !== 'NOERROR' || flags.aa || answers.length > 0 || ns.length === 0) return undefined
  if (authority.some((r) => r.type === 'SOA')) return undefined
  return { cut: ns[0]!.name, nameServers: [...new Set(ns.map((r) => r.data))].sort() }
}

/** True when a server refused a name it does not serve. */
function refused(outcome: QueryOutcome): boolean {
  return (
    outcome.ok && (outcome.response.rcode === 'REFUSED' || outcome.response.rcode === 'NOTAUTH')
  )
}

/** Follows referrals and refusals to the servers of the name's own zone (see {@link OtherZones}). */
export function createOtherZones(options: OtherZonesOptions): OtherZones {
  const servers = new Map<string, Resolver>()
  const zones = new Map<string, Promise<Resolver[]>>()

  const serverAt = (label: string, host: string, port: number): Resolver => {
    const key = `${host} ${port}`
    let resolver = servers.get(key)
    if (!resolver) {
      resolver = createWireResolver({
        name: label,
        kind: 'authoritative',
        host,
        port,
        recursionDesired: false,
        timeoutMs: options.timeoutMs,
        tries: options.tries
      })
      servers.set(key, resolver)
    }
    return resolver
  }

  /** The servers of `zone` by their NS names: addresses from the cache, else from `from`. */
  const byNames = (zone: string, nameServers: string[], from: Resolver): Promise<Resolver[]> => {
    const port = parseServerAddress(from.address).port
    const key = `${zone} ${nameServers.join(' ')} ${port}`
    let pending = zones.get(key)
    if (!pending) {
      pending = (async () => {
        const found: Resolver[] = []
        for (const ns of nameServers) {
          let addresses = options.via ? await addressesOf(options.via, ns) : []
          // In-zone name servers: the referring server may know their addresses itself.
          if (addresses.length === 0) addresses = await addressesOf(from, ns)
          for (const a of addresses) found.push(serverAt(ns, a, port))
        }
        // Found nothing: ask again next time (a `wait` round may find the addresses).
        if (found.length === 0) zones.delete(key)
        return found
      })()
      zones.set(key, pending)
    }
    return pending
  }

  /** The servers of the zone that holds `name`: discovery's, or the cache's view of the cut. */
  const byDiscovery = async (name: string, from: Resolver): Promise<Resolver[]> => {
    if (options.discovery) {
      const found = await options.discovery.serversFor(name)
      if (found.servers.length > 0) return found.servers
    }
    if (!options.via) return []
    // A name that is a CNAME answers its SOA question with the CNAME alone (the target is
    // elsewhere): its parent's SOA then names the zone.
    for (let at = name; at !== ''; at = parentName(at)) {
      const cut = await findZoneCut(options.via, at)
      if (!('error' in cut)) return byNames(cut.apex, cut.nameServers, from)
      if (cut.apex !== undefined) return []
    }
    return []
  }

  return {
    async answer(from, question, outcome, apex) {
      const name = normalizeName(question.name)
      let at = from
      let current = outcome
      for (let hop = 0; hop < MAX_REFERRALS; hop++) {
        const referral = referralOf(current)
        const outside = refused(current) && !isAtOrBelow(name, apex)
        if (!referral && !(outside && hop === 0))
          return hop === 0 ? undefined : { server: at.name, outcome: current }
        const candidates = referral
          ? await byNames(referral.cut, referral.nameServers, at)
          : await byDiscovery(name, at)
        let next: { server: Resolver; outcome: QueryOutcome } | undefined
        const failed: LameDelegation['servers'] = []
        for (const server of candidates.filter((s) => s.address !== at.address)) {
          const asked = await server.query(question)
          if (asked.ok && (asked.response.flags.aa || referralOf(asked))) {
            next = { server, outcome: asked }
            break
          }
          const why = !asked.ok
            ? asked.error
            : `${asked.response.rcode}${asked.response.flags.aa ? '' : ' without the authoritative (AA) flag'}`
          failed.push({ server: server.name, why })
        }
        if (!next && referral) {
          const unreached = referral.nameServers.filter(
            (ns) => !candidates.some((s) => s.name === ns)
          )
          failed.push(...unreached.map((server) => ({ server, why: 'no address found' })))
          return { lame: { cut: referral.cut, servers: failed } }
        }
        if (!next) return undefined
        at = next.server
        current = next.outcome
      }
      return referralOf(current) ? undefined : { server: at.name, outcome: current }
    },
    async close() {
      await Promise.all([...servers.values()].map((s) => s.close()))
    }
  }
}

/**
 * `resolver`, asking the servers of a name's own zone when it answers "not mine" (see
 * {@link OtherZones}); other kinds of resolver are returned as they are. `apex` is the zone
 * the resolver serves: a refusal inside it stays the resolver's own (a lame server).
 */
export function acrossCuts(
  resolver: Resolver,
  others: OtherZones,
  apex: string,
  delegation?: ZoneDelegation
): Resolver {
  if (resolver.kind !== 'authoritative') return resolver
  const routed: Resolver = {
    name: resolver.name,
    kind: resolver.kind,
    address: resolver.address,
    ...(resolver.listed ? { listed: resolver.listed } : {}),
    async query(question) {
      const outcome = await resolver.query(question)
      const elsewhere = await others.answer(resolver, question, outcome, apex)
      if (elsewhere && 'lame' in elsewhere) lameDelegations.set(outcome, elsewhere.lame)
      return elsewhere && 'outcome' in elsewhere ? elsewhere.outcome : outcome
    },
    close: () => resolver.close()
  }
  if (delegation && !resolver.listed) undelegated.set(routed, delegation)
  return routed
}

/**
 * Where the parent zone sends resolvers and where the records are: the NS set the caches see
 * for the zone, and the NS set a pinned server's own copy of the zone lists.
 */
export interface ZoneDelegation {
  zone: string
  delegatedTo: string[]
  heldBy: string[]
}

const undelegated = new WeakMap<Resolver, ZoneDelegation>()
const lameDelegations = new WeakMap<QueryOutcome, LameDelegation>()

/** The lame delegation behind a referral {@link acrossCuts} could not follow. */
export function lameDelegationOf(outcome: QueryOutcome): LameDelegation | undefined {
  return lameDelegations.get(outcome)
}

/** The delegation a pinned server was found outside of, by {@link acrossCuts}. */
export function delegationOf(resolver: Resolver): ZoneDelegation | undefined {
  return undelegated.get(resolver)
}

/**
 * The zone `apex` as the registry delegates it (the NS set `cache` sees) against the NS set of
 * the pinned server's own copy; returned when they share no server, so that the records on the
 * pinned server are where no resolver looks. Undefined when they share one or either is unknown.
 */
export async function findDelegation(
  pinned: Resolver,
  cache: Resolver,
  apex: string
): Promise<ZoneDelegation | undefined> {
  const [seen, own] = await Promise.all([
    findZoneCut(cache, apex),
    pinned.query({ name: apex, type: 'NS' })
  ])
  if ('error' in seen || seen.apex !== apex) return undefined
  if (!own.ok || !own.response.flags.aa) return undefined
  const heldBy = [...new Set(records(own, apex, 'NS').map((r) => r.data))].sort()
  if (heldBy.length === 0 || heldBy.some((ns) => seen.nameServers.includes(ns))) return undefined
  return { zone: apex, delegatedTo: seen.nameServers, heldBy }
}
