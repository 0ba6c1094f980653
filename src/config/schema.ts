import { z } from 'zod'
import { normalizeName, toAsciiName } from '../names/dns-names.js'
import {
  FAIL_ON,
  isHostLabels,
  isRelativeLabels,
  RECORD_KEYS,
  type RecordKey
} from './record-keys.js'

export {
  FAIL_ON,
  RECORD_KEYS,
  RESOLVER_PRESETS,
  type FailOn,
  type RecordKey
} from './record-keys.js'

/**
 * Builds the zod schemas. They are made on first use, not at import: building them costs about
 * as much as the rest of a one-domain start-up, and a config the fast path takes
 * (fast-config.ts) never needs them.
 */
function buildSchemas() {
  /** A host name; internationalised names are converted to punycode before they are checked. */
  const hostName = z
    .string()
    .transform(toAsciiName)
    .pipe(
      z
        .string()
        .min(1, 'a domain name is required')
        .max(253, 'a domain name has at most 253 characters')
        .refine(
          isHostLabels,
          'not a valid domain name (labels of letters, digits, hyphens, at least two labels)'
        )
    )

  /** A name relative to the sending domain, such as `mt07` or `rwmt1._domainkey`. */
  const relativeHost = z
    .string()
    .transform((name) => normalizeName(name.trim()))
    .pipe(
      z
        .string()
        .min(1)
        .refine(
          isRelativeLabels,
          'not a valid host name relative to the domain (e.g. mt07 or rwmt1._domainkey)'
        )
    )

  const pinnedRecord = z.strictObject({
    /** Relative host name, e.g. `mt07`; defaults per record key. */
    name: relativeHost.optional().describe('Host name relative to the domain, e.g. mt07'),
    /** The value Mailtrap expects: CNAME target or TXT text. */
    value: z.string().min(1).optional().describe('CNAME target or TXT text that Mailtrap expects')
  })

  const recordsSchema = z.strictObject(
    Object.fromEntries(RECORD_KEYS.map((key) => [key, pinnedRecord.optional()])) as Record<
      RecordKey,
      z.ZodOptional<typeof pinnedRecord>
    >
  )

  const domainObject = z.strictObject({
    name: hostName.describe('The sending domain, as added in Mailtrap'),
    zone: hostName
      .optional()
      .describe('The DNS zone that holds the records, when the domain lives inside a parent zone'),
    verification: relativeHost
      .optional()
      .describe('Host of the verification CNAME relative to the domain, e.g. mt07'),
    tracking: z
      .boolean()
      .optional()
      .describe('Expect the click-tracking CNAME (mt-link); default true'),
    create: z
      .boolean()
      .optional()
      .describe('Add the domain in Mailtrap when the account lacks it (needs a Mailtrap token)'),
    records: recordsSchema.optional().describe('Pin the expected name or value of any record')
  })

  /** `rate-limit` of a named resolver: its cap in questions per second (rate-cap.ts); 0 for none. */
  const rateLimit = z
    .number()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe('Questions per second to this resolver at most; 0 for no cap (default: none)')

  const resolverEntry = z.union([
    z
      .string()
      .min(1)
      .describe(
        'A preset (cloudflare, google, quad9, opendns, cloudflare-doh, google-doh), system, authoritative, or ip[:port]'
      ),
    z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash, underscore'),
      address: z.string().min(1).describe('ip or ip:port of a DNS server'),
      'rate-limit': rateLimit
    }),
    z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash, underscore'),
      doh: z
        .string()
        .regex(/^https?:\/\//, 'a DNS-over-HTTPS URL starts with https://')
        .describe(
          'URL of a DNS-over-HTTPS endpoint (RFC 8484), e.g. https://dns.example/dns-query'
        ),
      'rate-limit': rateLimit
    })
  ])

  const defaultsSchema = z.strictObject({
    resolvers: z.array(resolverEntry).min(1).optional(),
    'fail-on': z.enum(FAIL_ON).optional()
  })

  /** `domains.yaml`, schema version 1. */
  const config = z.strictObject({
    version: z.literal(1, { error: 'version must be 1' }),
    defaults: defaultsSchema.optional(),
    domains: z.array(z.union([hostName, domainObject])).min(1, 'list at least one domain')
  })

  return { config, defaults: defaultsSchema, pinnedRecord, resolverEntry }
}

type Schemas = ReturnType<typeof buildSchemas>
let schemas: Schemas | undefined

/** `domains.yaml`, schema version 1 (built on first call). */
export function configSchema(): Schemas['config'] {
  return (schemas ??= buildSchemas()).config
}

/** The `defaults:` mapping of `domains.yaml` (built on first call). */
export function defaultsSchema(): Schemas['defaults'] {
  return (schemas ??= buildSchemas()).defaults
}

export type RawConfig = z.infer<Schemas['config']>
export type PinnedRecord = z.infer<Schemas['pinnedRecord']>
export type ResolverEntry = z.infer<Schemas['resolverEntry']>
