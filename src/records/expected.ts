import type { DomainConfig } from '../config/load-config.js'
import type { RecordKey } from '../config/schema.js'
import { isRecordHost, normalizeHost, normalizeName, qualify } from '../names/dns-names.js'

/** The keys the tool knows, and any other Mailtrap lists: each is checked under its own key. */
export type ExpectedKey = RecordKey | (string & {})

/** True for a key the tool knows and diagnoses richly. */
export function isKnownKey(key: string): key is RecordKey {
  return key in RECORD_LABELS
}

/** Where an expected value came from, strongest first. */
export type ExpectationSource = 'mailtrap' | 'config' | 'default'

/**
 * One record Mailtrap expects for a sending domain.
 * `name` is the FQDN (lower-case, no trailing dot); it is `null` only for the verification
 * record when neither the API nor the config says which random host Mailtrap chose.
 */
export interface ExpectedRecord {
  /** A key the tool knows, or any other key Mailtrap's API lists (inbound MX, …). */
  key: ExpectedKey
  type: 'CNAME' | 'TXT' | (string & {})
  /** Host relative to the domain (`rwmt1._domainkey`, `@` for the apex), or null when unknown. */
  host: string | null
  name: string | null
  value: string
  source: ExpectationSource
}

/** The records of one domain, in the order Mailtrap's UI lists them. */
export interface DomainExpectation {
  domain: string
  zone: string
  line: number
  records: ExpectedRecord[]
}

/** Mailtrap's values as its API returns them for every current domain (DESIGN, "The records"). */
export const MAILTRAP_DEFAULTS: Record<
  Exclude<RecordKey, 'spf'>,
  { type: 'CNAME' | 'TXT'; host: string | null; value: string }
> = {
  verification: { type: 'CNAME', host: null, value: 'smtp.mailtrap.live' },
  dkim1: { type: 'CNAME', host: 'rwmt1._domainkey', value: 'rwmt1.dkim.smtp.mailtrap.live' },
  dkim2: { type: 'CNAME', host: 'rwmt2._domainkey', value: 'rwmt2.dkim.smtp.mailtrap.live' },
  link_verification: { type: 'CNAME', host: 'mt-link', value: 't.mailtrap.live' },
  dmarc: {
    type: 'TXT',
    host: '_dmarc',
    value:
      'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'
  }
}

/** Older domains also carry an SPF record at the apex; it is expected only when pinned. */
export const MAILTRAP_SPF = {
  type: 'TXT' as const,
  host: '@',
  value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all'
}

/** Human labels for reports. */
export const RECORD_LABELS: Record<RecordKey, string> = {
  verification: 'Domain verification',
  dkim1: 'DKIM 1',
  dkim2: 'DKIM 2',
  link_verification: 'Click tracking',
  dmarc: 'DMARC',
  spf: 'SPF'
}

/** A record's label in reports: the known keys by name, any other key the API lists as it is. */
export function recordLabel(key: string): string {
  return (RECORD_LABELS as Record<string, string>)[key] ?? `${key} (listed by Mailtrap)`
}

/** What Mailtrap's API says a domain needs: one entry per record it lists (plain data). */
export interface ApiExpectation {
  records: { key: string; host?: string; value?: string; type?: string; status?: string }[]
  /** Custom-domain click tracking as the API says (it lists `link_verification` either way). */
  trackingEnabled?: boolean
}

/** Whether click tracking's CNAME is expected: as the API lists it, else as the config says. */
export function trackingOf(domain: DomainConfig, api?: ApiExpectation): boolean {
  if (!api) return domain.tracking
  const listed = api.records.some((r) => r.key === 'link_verification' && r.value)
  return listed && api.trackingEnabled !== false
}

/**
 * The records a domain must have: from Mailtrap's API when it lists them, else what the config
 * pins, else Mailtrap's defaults. Pure: the caller fetches the API's view.
 */
