import { printable } from '../text/printable.js'
import type { GitHubPort, RepoRef } from './github-port.js'

/** One failing domain, as the drift issue lists it. Text is plain: it is escaped here. */
export interface DriftDomain {
  domain: string
  /** One line on what fails, e.g. "DKIM 1: missing; DMARC: wrong value". */
  summaryLine: string
  /** What to change, one line each (records to create, values to type). */
  fixes: string[]
}

export interface DriftInput {
  failing: DriftDomain[]
  /** Every domain passed: the issue is closed. */
  passedAll: boolean
  /** The workflow run's page, linked from the issue and its comments. */
  runUrl: string
  now: Date
}

export interface DriftOptions {
  port: GitHubPort
  repo: RepoRef
  /** The label that, with the hidden marker, finds the issue (`drift-label`, `dns-drift`). */
  label: string
  /** One issue per key: the config path, normalised (see `commentKey`). */
  key: string
  input: DriftInput
}

export type DriftAction = 'opened' | 'updated' | 'closed' | 'none'

/** Drift issues run on these events only, never on pull requests. */
export const DRIFT_EVENTS = ['schedule', 'workflow_dispatch']

/** Whether `drift-issue: true` acts on this event. */
export function shouldSyncDriftIssue(enabled: boolean, eventName: string): boolean {
  return enabled && DRIFT_EVENTS.includes(eventName)
}

/** GitHub's limit on an issue or comment body. */
const MAX_BODY = 65_536
/** Room kept for the hidden state, so the first-seen times survive even a large fleet. */
const MAX_STATE = 40_000
/** Names listed in a change comment, per list. */
const MAX_NAMES = 200

interface DriftState {
  /** First run that saw each failing domain fail, in ms since the epoch. */
  firstSeen: Record<string, number>
}

/**
 * Keep one tracking issue for DNS drift: found by its hidden marker and the label, opened on the
 * first failing run with the failing domains first and their fixes, updated on later failing
 * runs with a comment on what changed (newly failing, fixed, still failing and for how long;
 * first-seen times are kept in a hidden JSON block in the body), closed with a comment when
 * everything passes. Issues written by another identity are never touched. Returns the issue's
 * number (undefined when there is none) and what was done.
 */
export async function syncDriftIssue(
  options: DriftOptions
): Promise<{ number: number | undefined; action: DriftAction }> {
  const { port, repo, label, input } = options
  const marker = driftMarker(options.key)
  const me = (await port.identity()) ?? 'github-actions[bot]'
  const open = (await port.listIssues(repo, { label, state: 'open' }))
    .filter((i) => i.body.startsWith(marker) && i.author === me)
    .sort((a, b) => a.number - b.number)
  const [issue, ...duplicates] = open
  // Parallel first runs may each have opened one: the oldest stays.
  for (const d of duplicates) {
    await port.createComment(repo, d.number, `Duplicate of #${issue!.number}.`)
    await port.updateIssue(repo, d.number, { state: 'closed' })
  }
  const previous = issue ? readState(issue.body) : { firstSeen: {} }
  const now = input.now.getTime()

  if (!input.passedAll && input.failing.length === 0) {
    // Nothing fails but not everything passed (answers were inconclusive): leave it as it is.
    return { number: issue?.number, action: 'none' }
  }
  if (input.passedAll) {
    if (!issue) return { number: undefined, action: 'none' }
    const fixed = Object.entries(previous.firstSeen).sort(([a], [b]) => a.localeCompare(b))
    const lines = [
      `Every domain passes in [this run](${safeUrl(input.runUrl)}): closing.`,
      ...(fixed.length
        ? [
            '',
            `Fixed (${fixed.length}): ${names(
              fixed.map(([d]) => d),
              (d) => ` (failed for ${duration(now - previous.firstSeen[d]!)})`
            )}`
          ]
        : [])
    ]
    await port.createComment(repo, issue.number, lines.join('\n'))
    await port.updateIssue(repo, issue.number, { state: 'closed' })
    return { number: issue.number, action: 'closed' }
  }

  const failing = [...input.failing].sort((a, b) => a.domain.localeCompare(b.domain))
  const firstSeen: Record<string, number> = {}
  for (const d of failing) firstSeen[d.domain] = previous.firstSeen[d.domain] ?? now
  const title = `DNS drift in ${plain(options.key)}: ${failing.length} domain${failing.length === 1 ? '' : 's'} failing`
  const body = renderBody(marker, { firstSeen }, failing, input.runUrl, now)
  if (!issue) {
    await port.ensureLabel(repo, {
      name: label,
      color: 'd93f0b',
      description: 'DNS records of a sending domain drifted from what Mailtrap expects'
    })
    const created = await port.createIssue(repo, { title, body, labels: [label] })
    return { number: created.number, action: 'opened' }
  }
  await port.updateIssue(repo, issue.number, { title, body })
  await port.createComment(repo, issue.number, changeComment(previous, firstSeen, input, now))
  return { number: issue.number, action: 'updated' }
}

/** The hidden marker of the drift issue of one key; the key cannot end the HTML comment. */
export function driftMarker(key: string): string {
  let safe = plain(key)
  for (let before = ''; before !== safe;) {
    before = safe
    safe = safe.replace(/--!?>/g, '')
  }
  return `<!-- mailtrap-dns-verify-drift:${safe} -->`
}

const STATE = /<!-- mailtrap-dns-verify-state (\{.*?\}) -->/

