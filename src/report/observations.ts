/**
 * What one resolver said for one record, as the report keeps it: the answer, its flags and the
 * probes that explain a miss. The engine's observations carry the raw outcomes; this is their
 * one translation into the report's shape.
 */
import type { Observation } from '../diagnose/types.js'
import type { DnsRecord, QueryOutcome } from '../dns/types.js'
import type { AnswerReport, ObservationReport } from './report.js'

function toAnswers(records: DnsRecord[]): AnswerReport[] {
  return records.map((r) => ({ name: r.name, type: r.type, data: r.data, ttl: r.ttl }))
}

function summarizeOutcome(
  outcome: QueryOutcome
): Pick<ObservationReport, 'rcode' | 'answers' | 'error'> {
  return outcome.ok
    ? { rcode: outcome.response.rcode, answers: toAnswers(outcome.response.answers) }
    : { rcode: null, answers: [], error: outcome.error }
}

/** The report's form of one observation (its verdict is added by the caller). */
export function toObservationReport(o: Observation): ObservationReport {
  const report: ObservationReport = {
    resolver: o.resolver,
    ...summarizeOutcome(o.outcome),
    authoritative: o.outcome.ok && o.outcome.response.flags.aa
  }
  const probes = o.probes.map((p) => ({
    name: p.question.name,
    type: p.question.type,
    ...summarizeOutcome(p.outcome)
  }))
  if (probes.length > 0) report.probes = probes
  return report
}