export function expandExpected(domain: DomainConfig, api?: ApiExpectation): DomainExpectation {
  const fromApi = (key: RecordKey) => {
    const record = api?.records.find((r) => r.key === key)
    if (!record || !record.value) return undefined
    // The API's hosts compare as DNS names do, in any case; it names the apex "" (older
    // domains' SPF record), where the config and reports say "@".
    // A host that is not a host name (`a b`, `a..b`, `*`) is not believed: no fix creates it.
    const host = record.host === undefined ? undefined : normalizeHost(record.host)
    return { ...record, host: host !== undefined && isRecordHost(host) ? host : undefined }
  }
  const keys = (Object.keys(MAILTRAP_DEFAULTS) as (keyof typeof MAILTRAP_DEFAULTS)[]).filter(
    (key) => key !== 'link_verification' || trackingOf(domain, api)
  )
  const records: ExpectedRecord[] = keys.map((key) => {
    const base = MAILTRAP_DEFAULTS[key]
    const pinned = domain.records[key]
    const listed = fromApi(key)
    const configured = key === 'verification' ? (domain.verification ?? pinned?.name) : pinned?.name
    const host = listed?.host ?? configured ?? base.host
    return {
      key,
      type: base.type,
      host,
      name: host === null ? null : qualify(host, domain.name),
      value: normalizeExpectedValue(base.type, listed?.value ?? pinned?.value ?? base.value),
      source: listed
        ? 'mailtrap'
        : pinned !== undefined || configured !== undefined
          ? 'config'
          : 'default'
    }
  })
  const spf = fromApi('spf')
  if (spf || domain.records.spf) {
    const pinned = domain.records.spf
    const host = spf?.host ?? pinned?.name ?? MAILTRAP_SPF.host
    records.push({
      key: 'spf',
      type: 'TXT',
      host,
      name: qualify(host, domain.name),
      value: spf?.value ?? pinned?.value ?? MAILTRAP_SPF.value,
      source: spf ? 'mailtrap' : 'config'
    })
  }
  // Every other record the API lists is checked too, by type, name and value.
  for (const record of api?.records ?? []) {
    if (isKnownKey(record.key) || !record.value || record.host === undefined) continue
    const host = normalizeHost(record.host)
    if (!isRecordHost(host)) continue
    const type = (record.type ?? 'TXT').toUpperCase()
    records.push({
      key: record.key,
      type,
      host,
      name: qualify(host, domain.name),
      value: type === 'TXT' ? record.value.trim() : normalizeName(record.value.trim()),
      source: 'mailtrap'
    })
  }
  return { domain: domain.name, zone: domain.zone, line: domain.line, records }
}

/** One way domains.yaml differs from Mailtrap's API. */
export interface ConfigDifference {
  field: 'host' | 'value' | 'tracking'
  pinned: string
  api: string
}

/**
 * Where what domains.yaml pins differs from what Mailtrap's API expects, per record key. Pure.
 */
export function configDrift(
  domain: DomainConfig,
  api: ApiExpectation
): Map<string, ConfigDifference[]> {
  const drift = new Map<string, ConfigDifference[]>()
  const tracking = trackingOf(domain, api)
  if (domain.trackingPinned && tracking !== domain.tracking) {
    drift.set('link_verification', [
      { field: 'tracking', pinned: String(domain.tracking), api: String(tracking) }
    ])
  }
  for (const record of api.records) {
    const key = record.key as RecordKey
    if (!(key in RECORD_LABELS) || !record.value) continue
    const pinned = domain.records[key]
    const host = key === 'verification' ? (domain.verification ?? pinned?.name) : pinned?.name
    const type = key === 'dmarc' || key === 'spf' ? 'TXT' : 'CNAME'
    const parts: ConfigDifference[] = []
    // Hosts compare as DNS names: `MT07.` is `mt07`, and the API's apex "" is the config's `@`.
    if (
      host !== undefined &&
      record.host !== undefined &&
      normalizeHost(host) !== normalizeHost(record.host)
    ) {
      parts.push({ field: 'host', pinned: host, api: record.host })
    }
    if (
      pinned?.value !== undefined &&
      normalizeExpectedValue(type, pinned.value) !== normalizeExpectedValue(type, record.value)
    ) {
      parts.push({ field: 'value', pinned: pinned.value, api: record.value })
    }
    if (parts.length > 0) drift.set(key, parts)
  }
  return drift
}

/** CNAME targets compare lower-case without the trailing dot; TXT text is kept as written. */
export function normalizeExpectedValue(type: 'CNAME' | 'TXT', value: string): string {
  return type === 'CNAME' ? normalizeName(value.trim()) : value.trim()
}
