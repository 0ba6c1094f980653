import type { RecordStatus } from '../diagnose/types.js'
import { recordLabel } from '../records/expected.js'
import { wordsFor, type FindingReport } from './findings.js'
import type { FixWords } from './fix-words.js'
import { escapeMarkdown, toMarkdown } from './rich.js'
import { isSilence, silentResolvers } from './silence.js'
import { printable } from '../text/printable.js'
import type { ChainHopReport, DomainReport, RecordReport, Report } from './report.js'
import { chainsOf } from './observations.js'
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

function overviewHead(withMailtrap: boolean): string[] {
  const extra = withMailtrap ? ' Mailtrap |' : ''
  return [
    `| Domain | Status | ${COLUMNS.map((k) => recordLabel(k)).join(' | ')} |${extra}`,
    `|---|---|${COLUMNS.map(() => '---').join('|')}|${withMailtrap ? '---|' : ''}`
  ]
}

function overviewRow(d: DomainReport, withMailtrap: boolean): string {
  const cells = COLUMNS.map((key) => statusCell(d.records.find((r) => r.key === key)))
  if (withMailtrap) cells.push(mailtrapSummary(d))
  return `| ${escapeMarkdown(d.domain)} | ${ICON[d.status]} ${d.status} | ${cells.join(' | ')} |`
}

/** A finding's fix in Markdown: from its steps, or its plain hint when it has no steps. */
function fixMarkdown(finding: FindingReport, words: FixWords): string {
  return finding.fix.length > 0 ? toMarkdown(fixText(finding.fix, words)) : ''
}

function domainDetails(d: DomainReport, detail: Detail): string[] {
  const words = wordsFor(d.zone, d.dnsHost?.id)
  const lines = [`### ${ICON[d.status]} ${escapeMarkdown(d.domain)}`, '']
  lines.push('| Record | Type | Name | Expected | Status |', '|---|---|---|---|---|')
  for (const r of d.records) {
    lines.push(
      `| ${recordLabel(r.key)} | ${r.type} | ${r.name ? code(r.name) : '_not known_'} | ${code(r.expected)} | ${statusCell(r)} |`
    )
  }
  const findings: { label: string; finding: FindingReport; record?: RecordReport }[] = [
    ...d.findings.map((f) => ({ label: 'Domain', finding: f })),
    ...d.records.flatMap((r) =>
      r.findings
        .filter((f) => !isSilence(f))
        .map((f) => ({ label: recordLabel(r.key), finding: f, record: r }))
    )
  ]
  if (findings.length > 0) {
    lines.push('')
    for (const { label, finding, record } of findings) {
      const who = finding.resolvers.length
        ? ` (${finding.resolvers.map(escapeMarkdown).join(', ')})`
        : ''
      lines.push(
        `- **${label}** [\`${finding.code}\`](${finding.docs}) ${finding.severity}${who}: ${toMarkdown(describe(finding.detail))}`
      )
      const fix = fixMarkdown(finding, words)
      if (fix) lines.push(`  - Fix: ${fix}`)
      if (record && detail.answers) {
        for (const o of chainsOf(record, finding.resolvers))
          lines.push(`  - Chain (${escapeMarkdown(o.resolver)}): ${chainMarkdown(o.chain)}`)
      }
    }
  }
  // A chain whose end could not be asked leaves its resolver silent for the record: the chain
  // is still shown, as far as it went.
  const unfollowed = detail.answers
    ? d.records.flatMap((r) =>
        chainsOf(
          r,
          r.findings.filter(isSilence).flatMap((f) => f.resolvers)
        ).map((o) => ({ r, o }))
      )
    : []
  if (unfollowed.length > 0 && findings.length === 0) lines.push('')
  for (const { r, o } of unfollowed) {
    lines.push(
      `- **${recordLabel(r.key)}** chain (${escapeMarkdown(o.resolver)}), not followed to its end: ${chainMarkdown(o.chain)}`
    )
  }
  if (d.mailtrap && 'error' in d.mailtrap) {
    lines.push('', `Mailtrap could not be asked: ${escapeMarkdown(d.mailtrap.error)}`)
  }
  if (d.fix && detail.snippets) lines.push('', ...fixBlock(d))
  const observed = detail.answers ? d.records.filter((r) => r.observations.length > 0) : []
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
        lines.push(`| ${recordLabel(r.key)} | ${escapeMarkdown(o.resolver)} | ${answer} |`)
      }
    }
    lines.push('', '</details>')
  }
  return lines
}

/** A chain in Markdown: each hop as code, with its TTL and the server that answered it. */
function chainMarkdown(chain: ChainHopReport[]): string {
  return chain
    .map((h) => {
      const server = escapeMarkdown(h.server)
      if (h.data === undefined)
        return `${code(`${h.name} ${h.type}`)}: ${escapeMarkdown(String(h.rcode ?? 'no answer'))} (${server})`
      const data = h.type === 'TXT' ? `"${h.data}"` : h.data
      return `${code(`${h.name} ${h.type} ${data}`)} (TTL ${h.ttl}, ${server})`
    })
    .join(' → ')
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
    (d.fix ?? '')
      .trimEnd()
      .split('\n')
      .map((line) => printable(line))
      .join('\n'),
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
    lines.push(`| ${recordLabel(r.key)} | ${cells.join(' | ')} |`)
  }
  return lines
}

