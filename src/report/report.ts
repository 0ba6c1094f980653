import type { ExpectedKey } from '../records/expected.js'
import { reaches, type DiagnosisCode } from '../diagnose/codes.js'
import { statusOf, worse } from '../diagnose/finding.js'
import type { Finding, RecordStatus } from '../diagnose/types.js'
import type { FindingReport } from './findings.js'
import type { Rcode, ResolverKind } from '../dns/types.js'

/** One answer as the report shows it. */
export interface AnswerReport {
  name: string
  type: string
  data: string
  ttl: number
}

/** What one resolver said about one record's name. */
export interface ObservationReport {
  resolver: string
  /** The response code, or `null` when no usable answer came (then `error` says why). */
  rcode: Rcode | null
  authoritative: boolean
  answers: AnswerReport[]
  error?: string
  /**
   * The server of another zone that gave this answer, where it was not `resolver` itself: the
   * delegated child's server behind a referral, or the server of a name the resolver refused.
   */
  server?: string
  /** What this resolver's answer alone says (`ok`, `missing`, …): one cell of the matrix. */
  verdict?: DiagnosisCode
  /** Extra questions asked to explain a miss (doubled name, other types at the name). */
  probes?: {
    name: string
    type: string
    rcode: Rcode | null
    answers: AnswerReport[]
    error?: string
    /** The server of another zone that answered, where it was not `resolver` itself. */
    server?: string
  }[]
  /**
   * A CNAME chain from the record's name, hop by hop as far as it was followed: each CNAME,
   * then the records at its end (or how the end answered), each with the server that gave it.
   * Present only when the chain was followed past the first CNAME.
   */
  chain?: ChainHopReport[]
}

/**
 * One hop of a CNAME chain: a record (with `ttl` and `data`), or, at the chain's end, the
 * question asked there that found no record (with `rcode`, and `error` when none came).
 */
export interface ChainHopReport {
  name: string
  type: string
  ttl?: number
  data?: string
  /** The resolver asked, or the server of another zone that answered for it. */
  server: string
  rcode?: Rcode | null
  error?: string
}

export interface RecordReport {
  key: ExpectedKey
  type: 'CNAME' | 'TXT' | (string & {})
  /** FQDN, or null when the name is not known (verification host without pull or config). */
  name: string | null
  expected: string
  /** Where the expected value came from: mailtrap, config or default. */
  source: 'mailtrap' | 'config' | 'default'
  status: RecordStatus
  checked: boolean
  findings: FindingReport[]
  observations: ObservationReport[]
}

export type DomainStatus = RecordStatus

export interface DomainReport {
  domain: string
  /** The zone apex that holds the records (from the SOA, else the config's `zone`). */
  zone: string
  /** Line of the domain in the config file. */
  line: number
  status: DomainStatus
  records: RecordReport[]
  /** Findings about the domain as a whole (Mailtrap's account and compliance status). */
  findings: FindingReport[]
  /** The zone's NS names, and the DNS host they belong to, when recognised. */
  nameServers: string[]
  dnsHost: { id: string; name: string } | null
  /** For a failing domain: its records as they should be, as a BIND zone-file snippet. */
  fix?: string
  /** The zone's own servers, when they were discovered (resolver `authoritative`). */
  authoritative?: { zone: string; servers: string[]; error?: string }
  /**
   * Mailtrap's own view of the domain: null without a token; `found: false` when the account
   * has no such sending domain; `error` when the API could not be read.
   */
  mailtrap: MailtrapReport | { found: false } | { error: string } | null
}

/** What Mailtrap's API says of a domain. Only `compliant` domains may send. */
export interface MailtrapReport {
  id: number
  complianceStatus: string
  canSend: boolean
  dnsVerified: boolean
  dnsVerifiedAt: string | null
}

