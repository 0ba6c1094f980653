/**
 * Authority per zone: the router that sends a name to its own zone's servers when the server
 * asked says "not mine" (a referral, followed through its glue; a refusal of another zone's
 * name), CNAME chains followed across zones, and where the parent delegates a pinned zone.
 * Discovery of a zone's servers lives in zone-discovery.ts and is re-exported here.
 */
import { isAtOrBelow, parentName } from '../names/dns-names.js'
import { parseServerAddress } from './server-address.js'
import type { DnsQuestion, DnsRecord, QueryOutcome, Resolver } from './types.js'
import { normalizeName } from './types.js'
import { createWireResolver } from './wire-client.js'
import { addressesOf, findZoneCut, records, type AuthoritativeDiscovery } from './zone-discovery.js'

export {
  createAuthoritativeDiscovery,
  findZoneCut,
  type AuthoritativeDiscovery,
  type DiscoveryOptions,
  type ZoneCut,
  type ZoneServers
} from './zone-discovery.js'

/**
 * Asks a name's own zone servers when the server asked says the name is not its own: a
 * referral to a delegated child, or REFUSED for a name outside the zone it serves. The answer
 * of `--authoritative` (or of a discovered server) is then the child's or the other zone's, as
 * a resolver walking down from the root would get it, and never "missing" or "the chain's end".
 */
export interface OtherZones {
  /**
   * The authoritative answer for `question` from the servers that hold its name, when `outcome`
   * (from `from`) is a referral (its servers found by the glue, the cache or `from` itself),
   * or REFUSED for a name outside `apex`; `lame` when a referral's servers do not serve it;
   * undefined when no server can be reached, or after `close` (then the caches decide);
   * `unreachable` (why) when nothing was given to find the other zone's servers by: no cache,
   * no discovery, and for a referral no glue for name servers outside the child zone.
   */
  answer(
    from: Resolver,
    question: DnsQuestion,
    outcome: QueryOutcome,
    apex: string
  ): Promise<
    | { server: string; outcome: QueryOutcome }
    | { lame: LameDelegation }
    | { unreachable: string }
    | undefined
  >
  close(): Promise<void>
}

export interface OtherZonesOptions {
  /** A recursive resolver for NS addresses and the zone cut of a refused name (a cache). */
  via?: Resolver
  /** Finds the servers of a refused name's zone, when discovery runs. */
  discovery?: AuthoritativeDiscovery
  /** The run's limits, for the other zones' servers as for every other resolver. */
  timeoutMs?: number
  tries?: number
  maxInFlight?: number
}

/** A delegation whose servers do not serve the child zone: each server and why. */
export interface LameDelegation {
  cut: string
  servers: { server: string; why: string }[]
}

/** Referrals followed in a row before giving up: a loop of lame delegations ends here. */
const MAX_REFERRALS = 4

/**
 * The child zone, its NS names and their glue (the addresses the referral carries in its
 * additional section), when `outcome` is a referral (no AA, NS, no SOA).
 */
export function referralOf(
  outcome: QueryOutcome
): { cut: string; nameServers: string[]; glue: DnsRecord[] } | undefined {
  if (!outcome.ok) return undefined
  const { rcode, flags, answers, authority, additional } = outcome.response
  const ns = authority.filter((r) => r.type === 'NS')
  if (rcode !== 'NOERROR' || flags.aa || answers.length > 0 || ns.length === 0) return undefined
  if (authority.some((r) => r.type === 'SOA')) return undefined
  const nameServers = [...new Set(ns.map((r) => r.data))].sort()
  return { cut: ns[0]!.name, nameServers, glue: additional ?? [] }
}

