/** How much a finding matters; `--fail-on` compares against it. */
export type Severity = 'error' | 'warning' | 'notice'

/**
 * Every diagnosis code, in one place. Codes are stable: reports, docs/checks.md and users'
 * scripts refer to them. `severity` is the usual one; a few findings override it.
 */
export const DIAGNOSES = {
  ok: { severity: 'notice', title: 'The expected record is there with the expected value' },
  missing: { severity: 'error', title: 'Nothing at the expected name' },
  'wrong-value': { severity: 'error', title: 'Right name and type, other value' },
  'wrong-type': { severity: 'error', title: 'Another type of record where this one belongs' },
  'doubled-name': { severity: 'error', title: 'The zone was appended to a full name' },
  'value-suffixed': { severity: 'error', title: 'The zone was appended to the CNAME target' },
  'quoted-value': { severity: 'error', title: 'The TXT value holds literal quote characters' },
  proxied: { severity: 'error', title: 'A CNAME answers as A/AAAA: flattened or proxied' },
  duplicate: { severity: 'error', title: 'More than one record where one belongs' },
  conflict: {
    severity: 'error',
    title: "A CNAME beside other data, or another provider's record where this one belongs"
  },
  'dmarc-differs': { severity: 'warning', title: "A valid DMARC record that is not Mailtrap's" },
  'cname-chain': {
    severity: 'warning',
    title: 'The CNAME reaches the right target only through another CNAME'
  },
  propagating: {
    severity: 'warning',
    title: 'The authoritative servers are right; some caches still serve the old answer'
  },
  'not-delegated-here': {
    severity: 'error',
    title: 'The records are on servers the parent zone does not delegate the domain to'
  },
  inconsistent: {
    severity: 'warning',
    title: 'Resolvers disagree and no authoritative answer settles it'
  },
  'out-of-sync': { severity: 'warning', title: "The zone's authoritative servers disagree" },
  'lame-server': {
    severity: 'warning',
    title: 'A name server of the zone does not answer authoritatively'
  },
  unknown: { severity: 'warning', title: 'No conclusive answer' },
  'mailtrap-status': {
    severity: 'warning',
    title: "Mailtrap's own status of the record disagrees with what DNS shows"
  },
  'config-drift': {
    severity: 'warning',
    title: "domains.yaml pins a record that Mailtrap's API expects otherwise"
  },
  'zone-file': {
    severity: 'warning',
    title: 'The zone file reads here, but some DNS servers refuse to load it'
  },
  unconfigured: {
    severity: 'warning',
    title: 'The expected name is not known: run pull or set it in domains.yaml'
  }
} as const satisfies Record<string, { severity: Severity; title: string }>

export type DiagnosisCode = keyof typeof DIAGNOSES

/** Where docs/checks.md explains a code; reports link every finding here. */
export const CHECKS_DOC_URL =
  'https://github.com/mailtrap-dns-verify/mailtrap-dns-verify/blob/main/docs/checks.md'

export function docsLink(code: DiagnosisCode): string {
  return `${CHECKS_DOC_URL}#${code}`
}

const RANK: Record<Severity, number> = { notice: 0, warning: 1, error: 2 }

/** True when `severity` is at or above the `--fail-on` threshold. */
export function reaches(severity: Severity, threshold: 'error' | 'warning' | 'never'): boolean {
  return threshold !== 'never' && RANK[severity] >= RANK[threshold]
}
