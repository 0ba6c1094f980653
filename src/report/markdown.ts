import type { RecordStatus } from '../diagnose/types.js'
import { RECORD_LABELS } from '../records/expected.js'
import { wordsFor, type FindingReport } from './findings.js'
import type { FixWords } from './fix-words.js'
import { escapeMarkdown, toMarkdown } from './rich.js'
import type { DomainReport, RecordReport, Report } from './report.js'
import { describe, fixText } from './wording.js'

const ICON: Record<RecordStatus, string> = { pass: '✅', warn: '⚠️', fail: '❌', unknown: '❔' }

/** A value shown as code, escaped like any untrusted text. */
function code(text: string): string {
  return `<code>${escapeMarkdown(text)}</code>`
}

function headline(report: Report): string {
  const { summary } = report
  const parts = [`${summary.pass} pass`]
  if (summary.warn) parts.push(`${summary.warn} with warnings`)
  if (summary.fail) parts.push(`${summary.fail} failing`)
  if (summary.unknown) parts.push(`${summary.unknown} inconclusive`)
  const icon = summary.fail
    ? ICON.fail
    : summary.unknown
      ? ICON.unknown
      : summary.warn
        ? ICON.warn
        : ICON.pass
  return `## ${icon} Mailtrap DNS check: ${summary.domains} domain${summary.domains === 1 ? '' : 's'}, ${parts.join(', ')}`
}

function statusCell(record: RecordReport | undefined): string {
  if (!record) return '–'
  if (!record.checked) return `${ICON.unknown} not known`
  const codes = [
    ...new Set(record.findings.filter((f) => f.severity !== 'notice').map((f) => f.code))
  ]
  return `${ICON[record.status]} ${codes.length ? codes.join(', ') : 'ok'}`
}

const COLUMNS = ['verification', 'dkim1', 'dkim2', 'link_verification', 'dmarc'] as const

/** Mailtrap's own word on a domain, for the overview: may it send? */
export function mailtrapSummary(d: DomainReport): string {
  const m = d.mailtrap
  if (!m) return '–'
  if ('error' in m) return `❔ API error`
  if ('found' in m) return '❌ not in the account'
  const verified = m.dnsVerified ? 'DNS verified' : 'DNS not verified'
  return `${m.canSend ? '✅' : '❌'} ${escapeMarkdown(m.complianceStatus)}, ${verified}`
}

function overview(report: Report): string[] {
  const withMailtrap = report.domains.some((d) => d.mailtrap !== null)
  const extra = withMailtrap ? ' Mailtrap |' : ''
  const lines = [
    `| Domain | Status | ${COLUMNS.map((k) => RECORD_LABELS[k]).join(' | ')} |${extra}`,
    `|---|---|${COLUMNS.map(() => '---').join('|')}|${withMailtrap ? '---|' : ''}`
  ]
  for (const d of report.domains) {
    const cells = COLUMNS.map((key) => statusCell(d.records.find((r) => r.key === key)))
    if (withMailtrap) cells.push(mailtrapSummary(d))
    lines.push(
      `| ${escapeMarkdown(d.domain)} | ${ICON[d.status]} ${d.status} | ${cells.join(' | ')} |`
    )
  }
  return lines
}

/** A finding's fix in Markdown: from its steps, or its plain hint when it has no steps. */
function fixMarkdown(finding: FindingReport, words: FixWords): string {
  return finding.fix.length > 0 ? toMarkdown(fixText(finding.fix, words)) : ''
}

