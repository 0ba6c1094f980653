import type { DomainReport, RecordReport } from './report.js'

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
      ? []
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
