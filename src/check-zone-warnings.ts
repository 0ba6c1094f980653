// Offline checks read zone files: what a file holds that some servers refuse to load is a
// warning on the domains whose records it holds.
import { basename } from 'node:path'
import { finding } from './diagnose/finding.js'
import type { ZoneWarning } from './dns/zone-file.js'
import { reportFinding, wordsFor } from './report/findings.js'
import { domainStatus, type DomainReport } from './report/report.js'

/** A zone file's warnings on the domains whose records it holds: they count as warnings. */
export function withZoneWarnings(
  report: DomainReport,
  warnings: readonly ZoneWarning[]
): DomainReport {
  if (warnings.length === 0) return report
  const mine = warnings.filter((w) => basename(w.file) === `${report.zone}.zone`)
  if (mine.length === 0) return report
  const words = wordsFor(report.zone, report.dnsHost?.id)
  const added = mine.map((w) =>
    reportFinding(
      finding(
        'zone-file',
        { kind: 'zone-file', file: w.file, line: w.line, message: w.message },
        {
          resolvers: ['zone-files'],
          fix: [{ action: 'fix-zone-file', file: w.file, line: w.line }]
        }
      ),
      words
    )
  )
  const findings = [...report.findings, ...added]
  return { ...report, findings, status: domainStatus(report.records, findings) }
}
