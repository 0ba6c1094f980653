/**
 * The shapes of Mailtrap's answers, checked with zod but leniently: objects keep only the
 * fields below (zod strips the rest) and enums are plain strings, so a field or a status value
 * Mailtrap adds later does not break the check. Real answers hold partial records
 * (a `dmarc` entry with `key` and `name` only) and `dns_verified_at: ""`.
 */
import { z } from 'zod'

/** One entry of a domain's `dns_records`; any field but `key` may be missing (real ones are). */
export interface MailtrapRecord {
  /**
   * What the record is for: `verification`, `dkim1`, `dkim2`, `dmarc`, `link_verification`,
   * `spf`, or a key the tool does not know (inbound receiving adds an MX record), kept as given.
   */
  key: string
  /** `CNAME`, `TXT`, `MX`, ... */
  type?: string
  /** The host relative to the domain (`rwmt1._domainkey`, `''` for the apex). */
  name?: string
  /** The host as an FQDN, without a trailing dot. */
  domain?: string
  /** The CNAME target or TXT text Mailtrap expects. */
  value?: string
  /** Mailtrap's own check of the record: `pass`, `fail`, `missing`, ..., or a value new to us. */
  status?: string
}

/** A sending domain as Mailtrap reports it. */
export interface MailtrapDomain {
  id: number
  domainName: string
  /** `compliant`, `unverified_dns`, ..., kept as given, even a value the docs do not list. */
  complianceStatus: string
  dnsVerified: boolean
  /** When Mailtrap last found the DNS records right; null when never (the API may send `""`). */
  dnsVerifiedAt: string | null
  /** Every record the API lists, in its order, those with keys the tool does not know included. */
  records: MailtrapRecord[]
  /** Inbound receiving is on (it adds an MX record); present when the API says. */
  inboundEnabled?: boolean
  /** Mailtrap found the inbound records right; present when the API says. */
  inboundVerified?: boolean
  /** Recipients may opt out of tracking; present when the API says. */
  trackingOptOutEnabled?: boolean
  /** Tracking links use the domain's own `mt-link` host; present when the API says. */
  customDomainTrackingEnabled?: boolean
}

/** A Mailtrap account the token reaches. */
export interface MailtrapAccount {
  id: number
  name: string
}

/** A text field: a string, or a number given where a string belongs; anything else is undefined. */
const optionalText = z
  .unknown()
  .optional()
  .transform((value) =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
  )

/** A flag: a boolean, or undefined for anything else (missing, null, a value of another type). */
const optionalFlag = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === 'boolean' ? value : undefined))

const recordSchema = z.object({
  key: z.string(),
  type: optionalText,
  name: optionalText,
  domain: optionalText,
  value: optionalText,
  status: optionalText
})

export const domainSchema = z.object({
  id: z.number().int(),
  domain_name: z.string(),
  // Missing or null: not a reason to refuse the whole list; shown as `unknown`.
  compliance_status: optionalText.transform((value) => value ?? 'unknown'),
  dns_verified: optionalFlag,
  dns_verified_at: optionalText,
  dns_records: z.array(recordSchema).nullish(),
  inbound_enabled: optionalFlag,
  inbound_verified: optionalFlag,
  tracking_opt_out_enabled: optionalFlag,
  custom_domain_tracking_enabled: optionalFlag
})

export const domainListSchema = z.object({ data: z.array(domainSchema) })

/** A list answer, checked. */
export type DomainList = z.infer<typeof domainListSchema>

export const accountListSchema = z.array(z.object({ id: z.number().int(), name: z.string() }))

/** A domain as the API sends it, to the client's shape. */
export function toDomain(d: z.infer<typeof domainSchema>): MailtrapDomain {
  const domain: MailtrapDomain = {
    id: d.id,
    domainName: d.domain_name,
    complianceStatus: d.compliance_status,
    dnsVerified: d.dns_verified ?? false,
    // Mailtrap sends "" for a domain never verified.
    dnsVerifiedAt: d.dns_verified_at ? d.dns_verified_at : null,
    records: (d.dns_records ?? []).map(toRecord)
  }
  // Flags the API did not send stay missing, so a report does not claim what it never said.
  const flags = {
    inboundEnabled: d.inbound_enabled,
    inboundVerified: d.inbound_verified,
    trackingOptOutEnabled: d.tracking_opt_out_enabled,
    customDomainTrackingEnabled: d.custom_domain_tracking_enabled
  }
  for (const [field, value] of Object.entries(flags)) {
    if (value !== undefined) (domain as unknown as Record<string, boolean>)[field] = value
  }
  return domain
}

function toRecord(r: z.infer<typeof recordSchema>): MailtrapRecord {
  const record: MailtrapRecord = { key: r.key }
  // Missing fields stay missing rather than becoming `undefined` keys, so JSON reports of a
  // partial record look like what Mailtrap sent.
  for (const field of ['type', 'name', 'domain', 'value', 'status'] as const) {
    const value = r[field]
    if (value !== undefined) record[field] = value
  }
  return record
}

/** A zod error's first issues as `path: message`, for a one-line message. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path
      .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
      .join('')
      .replace(/^\./, '')
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  const more = error.issues.length - shown.length
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '')
}
