/**
 * A cap on the questions a resolver starts per second, so that a fleet run stays well below what
 * a public resolver tolerates from one address: past its limit a resolver drops or refuses
 * questions, and a whole run of domains would read `unknown`. A token bucket: a question takes a
 * token, tokens come back at the capped rate, and a short burst is allowed.
 */
import { UsageError } from '../errors.js'

/**
 * Default caps of the public presets, in questions per second, each a fifth or less of what the
 * operator publishes for one client address:
 * - Google Public DNS (google, google-doh) throttles above 1,500 queries per second from one IPv4
 *   address or IPv6 /64 (https://developers.google.com/speed/public-dns/docs/isp): 300.
 * - Quad9 asks to be told of more than 500 queries per second from one egress address
 *   (https://docs.quad9.net/Quad9_For_Organizations/DNS_Forwarder_Best_Practices/): 100.
 * - Cloudflare publishes no figure, and says scanning-like traffic from one address at high
 *   rates may be rate limited (https://developers.cloudflare.com/1.1.1.1/infrastructure/network-operators/);
 *   OpenDNS publishes none either: both get Quad9's 100.
 * Addresses the user gives, the runner's own servers and authoritative servers have no cap
 * unless one is asked for.
 */
export const PRESET_RATE_LIMITS: Readonly<Record<string, number>> = {
  cloudflare: 100,
  google: 300,
  quad9: 100,
  opendns: 100,
  'cloudflare-doh': 100,
  'google-doh': 300
}

/** The highest cap that may be asked for; anything above is as good as none. */
export const MAX_RATE_LIMIT = 1_000_000

/**
 * The caps the user asked for (`--rate-limit`, the `rate-limit` input), in questions per
 * second; 0 means no cap. A resolver's own entry wins over `all`, which wins over the presets'
 * defaults ({@link PRESET_RATE_LIMITS}).
 */
export interface RateLimits {
  /** By resolver name: a preset, a `NAME=` label, `system`, `authoritative`. */
  byName?: Record<string, number>
  /** For every resolver without an entry of its own, presets and discovered servers included. */
  all?: number
}

/**
 * Reads `[NAME=]QPS` items (repeated flags, or an input's lines and commas): a bare number caps
 * every resolver, `NAME=QPS` one resolver; QPS is a number of questions per second (decimals
 * allowed) and 0 lifts the cap. `what` names the flag or input in messages.
 */
export function parseRateLimits(items: string[], what: string): RateLimits {
  const limits: RateLimits & { byName: Record<string, number> } = { byName: {} }
  for (const item of items) {
    const eq = item.indexOf('=')
    const name = eq < 0 ? undefined : item.slice(0, eq).trim()
    const text = (eq < 0 ? item : item.slice(eq + 1)).trim()
    const qps = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN
    if (!(qps >= 0 && qps <= MAX_RATE_LIMIT)) {
      throw new UsageError(
        `${what} ${item}: give [NAME=]QPS, questions per second from 0 (no cap) to ${MAX_RATE_LIMIT}, e.g. google=50 or 20`
      )
    }
    if (name === undefined) limits.all = qps
    else if (/^[A-Za-z0-9_.-]+$/.test(name)) limits.byName[name] = qps
    else {
      throw new UsageError(
        `${what} ${item}: the name before "=" may hold letters, digits, dot, dash, underscore`
      )
    }
  }
  return limits
}

/**
 * The cap of one resolver in questions per second, or undefined for none, the most specific
 * first: its own entry in `limits`, the `rate-limit` of its config entry, `limits.all`, then
 * `presetDefault` (given only for a preset named as such).
 */
export function rateLimitFor(
  limits: RateLimits | undefined,
  name: string,
  presetDefault?: number,
  configured?: number
): number | undefined {
  const qps = limits?.byName?.[name] ?? configured ?? limits?.all ?? presetDefault
  return qps === undefined || qps === 0 ? undefined : qps
}

/** A token bucket; see {@link createRateCap}. */
export interface RateCap {
  /** Takes a token if one is there: true means the question may start now. */
  take(): boolean
  /** Milliseconds until the next token, at least 1. */
  waitMs(): number
}

/**
 * A bucket of `burst` tokens (default a tenth of a second's worth, at least 1) that refills at
 * `qps` per second, read from `now` (milliseconds). Over any span of T seconds at most
 * `burst + qps × T` questions start. O(1) per call, no timers of its own.
 */
export function createRateCap(
  qps: number,
  now: () => number = () => performance.now(),
  burst = Math.max(1, Math.ceil(qps / 10))
): RateCap {
  if (!(qps > 0)) throw new Error(`rate cap: ${qps} questions per second is not above 0`)
  const perMs = qps / 1000
  let tokens = burst
  let last = now()
  const refill = (): void => {
    const t = now()
    tokens = Math.min(burst, tokens + (t - last) * perMs)
    last = t
  }
  return {
    take(): boolean {
      // Refilled at every call: refilling only when empty would credit, at once, time during
      // which a full bucket could not have grown, and let more than a burst through.
      refill()
      if (tokens < 1) return false
      tokens--
      return true
    },
    waitMs(): number {
      refill()
      return Math.max(1, Math.ceil((1 - tokens) / perMs))
    }
  }
}
