import { getServers } from 'node:dns'
import { RESOLVER_PRESETS } from '../config/record-keys.js'
import type { ResolverEntry } from '../config/schema.js'
import {
  createAuthoritativeDiscovery,
  createOtherZonesFor,
  type AuthoritativeDiscovery,
  type OtherZones
} from './authoritative.js'
import type { QueryMeter, Resolver } from './types.js'
import { PRESET_RATE_LIMITS, rateLimitFor, type RateLimits } from './rate-cap.js'
import { createWireResolver, type WireResolverOptions } from './wire-client.js'
import { parseServerAddress } from './server-address.js'
import type { ZoneFileResolver } from './zone-source.js'
import { UserError } from '../errors.js'

/** How the user asked for resolvers, from the CLI, the action inputs and the config. */
export interface ResolverRequest {
  /** `--resolver` values (`NAME=ADDR[:PORT]`, a preset, `system`); they replace the config's. */
  cli: string[]
  /** The config's `defaults.resolvers`. */
  config: ResolverEntry[] | undefined
  /** `--authoritative ADDR[:PORT]` values: pinned authoritative servers, asked with RD=0. */
  authoritative: string[]
  /** `--zone-dir`: answer from zone files, with no network at all. */
  zoneDir?: string
  timeoutMs?: number
  tries?: number
  /** Queries in flight per resolver at most (default 64). */
  maxInFlight?: number
  /** Port to ask discovered authoritative servers on (default 53; tests point it at Knot). */
  authoritativePort?: number
  /** The runner's own servers; `dns.getServers()` unless a test passes its own. */
  systemServers?: () => string[]
  /**
   * Questions per second per resolver at most (`--rate-limit`): by name, for all, and the
   * public presets' defaults otherwise (rate-cap.ts). Every name given must be a resolver's.
   */
  rateLimits?: RateLimits
  /** Counts the questions every resolver of the run asks (the progress line). */
  meter?: QueryMeter
}

/**
 * The resolvers of one run: fixed ones, and, when `authoritative` is asked for without pinned
 * addresses, the discovery that finds each zone's own servers.
 */
export interface Fleet {
  resolvers: Resolver[]
  /** With a zone directory: the one resolver, which can say which names its files hold. */
  zoneFiles?: ZoneFileResolver
  discovery?: AuthoritativeDiscovery
  /** The servers of other zones a chain or referral leads to: built with the run's limits. */
  otherZones?: OtherZones
}

/** Close every socket of the fleet. */
export async function closeFleet(fleet: Fleet): Promise<void> {
  await Promise.all([
    ...fleet.resolvers.map((r) => r.close()),
    fleet.discovery?.close(),
    fleet.otherZones?.close()
  ])
}

/** Used when neither the CLI nor the config names any resolver. */
export const DEFAULT_RESOLVERS: ResolverEntry[] = ['authoritative', 'cloudflare', 'google', 'quad9']

/** A resolver specification the user got wrong; the message says which and why. */
export class ResolverSpecError extends UserError {
  override name = 'ResolverSpecError'
}

/**
 * Turn the user's resolver choices into resolvers. With a zone directory the answers come
 * from the files alone; otherwise `--resolver` replaces the configured set and
 * `--authoritative` adds pinned servers.
 */
