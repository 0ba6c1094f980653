/**
 * The diagnosis as data: what was observed, what each rule concluded and what to change.
 * Findings carry facts and structured fixes, never finished sentences; `report/` words them
 * once per medium (text, Markdown, annotations). Shared by every diagnosis module, so none of
 * them imports another for its types.
 */
import type { DnsQuestion, QueryOutcome, ResolverKind } from '../dns/types.js'
import type { ConfigDifference, ExpectedRecord } from '../records/expected.js'
import type { DiagnosisCode, Severity } from './codes.js'
import type { DmarcDifference } from './dmarc-compare.js'
import type { DmarcProblem, DmarcReading } from './dmarc.js'

/** One question asked besides the main one, with its outcome. */
export interface Probe {
  question: DnsQuestion
  outcome: QueryOutcome
}

/** What one resolver answered for one expected record: the main question and any probes. */
export interface Observation {
  resolver: string
  kind: ResolverKind
  /** The resolver is a server of the zone's own NS set (not one pinned by the user). */
  listed?: boolean
  /** A pinned server the parent zone does not delegate the domain to (see `Delegation`). */
  undelegated?: Delegation
  /** The server referred the name to a child zone whose servers do not serve it. */
  lameDelegation?: LameDelegation
  /**
   * A CNAME chain in the answer leaves the zone at `end`, and nothing given to the run could
   * ask that zone's servers (`why`): the chain has no known end. `outcome` stays as given.
   */
  unfollowed?: { end: string; why: string }
  question: DnsQuestion
  outcome: QueryOutcome
  probes: Probe[]
}

/**
 * Where the parent zone sends resolvers and where the records are: a pinned server's zone whose
 * NS set shares no server with the NS set the caches see (the registrar's delegation).
 */
export interface Delegation {
  zone: string
  /** The NS names the caches see: where the parent delegates the zone. */
  delegatedTo: string[]
  /** The NS names the pinned server's own zone lists: the host that holds the records. */
  heldBy: string[]
}

/** A delegation whose servers do not serve the child zone: each of them and why. */
export interface LameDelegation {
  cut: string
  servers: { server: string; why: string }[]
}

/** A record as seen in an answer: the evidence a finding rests on. */
export interface SeenRecord {
  name: string
  type: string
  data: string
}

/** What one group of resolvers said, inside a fleet finding (propagating, out-of-sync, …). */
export interface ResolverGroup {
  resolvers: string[]
  code: DiagnosisCode
  detail: Detail
}

/**
 * The facts behind a finding, one variant per distinct situation. `kind` picks the sentence
 * `report/` writes for it; the other fields are what that sentence names.
 */
export type Detail =
  | { kind: 'unconfigured' }
  | { kind: 'no-answer'; error: string }
  | { kind: 'referral'; resolver: string; cut: string; servers: string[] }
  | { kind: 'rcode'; resolver: string; rcode: string }
  | { kind: 'missing'; name: string; rcode: string }
  | { kind: 'wildcard'; name: string; type: string; wildcard: string; answers: SeenRecord[] }
  | { kind: 'cname-ok'; name: string; target: string }
  | { kind: 'cname-beside-data'; name: string; target: string; others: SeenRecord[] }
  | { kind: 'value-suffixed'; name: string; target: string; expected: string }
  | { kind: 'swapped'; name: string; target: string; sibling: string; suffixed: boolean }
  | { kind: 'cname-loop'; name: string; target: string; chain: string[] }
  | { kind: 'cname-chain'; name: string; expected: string; chain: string[] }
  | { kind: 'chain-unfollowed'; name: string; end: string; why: string }
  | { kind: 'other-provider'; name: string; target: string; provider: string }
  | { kind: 'wrong-target'; name: string; target: string; expected: string }
  | {
      kind: 'doubled-name'
      name: string
      doubled: string
      apex: string
      type: string
      /** The doubled CNAME's target, when it is not the expected one either. */
      otherTarget?: string
      expected: string
    }
  | { kind: 'leftover-txt'; name: string; text: string }
  | { kind: 'target-as-txt'; name: string; expected: string }
  | { kind: 'txt-at-cname'; name: string; texts: string[] }
  | { kind: 'proxied'; name: string; addresses: SeenRecord[] }
  | { kind: 'cname-at-txt'; name: string; target: string }
  | { kind: 'dmarc-at-domain'; name: string; rcode: string; domain: string }
  | { kind: 'via-cname'; name: string; end: string; inner: Detail }
  | { kind: 'dmarc-via-cname'; name: string; end: string }
  | { kind: 'from-wildcard'; name: string; wildcard: string; inner: Detail }
  | { kind: 'quoted'; name: string; text: string }
  | { kind: 'duplicate'; name: string; count: number; record: 'DMARC' | 'SPF' }
  | { kind: 'no-dmarc'; name: string; texts: string[] }
  | {
      kind: 'dmarc-malformed'
      name: string
      problems: DmarcProblem[]
      outcome: DmarcReading['outcome']
    }
  | { kind: 'dmarc-differs'; name: string; differences: readonly DmarcDifference[] }
  | { kind: 'dmarc-ok'; name: string }
  | { kind: 'spf-missing'; name: string }
  | { kind: 'spf-ok'; name: string }
  | { kind: 'spf-lacks'; name: string; record: string; expected: string }
  | {
      kind: 'propagating'
      name: string
      groups: ResolverGroup[]
      seconds: number
      expiresAt: string
    }
  | { kind: 'inconsistent'; name: string; groups: ResolverGroup[] }
  | { kind: 'out-of-sync'; name: string; groups: ResolverGroup[] }
  | { kind: 'lame'; name: string; servers: { resolver: string; why: string }[] }
  | { kind: 'lame-delegation'; name: string; resolver: string; delegation: LameDelegation }
  | {
      kind: 'half-migrated'
      name: string
      right: string[]
      wrong: string[]
      groups: ResolverGroup[]
    }
  | { kind: 'not-delegated'; name: string; delegation: Delegation; groups: ResolverGroup[] }
  | { kind: 'mailtrap-unchecked'; key: string; status?: string }
  | { kind: 'mailtrap-stale'; key: string; status: string }
  | { kind: 'mailtrap-will-fail'; key: string }
  | { kind: 'config-drift'; differences: ConfigDifference[] }
  | { kind: 'mailtrap-unreachable'; error: string }
  | { kind: 'create-failed'; domain: string; error: string }
  | { kind: 'not-verified'; domain: string }
  | { kind: 'zone-file'; file: string; line: number; message: string }
  | { kind: 'zone-not-delegated'; zone: string; parent: string }
  | { kind: 'generic-ok'; name: string; type: string }
  | { kind: 'generic-wrong'; name: string; type: string; found: string[]; expected: string }
  | { kind: 'not-in-account'; domain: string }
  | { kind: 'compliance'; domain: string; status: string }

