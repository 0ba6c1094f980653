import type { Severity } from './codes.js'
import { finding, statusOf } from './finding.js'
import type { ConfigDifference } from '../records/expected.js'
import type { Finding, RecordStatus } from './types.js'

/** Mailtrap's record statuses that mean its last check failed. */
const FAILED = new Set(['fail', 'missing', 'softfail', 'network_error'])

const fromMailtrap = { resolvers: ['mailtrap'] }

/**
 * Compare Mailtrap's own status of a record with the DNS verdict: Mailtrap re-checks about
 * hourly, so either may be behind. Pure; undefined when they agree or nothing can be said.
 */
export function mailtrapStatusFinding(
  key: string,
  dnsStatus: RecordStatus,
  mailtrapStatus: string | undefined
): Finding | undefined {
  const dnsRight = dnsStatus === 'pass' || dnsStatus === 'warn'
  if (dnsRight && (mailtrapStatus === undefined || mailtrapStatus === 'unchecked')) {
    return finding(
      'mailtrap-status',
      { kind: 'mailtrap-unchecked', key, ...(mailtrapStatus ? { status: mailtrapStatus } : {}) },
      { ...fromMailtrap, severity: 'notice', fix: [{ action: 'mailtrap-recheck', stale: false }] }
    )
  }
  if (mailtrapStatus === undefined) return undefined
  if (dnsRight && FAILED.has(mailtrapStatus)) {
    return finding(
      'mailtrap-status',
      { kind: 'mailtrap-stale', key, status: mailtrapStatus },
      { ...fromMailtrap, fix: [{ action: 'mailtrap-recheck', stale: true }] }
    )
  }
  if (dnsStatus === 'fail' && mailtrapStatus === 'pass') {
    return finding(
      'mailtrap-status',
      { kind: 'mailtrap-will-fail', key },
      { ...fromMailtrap, fix: [{ action: 'fix-before-recheck' }] }
    )
  }
  return undefined
}

/** A finding for what domains.yaml pins differently from Mailtrap's API. */
export function configDriftFinding(differences: ConfigDifference[]): Finding {
  return finding(
    'config-drift',
    { kind: 'config-drift', differences },
    { ...fromMailtrap, fix: [{ action: 'update-config' }] }
  )
}

/** A record's status once Mailtrap's findings are added to the DNS ones. */
export function statusWith(status: RecordStatus, findings: Finding[]): RecordStatus {
  const added = statusOf(findings)
  if (added === 'fail') return 'fail'
  return added === 'warn' && status === 'pass' ? 'warn' : status
}

/** The domain is in domains.yaml but not a sending domain of the Mailtrap account. */
export function notInAccountFinding(domain: string): Finding {
  return finding(
    'mailtrap-status',
    { kind: 'not-in-account', domain },
    { ...fromMailtrap, severity: 'error' as Severity, fix: [{ action: 'add-to-mailtrap' }] }
  )
}

/**
 * Only a `compliant` domain may send (DESIGN). Any other status says what the next step is: a
 * warning, so `--fail-on warning` gates on it, and an error under the release gate.
 */
export function complianceFinding(
  domain: string,
  complianceStatus: string,
  gate = false
): Finding | undefined {
  if (complianceStatus === 'compliant') return undefined
  return finding(
    'mailtrap-status',
    { kind: 'compliance', domain, status: complianceStatus },
    {
      ...fromMailtrap,
      severity: gate ? 'error' : 'warning',
      fix: [{ action: 'compliance', status: complianceStatus }]
    }
  )
}