/** How much of the report a rendering shows; cut in this order when it does not fit. */
interface Detail {
  /** Per-resolver matrices and what each resolver answered. */
  answers: boolean
  /** The BIND snippet of each failing domain. */
  snippets: boolean
  /** A row for each passing domain (else their count, or their names in a list). */
  passingRows: boolean
  /** The passing domains' names, when their rows are cut. */
  passingNames: boolean
  /** Details for at most this many domains that are not passing, worst first. */
  detailed: number
  /** Overview rows for at most this many domains that are not passing (the rest: names). */
  rows: number
}

/** Failing first, then inconclusive, then warnings, then passing; config order within each. */
const RANK: Record<RecordStatus, number> = { fail: 0, unknown: 1, warn: 2, pass: 3 }

function worstFirst(domains: DomainReport[]): DomainReport[] {
  return domains
    .map((d, i) => ({ d, i }))
    .sort((a, b) => RANK[a.d.status] - RANK[b.d.status] || a.i - b.i)
    .map(({ d }) => d)
}

/** A domain needs details when it is not passing, or a record could not be checked. */
const needsDetails = (d: DomainReport): boolean =>
  d.status !== 'pass' || d.records.some((r) => !r.checked)

/**
 * What every rendering of one report shares, each piece made once and at first need: the
 * domains in order, each one's overview row and details (per kind of detail), their measures.
 * The fit below renders the report a few dozen times; a fleet of 10,000 failing domains made
 * each of those renderings whole (up to 100 MB of text each, 15 s and 500 MB at 10,000 failing
 * domains), where the pieces are now made once and only as far as the limit reaches.
 */
class Pieces {
  readonly ordered: DomainReport[]
  readonly open: DomainReport[]
  readonly passing: DomainReport[]
  readonly detailed: DomainReport[]
  readonly withFix: boolean
  private readonly rows = new Map<DomainReport, string>()
  private readonly names = new Map<DomainReport, string>()
  private readonly detailTexts = new Map<string, Map<DomainReport, string>>()
  private readonly measures = new Map<string, number>()
  private silent: string[] | undefined
  private passingNames: string | undefined

  constructor(
    readonly report: Report,
    private readonly measure: (text: string) => number
  ) {
    this.ordered = worstFirst(report.domains)
    this.open = this.ordered.filter((d) => d.status !== 'pass')
    this.passing = this.ordered.filter((d) => d.status === 'pass')
    this.detailed = this.ordered.filter(needsDetails)
    this.withFix = report.domains.some((d) => d.fix)
  }

  /** The measure of `text`, each distinct text measured once. */
  size(text: string): number {
    let size = this.measures.get(text)
    if (size === undefined) {
      size = this.measure(text)
      this.measures.set(text, size)
    }
    return size
  }

  name(d: DomainReport): string {
    let name = this.names.get(d)
    if (name === undefined) {
      name = escapeMarkdown(d.domain)
      this.names.set(d, name)
    }
    return name
  }

  row(d: DomainReport, withMailtrap: boolean): string {
    let row = this.rows.get(d)
    if (row === undefined) {
      row = overviewRow(d, withMailtrap)
      this.rows.set(d, row)
    }
    return row
  }

  /** A domain's details as one block of lines. */
  details(d: DomainReport, detail: Detail): string {
    const kind = `${detail.answers} ${detail.snippets}`
    let byDomain = this.detailTexts.get(kind)
    if (byDomain === undefined) {
      byDomain = new Map()
      this.detailTexts.set(kind, byDomain)
    }
    let text = byDomain.get(d)
    if (text === undefined) {
      text = domainDetails(d, detail).join('\n')
      byDomain.set(d, text)
    }
    return text
  }

  silentLines(): string[] {
    return (this.silent ??= silentResolvers(this.report).map(
      (r) =>
        `- **${escapeMarkdown(r.resolver)}** (${r.records} record${r.records === 1 ? '' : 's'}): ${escapeMarkdown(r.error)}`
    ))
  }

  passingList(): string {
    return (this.passingNames ??= this.passing.map((d) => this.name(d)).join(', '))
  }
}

/**
 * The report at `detail` as blocks of lines (the text is each followed by a newline), or
 * undefined as soon as they measure more than `budget`: a rendering that cannot fit is not
 * made whole.
 */
