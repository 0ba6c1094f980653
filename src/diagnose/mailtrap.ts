import type { RecordKey } from '../config/schema.js'
import { DIAGNOSES, type DiagnosisCode } from './codes.js'
import type { Finding, RecordStatus } from './diagnose.js'

/** Mailtrap's record statuses that mean its last check failed. */
const FAILED = new Set(['fail', 'missing', 'softfail', 'network_error'])

function finding(
  code: DiagnosisCode,
  message: string,
  hint: string,
  severity = DIAGNOSES[code].severity
): Finding {
  return { code, severity, resolvers: ['mailtrap'], message, hint, seen: [] }
}

/**
 * Compare Mailtrap's own status of a record with the DNS verdict: Mailtrap re-checks about
 * hourly, so either may be behind. Pure; undefined when they agree or nothing can be said.
 */
export function mailtrapStatusFinding(
  key: RecordKey,
  dnsStatus: RecordStatus,
  mailtrapStatus: string | undefined
): Finding | undefined {
  const dnsRight = dnsStatus === 'pass' || dnsStatus === 'warn'
  if (dnsRight && (mailtrapStatus === undefined || mailtrapStatus === 'unchecked')) {
    return finding(
      'mailtrap-status',
      `Mailtrap has not checked the ${key} record yet${mailtrapStatus ? ' (status unchecked)' : ''}; DNS is right now.`,
      'Mailtrap checks about hourly; press "Re-check DNS Records" on the domain\'s page in Mailtrap to hurry it.',
      'notice'
    )
  }
  if (mailtrapStatus === undefined) return undefined
  if (dnsRight && FAILED.has(mailtrapStatus)) {
    return finding(
      'mailtrap-status',
      `DNS is right now, but Mailtrap's last check of the ${key} record said ${mailtrapStatus}: Mailtrap has not re-checked since the fix.`,
      'Press "Re-check DNS Records" on the domain\'s page in Mailtrap, or wait for its hourly check; until then Mailtrap does not count the record as verified.'
    )
  }
  if (dnsStatus === 'fail' && mailtrapStatus === 'pass') {
    return finding(
      'mailtrap-status',
      `Mailtrap's last check of the ${key} record passed, but DNS fails now: Mailtrap will mark it failing at its next check.`,
      'Fix the record as the other findings say before Mailtrap re-checks.'
    )
  }
  return undefined
}

/** A finding for what domains.yaml pins differently from Mailtrap's API. */
export function configDriftFinding(drift: string): Finding {
  return finding(
    'config-drift',
    `${drift}. The API's value is what is checked.`,
    'Update domains.yaml to match Mailtrap (or remove the pin), so checks without a token expect the same.'
  )
}

/** A record's status once Mailtrap's findings are added to the DNS ones. */
export function statusWith(status: RecordStatus, findings: Finding[]): RecordStatus {
  if (findings.some((f) => f.severity === 'error')) return 'fail'
  if (status === 'pass' && findings.some((f) => f.severity === 'warning')) return 'warn'
  return status
}

/** The domain is in domains.yaml but not a sending domain of the Mailtrap account. */
export function notInAccountFinding(domain: string): Finding {
  return finding(
    'mailtrap-status',
    `${domain} is not a sending domain of the Mailtrap account: Mailtrap will not send for it.`,
    'Add it in Mailtrap (Sending Domains, then Add Domain) and set its records, or remove it from domains.yaml.',
    'error'
  )
}

const COMPLIANCE_HINTS: Record<string, string> = {
  unverified_dns:
    'Fix the DNS records as the other findings say; Mailtrap verifies them within the hour, or at once with "Re-check DNS Records".',
  missing_company_info: "Fill in the company information in Mailtrap's compliance form.",
  awaiting_questionnaire: "Answer the compliance questionnaire on the domain's page in Mailtrap.",
  awaiting_card_verification: "Verify the payment card in Mailtrap's billing settings.",
  under_review: 'Mailtrap is reviewing the domain; nothing to do but wait.',
  demo: "This is Mailtrap's demo domain: add a domain of your own to send to anybody.",
  demo_exhausted: "The demo domain's quota is used up: add a domain of your own.",
  non_compliant: 'Mailtrap found the domain non-compliant: contact Mailtrap support.',
  suspended: 'Mailtrap suspended the domain: contact Mailtrap support.'
}

/**
 * Only a `compliant` domain may send (DESIGN). Any other status is a warning that says what
 * the next step is, so `--fail-on warning` gates a release on it.
 */
export function complianceFinding(domain: string, complianceStatus: string): Finding | undefined {
  if (complianceStatus === 'compliant') return undefined
  return finding(
    'mailtrap-status',
    `Mailtrap's compliance status of ${domain} is ${complianceStatus}: only compliant domains may send.`,
    COMPLIANCE_HINTS[complianceStatus] ?? "See the domain's page in Mailtrap for the next step.",
    'warning'
  )
}