export async function buildResolvers(request: ResolverRequest): Promise<Fleet> {
  // DoH, pipelined TCP and zone files are loaded only when asked for: a run over UDP starts
  // without their modules (issue 12, start-up).
  if (request.zoneDir) {
    const { createZoneFileResolver } = await import('./zone-source.js')
    const zoneFiles = await createZoneFileResolver(request.zoneDir)
    return { resolvers: [zoneFiles], zoneFiles }
  }
  const options: TransportOptions = {
    timeoutMs: request.timeoutMs,
    tries: request.tries,
    maxInFlight: request.maxInFlight,
    meter: request.meter
  }
  const limits = request.rateLimits
  const entries: ResolverEntry[] =
    request.cli.length > 0
      ? request.cli.map(parseCliResolver)
      : (request.config ?? DEFAULT_RESOLVERS)
  const resolvers: Resolver[] = []
  let discover = false
  for (const entry of entries) {
    if (entry === 'authoritative') {
      // Pinned servers stand in for discovery (tests, hidden primaries, split horizon).
      discover = request.authoritative.length === 0
      continue
    }
    const servers = request.systemServers ?? getServers
    resolvers.push(...(await resolversFor(entry, servers, options, limits)))
  }
  for (const [i, address] of request.authoritative.entries()) {
    const { host, port, tcp } = parse(address, '--authoritative')
    const name = request.authoritative.length > 1 ? `authoritative-${i + 1}` : 'authoritative'
    resolvers.push(
      await serverResolver(tcp, {
        name,
        kind: 'authoritative',
        host,
        port,
        recursionDesired: false,
        ...options,
        rateLimit: rateLimitFor(limits, capName(limits, name, 'authoritative'))
      })
    )
  }
  const names = new Set<string>()
  for (const r of resolvers) {
    if (names.has(r.name)) throw new ResolverSpecError(`resolver name "${r.name}" is used twice`)
    names.add(r.name)
  }
  checkRateLimitNames(limits, names, discover)
  const { timeoutMs, tries, maxInFlight } = options
  const zoneLimits = { timeoutMs, tries, maxInFlight }
  if (!discover) return { resolvers, otherZones: createOtherZonesFor({ resolvers }, zoneLimits) }
  const via =
    resolvers.find((r) => r.kind !== 'authoritative') ??
    (await resolversFor('system', request.systemServers ?? getServers, options, limits))[0]!
  const discovery = createAuthoritativeDiscovery({
    via,
    ownsVia: !resolvers.includes(via),
    port: request.authoritativePort,
    ...options,
    rateLimit: rateLimitFor(limits, 'authoritative')
  })
  return {
    resolvers,
    discovery,
    otherZones: createOtherZonesFor({ resolvers, discovery }, zoneLimits)
  }
}

/** `NAME=ADDR[:PORT]`, `NAME=https://URL`, or a bare preset name, or `system`. */
function parseCliResolver(spec: string): ResolverEntry {
  const eq = spec.indexOf('=')
  if (eq < 0) return spec
  const name = spec.slice(0, eq)
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new ResolverSpecError(
      `--resolver ${spec}: the name before "=" may hold letters, digits, dot, dash, underscore`
    )
  }
  const target = spec.slice(eq + 1)
  if (TCP_SCHEME.test(target)) return { name, address: target }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? { name, doh: target } : { name, address: target }
}

/** What every resolver of a run shares: limits per question and the meter. */
interface TransportOptions {
  timeoutMs?: number
  tries?: number
  maxInFlight?: number
  meter?: QueryMeter
}

/**
 * The name a resolver's cap is looked up by: its own when the user capped it by that name,
 * else its family's (`system` for `system-2`, `authoritative` for `authoritative-1`).
 */
function capName(limits: RateLimits | undefined, name: string, family: string): string {
  return limits?.byName?.[name] === undefined ? family : name
}

/** Every name in `--rate-limit NAME=QPS` must be one of the run's resolvers (or a family). */
function checkRateLimitNames(
  limits: RateLimits | undefined,
  names: Set<string>,
  discover: boolean
): void {
  const known = new Set(names)
  for (const name of names) known.add(name.replace(/-\d+$/, ''))
  if (discover) known.add('authoritative')
  for (const name of Object.keys(limits?.byName ?? {})) {
    if (!known.has(name)) {
      throw new ResolverSpecError(
        `rate limit ${name}=…: no resolver is named "${name}" (the resolvers are ${[...known].sort().join(', ')})`
      )
    }
  }
}