/** A record to create, change or remove: names are FQDNs, values as they go into DNS. */
export interface FixRecord {
  type: string
  name: string
  value?: string
}

/**
 * One step of a fix, as data. `report/` turns it into the words and form fields of the zone's
 * DNS host (names relative to the zone, trailing dots where the host needs them).
 */
export type FixStep =
  | { action: 'add'; record: FixRecord }
  | { action: 'set-value'; record: FixRecord; provider?: string }
  | { action: 'delete'; record: FixRecord; note?: 'old-beside-cname' | 'dmarc' }
  | { action: 'keep-only'; name: string; keep: string; drop: string[] }
  | { action: 'replace-with-txt'; record: FixRecord }
  | { action: 'keep-one'; record: FixRecord }
  | { action: 'merge-spf'; record: FixRecord }
  | { action: 'proxy-off'; record: FixRecord }
  | { action: 'pin-or-set'; record: FixRecord }
  | { action: 'wait'; until: string }
  | { action: 'retry-resolver' }
  /**
   * Give the run a cache resolver, so a chain into another zone can be followed; `direct`: a
   * step pointing the record straight at Mailtrap's target follows, as the other way.
   */
  | { action: 'follow-chain'; direct: boolean }
  | { action: 'retry-mailtrap' }
  | { action: 'delegate'; zone: string }
  | { action: 'fix-zone-file'; file: string; line: number }
  | { action: 'ask-authoritative' }
  | { action: 'fix-transfer' }
  | { action: 'fix-lame' }
  | { action: 'fix-delegation'; delegation: Delegation }
  | { action: 'fix-lame-delegation'; cut: string; servers: string[] }
  | { action: 'finish-migration'; right: string[]; wrong: string[] }
  | { action: 'set-verification' }
  | { action: 'mailtrap-recheck'; stale: boolean }
  | { action: 'fix-before-recheck' }
  | { action: 'update-config' }
  | { action: 'add-to-mailtrap' }
  | { action: 'compliance'; status: string }

/** One problem (or, for `ok`, the absence of one), resting on the resolvers that showed it. */
export interface Finding {
  code: DiagnosisCode
  severity: Severity
  resolvers: string[]
  detail: Detail
  /** The records the finding rests on. */
  seen: SeenRecord[]
  /** What to change, in order; empty when there is nothing to do. */
  fix: FixStep[]
  /** For `propagating`: when the last stale cached answer expires (ISO 8601). */
  expiresAt?: string
}

/** One resolver's conclusion before findings are merged across resolvers. */
export type Draft = Omit<Finding, 'resolvers'>

export type RecordStatus = 'pass' | 'warn' | 'fail' | 'unknown'

export interface RecordDiagnosis {
  status: RecordStatus
  /** False when the record could not be checked at all (its name is not known). */
  checked: boolean
  findings: Finding[]
  /** What each resolver's own answer said, in the order of the observations: the matrix. */
  verdicts: DiagnosisCode[]
}

/** What the diagnosis knows about the domain beyond one record's answers. */
export interface DiagnosisContext {
  /** The zone apex, from the SOA: where a doubled name lands, what names are relative to. */
  apex: string
  /** The domain's other expected records, to recognise swapped values. */
  siblings: ExpectedRecord[]
  /** When the answers were taken, to say when stale caches expire. */
  now: Date
}

/** An expected record whose name is known: the only kind that is asked about. */
export type Named = ExpectedRecord & { name: string }
