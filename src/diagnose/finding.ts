import type { DnsRecord } from '../dns/types.js'
import { DIAGNOSES, type DiagnosisCode, type Severity } from './codes.js'
import type { Detail, Draft, Finding, FixStep, RecordStatus, SeenRecord } from './types.js'

/** The one way to make a finding: the code's usual severity unless the situation says otherwise. */
export function finding(
  code: DiagnosisCode,
  detail: Detail,
  options: {
    resolvers?: string[]
    seen?: SeenRecord[]
    fix?: FixStep[]
    severity?: Severity
    expiresAt?: string
  } = {}
): Finding {
  const made: Finding = {
    ...draft(code, detail, options.fix, options.seen, options.severity),
    resolvers: options.resolvers ?? []
  }
  if (options.expiresAt) made.expiresAt = options.expiresAt
  return made
}

/** A finding of one resolver's answer, before the fleet's resolvers are named on it. */
export function draft(
  code: DiagnosisCode,
  detail: Detail,
  fix: FixStep[] = [],
  seen: SeenRecord[] = [],
  severity?: Severity
): Draft {
  return { code, severity: severity ?? DIAGNOSES[code].severity, detail, seen, fix }
}

/** Records as evidence. */
export function seenOf(records: DnsRecord[]): SeenRecord[] {
  return records.map((r) => ({ name: r.name, type: r.type, data: r.data }))
}

/**
 * The one mapping from findings to a status: any error fails; with nothing conclusive the
 * status is unknown; any warning warns; else it passes.
 */
export function statusOf(findings: readonly Finding[], inconclusive = false): RecordStatus {
  if (findings.some((f) => f.severity === 'error')) return 'fail'
  if (inconclusive) return 'unknown'
  if (findings.some((f) => f.severity === 'warning')) return 'warn'
  return 'pass'
}

const ORDER: Record<RecordStatus, number> = { pass: 0, warn: 1, unknown: 2, fail: 3 }

/** The worse of two statuses (fail over unknown over warn over pass). */
export function worse(a: RecordStatus, b: RecordStatus): RecordStatus {
  return ORDER[b] > ORDER[a] ? b : a
}