function domainDetails(d: DomainReport): string[] {
  const words = wordsFor(d.zone, d.dnsHost?.id)
  const lines = [`### ${ICON[d.status]} ${escapeMarkdown(d.domain)}`, '']
  lines.push('| Record | Type | Name | Expected | Status |', '|---|---|---|---|---|')
  for (const r of d.records) {
    lines.push(
      `| ${RECORD_LABELS[r.key]} | ${r.type} | ${r.name ? code(r.name) : '_not known_'} | ${code(r.expected)} | ${statusCell(r)} |`
    )
  }
  const findings = [
    ...d.findings.map((f) => ({ label: 'Domain', finding: f })),
    ...d.records.flatMap((r) =>
      r.findings.map((f) => ({ label: RECORD_LABELS[r.key], finding: f }))
    )
  ]
  if (findings.length > 0) {
    lines.push('')
    for (const { label, finding } of findings) {
      const who = finding.resolvers.length
        ? ` (${finding.resolvers.map(escapeMarkdown).join(', ')})`
        : ''
      lines.push(
        `- **${label}** [\`${finding.code}\`](${finding.docs}) ${finding.severity}${who}: ${toMarkdown(describe(finding.detail))}`
      )
      const fix = fixMarkdown(finding, words)
      if (fix) lines.push(`  - Fix: ${fix}`)
    }
  }
  if (d.mailtrap && 'error' in d.mailtrap) {
    lines.push('', `Mailtrap could not be asked: ${escapeMarkdown(d.mailtrap.error)}`)
  }
  if (d.fix) lines.push('', ...fixBlock(d))
  const observed = d.records.filter((r) => r.observations.length > 0)
  const resolvers = [...new Set(observed.flatMap((r) => r.observations.map((o) => o.resolver)))]
  if (resolvers.length > 1) lines.push('', ...matrix(observed, resolvers))
  if (d.authoritative?.error) {
    lines.push(
      '',
      `Authoritative servers of ${escapeMarkdown(d.zone)} not found: ${escapeMarkdown(d.authoritative.error)}`
    )
  }
  if (observed.length > 0) {
    lines.push('', '<details><summary>What each resolver answered</summary>', '')
    lines.push('| Record | Resolver | Answer |', '|---|---|---|')
    for (const r of observed) {
      for (const o of r.observations) {
        const answer = o.error
          ? escapeMarkdown(o.error)
          : o.answers.length
            ? o.answers.map((a) => code(`${a.type} ${a.data} (TTL ${a.ttl})`)).join('<br>')
            : String(o.rcode)
        lines.push(`| ${RECORD_LABELS[r.key]} | ${escapeMarkdown(o.resolver)} | ${answer} |`)
      }
    }
    lines.push('', '</details>')
  }
  return lines
}

/** The records as they should be, as a BIND snippet in a fence no value can close. */
function fixBlock(d: DomainReport): string[] {
  const longest = Math.max(2, ...[...(d.fix ?? '').matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const host = d.dnsHost ? ` (DNS host: ${escapeMarkdown(d.dnsHost.name)})` : ''
  return [
    `<details><summary>The records as they should be, for the zone ${escapeMarkdown(d.zone)}${host}</summary>`,
    '',
    `${fence}dns`,
    (d.fix ?? '').trimEnd(),
    fence,
    '',
    '</details>'
  ]
}

/** Records × resolvers: what each resolver's own answer said, authoritative servers first. */
function matrix(records: RecordReport[], resolvers: string[]): string[] {
  const lines = [
    `| Record | ${resolvers.map(escapeMarkdown).join(' | ')} |`,
    `|---|${resolvers.map(() => '---').join('|')}|`
  ]
  for (const r of records) {
    const cells = resolvers.map((name) => {
      const verdict = r.observations.find((o) => o.resolver === name)?.verdict
      if (!verdict) return '–'
      return verdict === 'ok' ? '✅' : verdict === 'unknown' ? '❔ unknown' : `❌ ${verdict}`
    })
    lines.push(`| ${RECORD_LABELS[r.key]} | ${cells.join(' | ')} |`)
  }
  return lines
}

/**
 * The report as Markdown: the job summary and the PR comment show exactly this. It carries no
 * time stamp, so an unchanged result leaves the pull request comment untouched.
 * Pure; every piece of text that came from DNS or an API is escaped.
 */
export function renderMarkdown(report: Report): string {
  const lines = [headline(report), '', ...overview(report)]
  for (const d of report.domains) {
    if (d.status === 'pass' && d.records.every((r) => r.checked)) continue
    lines.push('', ...domainDetails(d))
  }
  lines.push(
    '',
    `<sub>${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · resolvers: ${report.resolvers.map((r) => escapeMarkdown(r.name)).join(', ')}</sub>`
  )
  return lines.join('\n') + '\n'
}
