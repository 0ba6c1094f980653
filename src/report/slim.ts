import type { DomainReport, RecordReport } from './report.js'

/**
 * The one empty list a report's plain parts share (no findings, no observations kept, no name
 * servers looked up): a 10,000-domain fleet otherwise keeps a dozen empty arrays per domain to
 * the end of the run. Frozen, so a change in place fails loudly rather than reaching every
 * domain.
 */
export const NONE: never[] = Object.freeze([]) as unknown as never[]

/**
 * A streamed domain as the report keeps it in memory: a passing domain whose every record was
 * checked keeps, of each resolver's observation, its verdict, rcode, error and chain, not the
 * answers and probes (the JSON report has those), and a record every resolver found right
 * without a word keeps none: the text, Markdown and annotations show such a domain the same
 * either way (they show a passing record's observations only where verdicts differ or a chain
 * was followed). Every other domain is kept whole.
 */
export function slim(report: DomainReport): DomainReport {
  if (report.status !== 'pass' || !report.records.every((r) => r.checked)) return report
  return { ...report, records: report.records.map(slimRecord) }
}

function slimRecord(r: RecordReport): RecordReport {
  const plain =
    r.findings.length === 0 &&
    r.observations.every((o) => o.verdict === 'ok' && o.chain === undefined)
  return {
    ...r,
    observations: plain
      ? NONE
      : r.observations.map((o) => ({
          resolver: o.resolver,
          rcode: o.rcode,
          authoritative: o.authoritative,
          answers: [],
          ...(o.error === undefined ? {} : { error: o.error }),
          ...(o.verdict === undefined ? {} : { verdict: o.verdict }),
          ...(o.chain === undefined ? {} : { chain: o.chain })
        }))
  }
}
