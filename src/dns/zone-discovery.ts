/**
 * The servers of a zone, found through a recursive resolver: the zone cut (SOA), its NS set and
 * their addresses. The discovery behind the `authoritative` resolver, and the lookups the router
 * across zone cuts (authoritative.ts) shares.
 */
import { createWireResolver } from './wire-client.js'
import type { DnsRecord, QueryMeter, QueryOutcome, Resolver } from './types.js'
import { normalizeName } from './types.js'

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

export function records(outcome: QueryOutcome, owner: string, type: string): DnsRecord[] {
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

export async function addressesOf(via: Resolver, host: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([
    via.query({ name: host, type: 'A' }),
    via.query({ name: host, type: 'AAAA' })
  ])
  const v4 = records(a, host, 'A').map((r) => r.data)
  return v4.length > 0 ? v4 : records(aaaa, host, 'AAAA').map((r) => r.data)
}