function render(
  pieces: Pieces,
  detail: Detail,
  where: string | undefined,
  budget = Infinity
): string[] | undefined {
  const { report, open, passing, detailed } = pieces
  const newline = pieces.size('\n')
  const blocks: string[] = []
  let size = 0
  /** Adds a block; false once the blocks measure more than the budget. */
  const add = (block: string): boolean => {
    blocks.push(block)
    size += pieces.size(block) + newline
    return size <= budget
  }
  const cuts: string[] = []
  const rows = Math.min(detail.rows, open.length)
  if (!add(headline(report)) || !add('')) return undefined
  if (report.deadlinePassed) {
    add('⏱️ The deadline passed: the questions still open were given up on (unknown).')
    add('')
  }
  const tableRows = rows + (detail.passingRows ? passing.length : 0)
  if (tableRows > 0) {
    const withMailtrap = report.domains.some((d) => d.mailtrap !== null)
    for (const line of overviewHead(withMailtrap)) add(line)
    for (let i = 0; i < tableRows; i++) {
      const d = i < rows ? open[i]! : passing[i - rows]!
      if (!add(pieces.row(d, withMailtrap))) return undefined
    }
  }
  if (rows < open.length) {
    const rest = open.slice(rows)
    add('')
    const names = rest.map((d) => `${ICON[d.status]} ${pieces.name(d)}`).join(', ')
    if (!add(`**Also not passing** (${rest.length}): ${names}`)) return undefined
    cuts.push(
      `the overview rows of ${rest.length} domains that are not passing (their names are listed)`
    )
  }
  if (!detail.passingRows && passing.length > 0) {
    add('')
    const block = detail.passingNames
      ? `<details><summary>✅ ${passing.length} passing</summary>\n\n${pieces.passingList()}\n\n</details>`
      : `✅ ${passing.length} passing domain${passing.length === 1 ? '' : 's'}.`
    if (!add(block)) return undefined
    cuts.push(
      detail.passingNames ? 'the rows of the passing domains' : 'the names of the passing domains'
    )
  }
  const shown = Math.min(detail.detailed, detailed.length)
  for (let i = 0; i < shown; i++) {
    add('')
    if (!add(pieces.details(detailed[i]!, detail))) return undefined
  }
  if (detailed.length > detail.detailed) {
    cuts.push(`the details of ${detailed.length - detail.detailed} more domains`)
  }
  if (!detail.answers) cuts.unshift('what each resolver answered')
  if (!detail.snippets && pieces.withFix) cuts.splice(1, 0, 'the BIND snippets')
  const silent = pieces.silentLines()
  if (silent.length > 0) {
    add('')
    add('### ❔ Resolvers that did not answer')
    add('')
    for (const line of silent) add(line)
  }
  if (cuts.length > 0) {
    const full = where ?? 'The JSON report (`--format json`) has all of it.'
    add('')
    add(`> [!NOTE]`)
    add(`> Cut to fit GitHub's limit: ${cuts.join('; ')}. ${full}`)
  }
  add('')
  const ok = add(
    `<sub>${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · resolvers: ${report.resolvers.map((r) => escapeMarkdown(r.name)).join(', ')}</sub>`
  )
  return ok ? blocks : undefined
}

/** Options for {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** The most the rendering may measure; detail is cut in a fixed order until it fits. */
  limit?: number
  /**
   * How to measure: characters (a comment) or UTF-8 bytes (a job summary). Measured piece by
   * piece, so the measure of two texts joined must be the sum of theirs (both of these are).
   */
  measure?: (text: string) => number
  /** Where the whole report is, for the note that says what was cut. */
  fullReport?: string
}

/** GitHub drops a job summary over 1 MiB; a comment holds 65,536 characters. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024
export const COMMENT_LIMIT_CHARS = 65_536

/** UTF-8 bytes, as GitHub counts a summary. */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

/**
 * The report as Markdown: the job summary and the PR comment show exactly this, failing
 * domains first. With a `limit`, detail is dropped in a fixed order until it fits (resolver
 * answers, BIND snippets, passing rows, passing names, details beyond the first failing
 * domains, then overview rows, leaving the names), each cut said in a visible note.
 * It carries no time stamp, so an unchanged result leaves the pull request comment untouched.
 * Pure; every piece of text that came from DNS or an API is escaped.
 */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const all = report.domains.length
  const full: Detail = {
    answers: true,
    snippets: true,
    passingRows: true,
    passingNames: true,
    detailed: all,
    rows: all
  }
  const limit = options.limit ?? Infinity
  const pieces = new Pieces(report, options.measure ?? ((text: string) => text.length))
  const where = options.fullReport
  const text = (blocks: string[]): string => blocks.join('\n') + '\n'
  const fits = (detail: Detail): boolean => render(pieces, detail, where, limit) !== undefined
  let detail = full
  for (const cut of [
    { answers: false },
    { snippets: false },
    { passingRows: false },
    { passingNames: false }
  ] as Partial<Detail>[]) {
    if (fits(detail)) return text(render(pieces, detail, where)!)
    detail = { ...detail, ...cut }
  }
  // Then fewer detailed domains, then fewer overview rows: the most that still fits.
  for (const key of ['detailed', 'rows'] as const) {
    if (fits(detail)) return text(render(pieces, detail, where)!)
    let low = 0
    let high = detail[key]
    while (low < high) {
      const mid = Math.ceil((low + high) / 2)
      if (fits({ ...detail, [key]: mid })) low = mid
      else high = mid - 1
    }
    detail = { ...detail, [key]: low }
  }
  return text(render(pieces, detail, where)!)
}