/** The first-seen times kept in an issue body; anything unreadable (a hand edit) is none. */
export function readState(body: string): DriftState {
  const match = body.match(STATE)
  if (!match) return { firstSeen: {} }
  try {
    const data = JSON.parse(match[1]!) as { v?: unknown; firstSeen?: unknown }
    const firstSeen: Record<string, number> = {}
    if (data.v === 1 && typeof data.firstSeen === 'object' && data.firstSeen !== null) {
      for (const [domain, t] of Object.entries(data.firstSeen)) {
        if (typeof t === 'number' && Number.isFinite(t)) firstSeen[domain] = t
      }
    }
    return { firstSeen }
  } catch {
    return { firstSeen: {} }
  }
}

function writeState(state: DriftState): string {
  // `<` and `>` as JSON escapes, so no name can close the comment.
  const json = JSON.stringify({ v: 1, firstSeen: state.firstSeen })
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
  return `<!-- mailtrap-dns-verify-state ${json} -->`
}

function renderBody(
  marker: string,
  state: DriftState,
  failing: DriftDomain[],
  runUrl: string,
  now: number
): string {
  // Oldest failures first: they are the ones drifting longest.
  const ordered = [...failing].sort(
    (a, b) =>
      state.firstSeen[a.domain]! - state.firstSeen[b.domain]! || a.domain.localeCompare(b.domain)
  )
  let stateLine = writeState(state)
  if (stateLine.length > MAX_STATE) {
    // Keep the longest-failing ones; sized entry by entry, as the escaped JSON writes them.
    const firstSeen: Record<string, number> = {}
    let size = writeState({ firstSeen }).length
    for (const d of ordered) {
      const t = state.firstSeen[d.domain]!
      size +=
        writeState({ firstSeen: { [d.domain]: t } }).length -
        writeState({ firstSeen: {} }).length +
        1
      if (size > MAX_STATE) break
      firstSeen[d.domain] = t
    }
    stateLine = writeState({ firstSeen })
  }
  const head = [
    marker,
    stateLine,
    `## ${failing.length} domain${failing.length === 1 ? '' : 's'} fail the DNS check`,
    '',
    `Last checked ${stamp(now)} in [this workflow run](${safeUrl(runUrl)}). This issue is updated by every scheduled run and closed when every domain passes.`,
    ''
  ].join('\n')
  const tailRoom = 200
  let out = head
  let shown = 0
  for (const d of ordered) {
    const since = state.firstSeen[d.domain]!
    const section = [
      `### ${escapeMarkdown(d.domain)}`,
      '',
      `Failing since ${stamp(since)} (${duration(now - since)}). ${escapeMarkdown(d.summaryLine)}`,
      ...(d.fixes.length ? ['', fence(d.fixes.map(plain).join('\n'))] : []),
      ''
    ].join('\n')
    if (out.length + section.length + tailRoom > MAX_BODY) break
    out += `\n${section}`
    shown++
  }
  if (shown < ordered.length) {
    const rest = ordered.slice(shown).map((d) => d.domain)
    let line = `\n**${rest.length} more failing:** `
    for (const [i, name] of rest.entries()) {
      const piece = `${i ? ', ' : ''}${escapeMarkdown(name)}`
      if (out.length + line.length + piece.length + 40 > MAX_BODY) {
        line += ` and ${rest.length - i} more (see the run)`
        break
      }
      line += piece
    }
    out += `${line}\n`
  }
  return out
}

function changeComment(
  previous: DriftState,
  firstSeen: Record<string, number>,
  input: DriftInput,
  now: number
): string {
  const before = new Set(Object.keys(previous.firstSeen))
  const current = Object.keys(firstSeen).sort()
  const newly = current.filter((d) => !before.has(d))
  const fixed = [...before].filter((d) => !(d in firstSeen)).sort()
  const still = current.filter((d) => before.has(d))
  const lines = [`**Since the last run** ([this run](${safeUrl(input.runUrl)})):`, '']
  if (newly.length) lines.push(`- Newly failing (${newly.length}): ${names(newly)}`)
  if (fixed.length) {
    lines.push(
      `- Fixed (${fixed.length}): ${names(fixed, (d) => ` (failed for ${duration(now - previous.firstSeen[d]!)})`)}`
    )
  }
  if (still.length) {
    lines.push(
      `- Still failing (${still.length}): ${names(still, (d) => ` (for ${duration(now - firstSeen[d]!)})`)}`
    )
  }
  if (!newly.length && !fixed.length) lines.push('', 'Nothing changed since the last run.')
  return lines.join('\n')
}

/** Names, escaped, each with its note, at most {@link MAX_NAMES} of them. */
function names(items: string[], note: (name: string) => string = () => ''): string {
  const shown = items
    .slice(0, MAX_NAMES)
    .map((name) => `${escapeMarkdown(name)}${note(name)}`)
    .join(', ')
  return items.length > MAX_NAMES ? `${shown} and ${items.length - MAX_NAMES} more` : shown
}

/** "3 d 4 h", "5 h", "under an hour". */
export function duration(ms: number): string {
  const hours = Math.floor(Math.max(0, ms) / 3_600_000)
  if (hours < 1) return 'under an hour'
  const days = Math.floor(hours / 24)
  if (days === 0) return `${hours} h`
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`
}

function stamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** Control and bidi characters shown as escapes (the project's one filter); trimmed. */
function plain(text: string): string {
  return printable(text.trim())
}

/**
 * Untrusted text made inert in Markdown: no tags, mentions, links, tables or emphasis. A local
 * copy until the shared escaper of report/ is settled.
 */
function escapeMarkdown(text: string): string {
  return plain(text).replace(/[\\`*_{}[\]()#+!|<>~@&]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A code block no line can close: the fence is longer than any backtick run inside. */
function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const ticks = '`'.repeat(longest + 1)
  return `${ticks}text\n${text}\n${ticks}`
}

function safeUrl(url: string): string {
  return /^https?:\/\/[^\s()<>]+$/.test(url) ? url : '#'
}
