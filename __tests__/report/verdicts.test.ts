// domainStatus and exitCodeFor loop over a fleet's domains as they are (issue 12): held here to
// the list-building form they replaced, for any mix of statuses, findings and unchecked records.
import fc from 'fast-check'
import { reaches } from '../../src/diagnose/codes.js'
import { statusOf, worse } from '../../src/diagnose/finding.js'
import type { Finding } from '../../src/diagnose/types.js'
import type { FindingReport } from '../../src/report/findings.js'
import {
  domainStatus,
  exitCodeFor,
  EXIT,
  type DomainReport,
  type DomainStatus,
  type RecordReport,
  type Report
} from '../../src/report/report.js'

function domainStatusByLists(records: RecordReport[], findings: Finding[] = []): DomainStatus {
  const fromRecords = records
    .filter((r) => r.checked)
    .reduce<DomainStatus>((worst, r) => worse(worst, r.status), 'pass')
  const unchecked = records.filter((r) => !r.checked).flatMap((r) => r.findings)
  return worse(worse(fromRecords, statusOf(findings)), statusOf(unchecked))
}

function exitCodeByLists(report: Report, failOn: 'error' | 'warning' | 'never'): number {
  const records = report.domains.flatMap((d) => d.records)
  const findings = [
    ...report.domains.flatMap((d) => d.findings ?? []),
    ...records.flatMap((r) => r.findings)
  ]
  if (findings.some((f) => f.code !== 'unknown' && reaches(f.severity, failOn)))
    return EXIT.findings
  const domainUnknown = report.domains.some((d) => d.findings.some((f) => f.code === 'unknown'))
  if (domainUnknown || records.some((r) => r.checked && r.status === 'unknown'))
    return EXIT.inconclusive
  return EXIT.pass
}

const status = fc.constantFrom<DomainStatus>('pass', 'warn', 'unknown', 'fail')
const finding = fc
  .record({
    code: fc.constantFrom('missing', 'unknown', 'wrong-value'),
    severity: fc.constantFrom('error', 'warning', 'info')
  })
  .map((f) => f as unknown as FindingReport)
const record = fc
  .record({
    status,
    checked: fc.boolean(),
    findings: fc.array(finding, { maxLength: 2 })
  })
  .map((r) => ({ ...r, observations: [] }) as unknown as RecordReport)
const domain = fc
  .record({
    status,
    records: fc.array(record, { maxLength: 4 }),
    findings: fc.array(finding, { maxLength: 2 })
  })
  .map((d) => d as unknown as DomainReport)

describe('the verdicts of a fleet, by loops', () => {
  it('domainStatus is what the list-building form says', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 5 }),
        fc.array(finding, { maxLength: 2 }),
        (r, f) => {
          const findings = f as unknown as Finding[]
          expect(domainStatus(r, findings)).toBe(domainStatusByLists(r, findings))
          expect(domainStatus(r)).toBe(domainStatusByLists(r))
        }
      ),
      { numRuns: 1000 }
    )
  })

  it('exitCodeFor is what the list-building form says', () => {
    fc.assert(
      fc.property(
        fc.array(domain, { maxLength: 4 }),
        fc.constantFrom('error', 'warning', 'never'),
        (domains, failOn) => {
          const report = { domains } as unknown as Report
          expect(exitCodeFor(report, failOn)).toBe(exitCodeByLists(report, failOn))
        }
      ),
      { numRuns: 1000 }
    )
  })
})