/** The addresses of `host` among a referral's glue: IPv4 first, as {@link addressesOf}. */
function glueOf(glue: DnsRecord[], host: string): string[] {
  const v4 = glue.filter((r) => r.name === host && r.type === 'A').map((r) => r.data)
  return v4.length > 0
    ? v4
    : glue.filter((r) => r.name === host && r.type === 'AAAA').map((r) => r.data)
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
        tries: options.tries,
        maxInFlight: options.maxInFlight
      })
      servers.set(key, resolver)
    }
    return resolver
  }

  /**
   * The servers of `zone` by their NS names: addresses from the referral's glue, else from the
   * cache, else from `from` (which may hold the addresses of in-zone name servers).
   */
  const byNames = (
    zone: string,
    nameServers: string[],
    from: Resolver,
    glue: DnsRecord[] = []
  ): Promise<Resolver[]> => {
    const port = parseServerAddress(from.address).port
    const key = `${zone} ${nameServers.join(' ')} ${port}`
    let pending = zones.get(key)
    if (!pending) {
      pending = (async () => {
        const found: Resolver[] = []
        for (const ns of nameServers) {
          let addresses = glueOf(glue, ns)
          if (addresses.length === 0 && options.via) addresses = await addressesOf(options.via, ns)
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

  let closed = false
  return {
    async answer(from, question, outcome, apex) {
      // Closed with the round: nothing more is asked (no socket is opened after the close).
      if (closed) return undefined
      const name = normalizeName(question.name)
      let at = from
      let current = outcome
      for (let hop = 0; hop < MAX_REFERRALS; hop++) {
        const referral = referralOf(current)
        const outside = refused(current) && !isAtOrBelow(name, apex)
        if (!referral && !(outside && hop === 0))
          return hop === 0 ? undefined : { server: at.name, outcome: current }
        if (!referral && !options.via && !options.discovery) {
          const rcode = current.ok ? current.response.rcode : ''
          return {
            unreachable: `${name} is outside ${apex}, which ${at.name} serves (it answered ${rcode}), and no resolver was given to find the servers of its own zone`
          }
        }
        const candidates = referral
          ? await byNames(referral.cut, referral.nameServers, at, referral.glue)
          : await byDiscovery(name, at)
        // Name servers outside the zone they serve, without glue, whose addresses nothing here
        // can look up: not a lame delegation, only one this run has no means to follow.
        const noMeans = !options.via && !options.discovery
        if (referral && candidates.length === 0 && noMeans) {
          const { cut, nameServers } = referral
          if (nameServers.every((ns) => !isAtOrBelow(ns, cut))) {
            return {
              unreachable: `${name} is delegated to ${nameServers.join(', ')} (the servers of ${cut}), whose addresses ${at.name} does not give, and no resolver was given to look them up`
            }
          }
        }
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
      closed = true
      await Promise.all([...servers.values()].map((s) => s.close()))
    }
  }
}

/**
 * The run's router across zone cuts, for a fleet with authoritative servers to route (pinned or
 * discovered): the engine builds it beside the fleet, with the run's query limits, hands it to
 * the check as a port, and closes it with the fleet, so that no socket of another zone's server
 * outlives the round. Undefined when the fleet has nothing to route.
 */
export function createOtherZonesFor(
  fleet: { resolvers: Resolver[]; discovery?: AuthoritativeDiscovery },
  limits: { timeoutMs?: number; tries?: number; maxInFlight?: number } = {}
): OtherZones | undefined {
  if (!fleet.discovery && !fleet.resolvers.some((r) => r.kind === 'authoritative')) return undefined
  const via = fleet.resolvers.find((r) => r.kind !== 'authoritative' && r.kind !== 'zone-files')
  return createOtherZones({ via, discovery: fleet.discovery, ...limits })
}

/**
 * `resolver`, asking the servers of a name's own zone when it answers "not mine" (see
 * {@link OtherZones}); other kinds of resolver are returned as they are. `apex` is the zone
 * the resolver serves: a refusal inside it stays the resolver's own (a lame server).
 * A CNAME that leaves the zone is followed for any other type, as a resolver walking from the
 * root follows it, so the record at the chain's end is answered with the chain; each record
 * brought from another zone's server is known by {@link answeredBy}.
 */
export function acrossCuts(
  resolver: Resolver,
  others: OtherZones,
  apex: string,
  delegation?: ZoneDelegation
): Resolver {
  if (resolver.kind !== 'authoritative') return resolver
  const ask = async (question: DnsQuestion, followed: string[]): Promise<QueryOutcome> => {
    const outcome = await resolver.query(question)
    const elsewhere = await others.answer(resolver, question, outcome, apex)
    if (elsewhere && 'lame' in elsewhere) lameDelegations.set(outcome, elsewhere.lame)
    if (elsewhere && 'unreachable' in elsewhere) {
      const lost: QueryOutcome = { ok: false, error: elsewhere.unreachable }
      unreachable.set(lost, question)
      return lost
    }
    let answer = outcome
    if (elsewhere && 'outcome' in elsewhere) {
      answer = elsewhere.outcome
      servedBy.set(answer, elsewhere.server)
      // Each record too: joined to a chain's other links, they still say who gave them.
      const records = answer.ok ? answer.response.answers : []
      for (const r of records) if (!servedBy.has(r)) servedBy.set(r, elsewhere.server)
    }
    return question.type === 'CNAME' ? answer : follow(question, answer, followed)
  }
  /** The chain's next zone asked for the record at its end, and the answers joined. */
  const follow = async (
    question: DnsQuestion,
    outcome: QueryOutcome,
    followed: string[]
  ): Promise<QueryOutcome> => {
    const end = leavingChainEnd(question, outcome)
    if (!end || followed.includes(end) || followed.length >= MAX_FOLLOWED) return outcome
    const rest = await ask({ name: end, type: question.type }, [...followed, end])
    if (!rest.ok) {
      // Nothing could be asked for the chain's end: the record is not known (an error outcome,
      // never the chain's end). A server that merely did not answer leaves the chain as it is.
      if (!unreachable.has(rest)) return outcome
      const error = `${normalizeName(question.name)} is a CNAME to ${end}: ${rest.error}`
      const lost: QueryOutcome = { ok: false, error }
      partial.set(lost, outcome)
      unfollowedAt.set(lost, { end, why: rest.error })
      return lost
    }
    const { rcode } = rest.response
    if ((rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') || referralOf(rest)) return outcome
    const server = servedBy.get(rest) ?? resolver.name
    for (const r of rest.response.answers) if (!servedBy.has(r)) servedBy.set(r, server)
    const { response } = outcome as Extract<QueryOutcome, { ok: true }>
    return {
      ok: true,
      response: {
        ...response,
        rcode,
        answers: [...response.answers, ...rest.response.answers],
        authority: rest.response.authority
      }
    }
  }
  const routed: Resolver = {
    name: resolver.name,
    kind: resolver.kind,
    address: resolver.address,
    ...(resolver.listed ? { listed: resolver.listed } : {}),
    query: (question) => ask(question, [normalizeName(question.name)]),
    close: () => resolver.close()
  }
  if (delegation && !resolver.listed) undelegated.set(routed, delegation)
  return routed
}

/** Zones a CNAME chain is followed through, at most, past the first. */
const MAX_FOLLOWED = 8

/**
 * Where a CNAME chain leaves the answering server: the chain's last target, when the answer
 * ends there with nothing said about it (no record, no NXDOMAIN, no SOA of a NODATA).
 */
function leavingChainEnd(question: DnsQuestion, outcome: QueryOutcome): string | undefined {
  if (!outcome.ok) return undefined
  const { rcode, answers, authority } = outcome.response
  if (rcode !== 'NOERROR' || authority.some((r) => r.type === 'SOA')) return undefined
  let end = normalizeName(question.name)
  for (let i = 0; i <= MAX_FOLLOWED; i++) {
    const next = answers.find((r) => r.name === end && r.type === 'CNAME')
    if (!next) break
    end = next.data
  }
  if (end === normalizeName(question.name)) return undefined
  return answers.some((r) => r.name === end) ? undefined : end
}

/** Questions no server could be asked (see {@link unreachableQuestion}). */
const unreachable = new WeakMap<QueryOutcome, DnsQuestion>()
/** The answer as far as it went, behind a chain that could not be followed. */
const partial = new WeakMap<QueryOutcome, QueryOutcome>()

/**
 * The question behind an outcome {@link acrossCuts} made up because no server could be asked:
 * its name is in another zone, which the server refused, and there was no cache, discovery or
 * referral to find that zone's servers by. The chain that led there has no known end.
 */
export function unreachableQuestion(outcome: QueryOutcome): DnsQuestion | undefined {
  return unreachable.get(outcome)
}

/** Where a chain not followed left the zone, and why nothing could follow it. */
const unfollowedAt = new WeakMap<QueryOutcome, { end: string; why: string }>()

/** For the error of a chain not followed: the name it left the zone at, and why. */
export function unfollowedChain(outcome: QueryOutcome): { end: string; why: string } | undefined {
  return unfollowedAt.get(outcome)
}

/** The answer as far as it went (the CNAME chain), behind an error of a chain not followed. */
export function partialAnswer(outcome: QueryOutcome): QueryOutcome | undefined {
  return partial.get(outcome)
}

/** Which server answered an outcome or a record, when it was not the resolver asked. */
const servedBy = new WeakMap<QueryOutcome | DnsRecord, string>()

/**
 * The server of another zone that gave `of` (an outcome or one of its records), found by
 * {@link acrossCuts}; undefined when the resolver asked answered it itself.
 */
export function answeredBy(of: QueryOutcome | DnsRecord): string | undefined {
  return servedBy.get(of)
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
 * the pinned server's own copy, when they differ so that resolvers do not, or not only, ask the
 * servers that hold the records: the sets share no server (the records are where no resolver
 * looks), or they share some and one lists more (a move between hosts half done: the parent
 * still delegates to the old host too, or the zone's own NS records still list it). Undefined
 * when the sets are the same or either is unknown.
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
  const delegatedTo = seen.nameServers
  const same =
    heldBy.length === delegatedTo.length && heldBy.every((ns) => delegatedTo.includes(ns))
  if (heldBy.length === 0 || same) return undefined
  return { zone: apex, delegatedTo, heldBy }
}
