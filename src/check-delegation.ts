/**
 * A zone that is not delegated yet: the name does not exist, and the only SOA to be had is the
 * top-level registry's (`com`). The fixes must not send the user to edit `com`: they are worded
 * for the zone the config names, and the domain says the delegation is what is missing.
 */
import type { DomainConfig } from './config/load-config.js'
import { finding } from './diagnose/finding.js'
import { renderBindSnippet } from './records/bind.js'
import { expandExpected } from './records/expected.js'
import { splitLabels } from './names/dns-names.js'
import { reportFinding, wordsFor, type FindingReport } from './report/findings.js'
import { domainStatus, type DomainReport } from './report/report.js'

/** True when the zone the checks found is a top-level domain above the configured zone. */
export function looksUndelegated(found: string, configured: string): boolean {
  return found !== configured && splitLabels(found).length === 1
}

export function withDelegation(report: DomainReport, domain: DomainConfig): DomainReport {
  if (!looksUndelegated(report.zone, domain.zone)) return report
  const parent = report.zone
  const zone = domain.zone
  const words = wordsFor(zone, report.dnsHost?.id)
  const again = (f: FindingReport): FindingReport => reportFinding(f, words)
  const records = report.records.map((r) => ({ ...r, findings: r.findings.map(again) }))
  const notDelegated = reportFinding(
    finding(
      'missing',
      { kind: 'zone-not-delegated', zone, parent },
      { severity: 'error', fix: [{ action: 'delegate', zone }] }
    ),
    words
  )
  const findings = [notDelegated, ...report.findings.map(again)]
  const expected = expandExpected(domain).records
  return {
    ...report,
    zone,
    records,
    findings,
    status: domainStatus(records, findings),
    ...(report.fix ? { fix: renderBindSnippet(report.domain, zone, expected) } : {})
  }
}
