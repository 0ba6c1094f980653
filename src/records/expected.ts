import type { DomainConfig } from '../config/load-config.js'
import type { RecordKey } from '../config/schema.js'

/** Where an expected value came from, strongest first. */
export type ExpectationSource = 'mailtrap' | 'config' | 'default'

/**
 * One record Mailtrap expects for a sending domain.
 * `name` is the FQDN (lower-case, no trailing dot); it is `null` only for the verification
 * record when neither the API nor the config says which random host Mailtrap chose.
 */
export interface ExpectedRecord {
  key: RecordKey
  type: 'CNAME' | 'TXT'
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

/** `host` joined to `domain`; `@` is the domain itself. */
export function qualify(host: string, domain: string): string {
  return host === '@' ? domain : `${host}.${domain}`
}

/**
 * The records a domain must have: Mailtrap's defaults, overridden by what the config pins.
 * Pure: the API-provided expectations replace these upstream when a token is given.
 */
export function expandExpected(domain: DomainConfig): DomainExpectation {
  const keys = (Object.keys(MAILTRAP_DEFAULTS) as (keyof typeof MAILTRAP_DEFAULTS)[]).filter(
    (key) => key !== 'link_verification' || domain.tracking
  )
  const records: ExpectedRecord[] = keys.map((key) => {
    const base = MAILTRAP_DEFAULTS[key]
    const pinned = domain.records[key]
    const host =
      key === 'verification'
        ? (domain.verification ?? pinned?.name ?? null)
        : (pinned?.name ?? base.host)
    return {
      key,
      type: base.type,
      host,
      name: host === null ? null : qualify(host, domain.name),
      value: normalizeExpectedValue(base.type, pinned?.value ?? base.value),
      source:
        pinned !== undefined || (key === 'verification' && host !== null) ? 'config' : 'default'
    }
  })
  const spf = domain.records.spf
  if (spf) {
    const host = spf.name ?? MAILTRAP_SPF.host
    records.push({
      key: 'spf',
      type: 'TXT',
      host,
      name: qualify(host, domain.name),
      value: spf.value ?? MAILTRAP_SPF.value,
      source: 'config'
    })
  }
  return { domain: domain.name, zone: domain.zone, line: domain.line, records }
}

/** CNAME targets compare lower-case without the trailing dot; TXT text is kept as written. */
export function normalizeExpectedValue(type: 'CNAME' | 'TXT', value: string): string {
  return type === 'CNAME' ? value.trim().toLowerCase().replace(/\.$/, '') : value.trim()
}
