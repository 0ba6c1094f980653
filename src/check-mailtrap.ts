/**
 * Mailtrap's side of a domain's report: its current state, how it differs from DNS and the
 * config, and, for a release, whether it is verified and may send.
 */
import type { DomainConfig } from './config/load-config.js'
import { UsageError } from './errors.js'
import { finding } from './diagnose/finding.js'
import {
  complianceFinding,
  configDriftFinding,
  mailtrapStatusFinding,
  notInAccountFinding,
  statusWith
} from './diagnose/mailtrap.js'
import type { Finding } from './diagnose/types.js'
import { configDrift, type ApiExpectation } from './records/expected.js'
import { reportFinding, wordsFor } from './report/findings.js'
import { domainStatus, type DomainReport } from './report/report.js'

/** One sending domain as Mailtrap's API describes it, reduced to what the checks use. */
export interface MailtrapDomainView extends ApiExpectation {
  name: string
  id: number
  complianceStatus: string
  dnsVerified: boolean
  dnsVerifiedAt: string | null
}

/**
 * Reads the account's sending domains, one domain's current state, and adds a domain. A failure the user must fix (token refused, several
 * accounts) is thrown as a UsageError; any other failure is thrown as an Error and the check
 * goes on without Mailtrap, saying why in the report.
 */
export interface MailtrapPort {
  domains(): Promise<MailtrapDomainView[]>
  /** The domain as Mailtrap sees it now (GET): the report shows its current state. */
  domain?(id: number): Promise<MailtrapDomainView>
  /** Adds a sending domain (opt-in only) and returns it with the records to publish. */
  create?(name: string): Promise<MailtrapDomainView>
}

/** The account's domains by name, or why they could not be read. */
export interface MailtrapRead {
  views?: Map<string, MailtrapDomainView>
  error?: string
}

export async function readMailtrap(port: MailtrapPort | undefined): Promise<MailtrapRead> {
  if (!port) return {}
  try {
    const views = await port.domains()
    return { views: new Map(views.map((v) => [v.name.toLowerCase(), v])) }
  } catch (error) {
    if (error instanceof UsageError) throw error
    return { error: (error as Error).message }
  }
}

/** What the run asks of Mailtrap beyond its view: the release gate, and the opt-in create. */
export interface MailtrapGate {
  requireVerified: boolean
  create: boolean
  createAllowed: boolean
}

/** A domain's report with Mailtrap's side added. */
export async function joinMailtrap(
  report: DomainReport,
  domain: DomainConfig,
  listed: MailtrapDomainView | undefined,
  read: MailtrapRead,
  port: MailtrapPort | undefined,
  gate: MailtrapGate
): Promise<DomainReport> {
  const words = wordsFor(report.zone, report.dnsHost?.id)
  const add = (findings: Finding[]): DomainReport => {
    const all = [...report.findings, ...findings.map((f) => reportFinding(f, words))]
    return { ...report, findings: all, status: domainStatus(report.records, all) }
  }
  if (!read.views) {
    if (!read.error) return report
    // The API could not be asked: a warning that counts under --fail-on warning; under the
    // release gate nothing is known about verification, so the run is inconclusive.
    const unreachable = finding(
      gate.requireVerified ? 'unknown' : 'mailtrap-status',
      { kind: 'mailtrap-unreachable', error: read.error },
      { resolvers: ['mailtrap'], severity: 'warning', fix: [{ action: 'retry-mailtrap' }] }
    )
    return { ...add([unreachable]), mailtrap: { error: read.error } }
  }
  let view = listed
  if (!view && port?.create && gate.createAllowed && (gate.create || domain.create)) {
    try {
      view = await port.create(domain.name)
    } catch (error) {
      if (error instanceof UsageError) throw error
      return add([
        finding(
          'mailtrap-status',
          { kind: 'create-failed', domain: domain.name, error: (error as Error).message },
          { resolvers: ['mailtrap'], severity: 'error', fix: [{ action: 'add-to-mailtrap' }] }
        )
      ])
    }
  }
  if (!view) return { ...add([notInAccountFinding(domain.name)]), mailtrap: { found: false } }
  if (view === listed && port?.domain) {
    // Mailtrap's view as of now, not as of the list read before the DNS check.
    view = await port.domain(view.id).catch(() => view!)
  }
  return withMailtrap(report, domain, view, gate)
}

/** Add Mailtrap's own view to a domain's report: its status and how it differs from DNS. */
function withMailtrap(
  report: DomainReport,
  domain: DomainConfig,
  view: MailtrapDomainView,
  gate: MailtrapGate
): DomainReport {
  const drift = configDrift(domain, view)
  const words = wordsFor(report.zone, report.dnsHost?.id)
  const records = report.records.map((record) => {
    const extra: Finding[] = []
    const differences = drift.get(record.key)
    if (differences) extra.push(configDriftFinding(differences))
    const apiRecord = view.records.find((r) => r.key === record.key)
    const status = record.checked
      ? mailtrapStatusFinding(record.key, record.status, apiRecord?.status)
      : undefined
    if (status) extra.push(status)
    if (extra.length === 0) return record
    return {
      ...record,
      status: statusWith(record.status, extra),
      findings: [...record.findings, ...extra.map((f) => reportFinding(f, words))]
    }
  })
  // Drift about a record that is not checked here (tracking the config expects, the API not).
  const unplaced = [...drift]
    .filter(([key]) => !report.records.some((r) => r.key === key))
    .map(([, differences]) => configDriftFinding(differences))
  const compliance = complianceFinding(domain.name, view.complianceStatus, gate.requireVerified)
  const unverified =
    gate.requireVerified && !view.dnsVerified
      ? [
          finding(
            'mailtrap-status',
            { kind: 'not-verified', domain: domain.name },
            {
              resolvers: ['mailtrap'],
              severity: 'error',
              fix: [{ action: 'mailtrap-recheck', stale: true }]
            }
          )
        ]
      : []
  const findings = [
    ...report.findings,
    ...[...unplaced, ...unverified, ...(compliance ? [compliance] : [])].map((f) =>
      reportFinding(f, words)
    )
  ]
  return {
    ...report,
    records,
    findings,
    status: domainStatus(records, findings),
    mailtrap: {
      id: view.id,
      complianceStatus: view.complianceStatus,
      canSend: view.complianceStatus === 'compliant',
      dnsVerified: view.dnsVerified,
      dnsVerifiedAt: view.dnsVerifiedAt
    }
  }
}
