/**
 * The words of `domains.yaml` that other modules need without its zod schema: record keys,
 * resolver presets, `fail-on` levels, and the host-name rules both validators share. Importing
 * this costs nothing at start-up (no zod, no yaml); schema.ts re-exports it.
 */
import { normalizeName, toAsciiName } from '../names/dns-names.js'

/** Keys of the records Mailtrap hands out, as its API names them in `dns_records[].key`. */
export const RECORD_KEYS = [
  'verification',
  'dkim1',
  'dkim2',
  'link_verification',
  'dmarc',
  'spf'
] as const
export type RecordKey = (typeof RECORD_KEYS)[number]

/** Resolver presets by name; `system` and `authoritative` are kinds rather than addresses. */
export const RESOLVER_PRESETS = {
  cloudflare: '1.1.1.1',
  google: '8.8.8.8',
  quad9: '9.9.9.9',
  opendns: '208.67.222.222'
} as const

export const FAIL_ON = ['error', 'warning', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]

// One label: letters, digits, `_` and inner `-`, 63 at most. The names are tested whole rather
// than split into labels: a 10,000-domain config checks 20,000 of them.
const label = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?'
const hostLabels = new RegExp(`^${label}(?:\\.${label})+$`)
const relativeLabels = new RegExp(`^${label}(?:\\.${label})*$`)

/** True for a sending domain (already in ASCII form): labels as DNS hosts take, two at least. */
export function isHostLabels(name: string): boolean {
  return hostLabels.test(name)
}

/** True for a normalised host relative to a domain: `@`, or labels as DNS hosts take. */
export function isRelativeLabels(name: string): boolean {
  return name === '@' || relativeLabels.test(name)
}

/**
 * The sending domain `raw` as the schema stores it (ASCII, lower-case, no trailing dot), or
 * undefined when the schema refuses it: the one rule the fast path and zod both apply.
 */
export function configHostName(raw: string): string | undefined {
  // A name already in the stored form (lower-case ASCII labels, no dot at the end) is its own
  // ASCII form: most of a fleet, spared the conversion.
  if (raw.length <= 253 && hostLabels.test(raw)) return raw
  const name = toAsciiName(raw)
  return name.length >= 1 && name.length <= 253 && isHostLabels(name) ? name : undefined
}

/** The relative host `raw` as the schema stores it (`MT07.` → `mt07`), or undefined if refused. */
export function configRelativeHost(raw: string): string | undefined {
  if (relativeLabels.test(raw)) return raw
  const name = normalizeName(raw.trim())
  return name.length >= 1 && isRelativeLabels(name) ? name : undefined
}