/** The JSON report, schema version 1 (DESIGN "Contracts"). Fields may be added, never removed. */
export interface Report {
  schemaVersion: 1
  tool: { name: string; version: string }
  generatedAt: string
  config: string
  resolvers: { name: string; kind: ResolverKind; address: string }[]
  summary: { domains: number; pass: number; warn: number; fail: number; unknown: number }
  /** SHA-256 of the config file's text: merged shards must come from the same config. */
  configDigest?: string
  /** The slice of the domains this run checked (`--shard k/n`); absent for all of them. */
  shard?: { index: number; count: number }
  /** The round's deadline passed: the questions still open then were given up on (unknown). */
  deadlinePassed?: boolean
  /** The `--fail-on` threshold the exit code was decided by. */
  failOn?: 'error' | 'warning' | 'never'
  domains: DomainReport[]
}

/**
 * A domain is as bad as its worst checked record, or its own findings, or the findings of a
 * record that could not be checked (the verification host not known: not a pass).
 */
export function domainStatus(
  records: RecordReport[],
  findings: readonly Finding[] = NO_FINDINGS
): DomainStatus {
  // One pass and no array, unless a record is unchecked: a fleet asks this of every domain.
  let fromRecords: DomainStatus = 'pass'
  let unchecked: FindingReport[] | undefined
  for (const r of records) {
    if (r.checked) fromRecords = worse(fromRecords, r.status)
    else (unchecked ??= []).push(...r.findings)
  }
  return worse(worse(fromRecords, statusOf(findings)), statusOf(unchecked ?? NO_FINDINGS))
}

const NO_FINDINGS: readonly never[] = []

export function summarize(domains: DomainReport[]): Report['summary'] {
  const count = (status: DomainStatus): number => domains.filter((d) => d.status === status).length
  return {
    domains: domains.length,
    pass: count('pass'),
    warn: count('warn'),
    fail: count('fail'),
    unknown: count('unknown')
  }
}

/** Exit codes of the CLI and the action's verdict. */
export const EXIT = { pass: 0, findings: 1, usage: 2, inconclusive: 3 } as const

/**
 * 1 when any finding reaches `failOn`; else 3 when a checked record has no conclusive
 * answer; else 0. `unknown` findings decide 3, never 1: an unreachable resolver is not a DNS
 * mistake, whatever `--fail-on` says.
 */
export function exitCodeFor(report: Report, failOn: 'error' | 'warning' | 'never'): number {
  // Loops over the domains as they are, not lists of every record and finding built first: a
  // fleet's report holds 50,000 records.
  const fails = (f: FindingReport): boolean => f.code !== 'unknown' && reaches(f.severity, failOn)
  for (const d of report.domains) {
    if ((d.findings ?? []).some(fails)) return EXIT.findings
  }
  for (const d of report.domains) {
    for (const r of d.records) if (r.findings.some(fails)) return EXIT.findings
  }
  const domainUnknown = report.domains.some((d) => d.findings.some((f) => f.code === 'unknown'))
  if (domainUnknown || report.domains.some((d) => d.records.some(checkedUnknown)))
    return EXIT.inconclusive
  return EXIT.pass
}

const checkedUnknown = (r: RecordReport): boolean => r.checked && r.status === 'unknown'

/** Domains whose status is fail, for the `failed-domains` output. */
export function failedDomains(report: Report): string[] {
  return report.domains.filter((d) => d.status === 'fail').map((d) => d.domain)
}

/**
 * The release gate: every domain DNS-verified and compliant in Mailtrap. Undefined when a
 * domain's Mailtrap view is not known (no token, or the API could not be asked).
 */
export function verifiedAll(report: Report): boolean | undefined {
  let known = true
  const verified = report.domains.every((d) => {
    const m = d.mailtrap
    if (!m || 'error' in m) {
      known = false
      return true
    }
    return !('found' in m) && m.dnsVerified && m.complianceStatus === 'compliant'
  })
  return verified ? (known ? true : undefined) : false
}