async function doh(
  name: string,
  url: string,
  options: TransportOptions & { rateLimit?: number }
): Promise<Resolver> {
  const { createDohResolver } = await import('./doh-client.js')
  try {
    return createDohResolver({ name, url, ...options })
  } catch (error) {
    throw new ResolverSpecError((error as Error).message)
  }
}

/** `tcp://ADDR[:PORT]`: the server is asked over one pipelined TCP connection (tcp-client.ts). */
const TCP_SCHEME = /^tcp:\/\//i

/** A server asked over UDP (TCP on truncation), or over pipelined TCP when `tcp`. */
async function serverResolver(tcp: boolean, options: WireResolverOptions): Promise<Resolver> {
  if (!tcp) return createWireResolver(options)
  const { createTcpResolver } = await import('./tcp-client.js')
  return createTcpResolver(options)
}

function parse(address: string, what: string): { host: string; port: number; tcp: boolean } {
  const tcp = TCP_SCHEME.test(address)
  try {
    return { ...parseServerAddress(tcp ? address.replace(TCP_SCHEME, '') : address), tcp }
  } catch (error) {
    throw new ResolverSpecError(`${what} ${address}: ${(error as Error).message}`)
  }
}

async function resolversFor(
  entry: ResolverEntry,
  systemServers: () => string[],
  options: TransportOptions,
  limits: RateLimits | undefined
): Promise<Resolver[]> {
  const recursive = (
    name: string,
    address: string,
    rateLimit: number | undefined,
    kind: 'recursive' | 'system' = 'recursive'
  ): Promise<Resolver> => {
    const { host, port, tcp } = parse(address, `resolver ${name}`)
    return serverResolver(tcp, {
      name,
      kind,
      host,
      port,
      recursionDesired: true,
      ...options,
      rateLimit
    })
  }
  // Only a preset named as such has its default cap: a user's `google=ADDR` has none.
  const preset = (name: string) => rateLimitFor(limits, name, PRESET_RATE_LIMITS[name])
  if (typeof entry !== 'string') {
    const rateLimit = rateLimitFor(limits, entry.name, undefined, entry['rate-limit'])
    return 'doh' in entry
      ? [await doh(entry.name, entry.doh, { ...options, rateLimit })]
      : [await recursive(entry.name, entry.address, rateLimit)]
  }
  // The DoH presets are looked up last, so that only a run that names one loads the DoH client;
  // their names are none of the others below.
  if (entry === 'system') {
    const servers = systemServers()
    if (servers.length === 0)
      throw new ResolverSpecError('resolver "system": this machine has no DNS servers configured')
    const system: Resolver[] = []
    for (const [i, s] of servers.entries()) {
      const name = servers.length > 1 ? `system-${i + 1}` : 'system'
      const rateLimit = rateLimitFor(limits, capName(limits, name, 'system'))
      system.push(await recursive(name, s, rateLimit, 'system'))
    }
    return system
  }
  if (Object.hasOwn(RESOLVER_PRESETS, entry)) {
    const address = RESOLVER_PRESETS[entry as keyof typeof RESOLVER_PRESETS]
    return [await recursive(entry, address, preset(entry))]
  }
  if (/^[\d.:[\]a-fA-F]+$/.test(entry) && /[.:]/.test(entry)) {
    return [await recursive(entry, entry, rateLimitFor(limits, entry))]
  }
  const { DOH_PRESETS } = await import('./doh-client.js')
  if (Object.hasOwn(DOH_PRESETS, entry)) {
    const url = DOH_PRESETS[entry as keyof typeof DOH_PRESETS]
    return [await doh(entry, url, { ...options, rateLimit: preset(entry) })]
  }
  throw new ResolverSpecError(
    `unknown resolver "${entry}": use a preset (${[...Object.keys(RESOLVER_PRESETS), ...Object.keys(DOH_PRESETS)].join(', ')}), system, authoritative, NAME=ADDR[:PORT], NAME=https://URL or an address`
  )
}
