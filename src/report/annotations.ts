/**
 * Annotations within GitHub's limits: a step shows at most 10 error and 10 warning annotations,
 * so the worst of each are chosen, one per line of the config, and the rest are counted in one
 * notice rather than lost. Pure: data in, data out; the action prints them.
 */

import { printable } from '../text/printable.js'

/** One finding that could become an annotation. */
export interface CandidateAnnotation {
  level: 'error' | 'warning'
  /** Higher is worse; ties keep the order given. */
  severityRank: number
  file: string
  /** 1-based line in `file`; absent when the finding has no line. */
  line?: number
  title: string
  /** Plain text; may come from DNS or an API, so it is cleaned here. */
  message: string
}

/** An annotation to print (`core.error`, `core.warning`, `core.notice`). */
export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  file?: string
  line?: number
  title: string
  message: string
  /** How many findings an error or warning annotation holds (those on one line are merged). */
  findings?: number
}

export interface AnnotationLimits {
  /** GitHub shows this many of each level per step. */
  perLevel?: number
  /**
   * Of those, how many of each level the step prints besides the findings' (the step's own
   * failure is an error annotation): the findings get the rest, so none of the step's is lost.
   */
  reserved?: Partial<Record<'error' | 'warning', number>>
  /** Longest message, in characters. */
  maxMessage?: number
  /** Where the findings that are not annotated can be read. */
  where?: string
}

/** GitHub's limit on annotations of one level in one step. */
export const ANNOTATIONS_PER_LEVEL = 10
const MAX_TITLE = 120

/**
 * The worst `perLevel` errors and warnings (less those `reserved`), each on its own line of its file (findings on one
 * line are merged into one annotation), then one notice with the count of findings not shown.
 * Messages come out plain: control and bidi characters removed, no backticks, cut short.
 */
export function selectAnnotations(
  candidates: readonly CandidateAnnotation[],
  limits: AnnotationLimits = {}
): Annotation[] {
  const perLevel = limits.perLevel ?? ANNOTATIONS_PER_LEVEL
  const maxMessage = limits.maxMessage ?? 500
  const out: Annotation[] = []
  let shownFindings = 0
  for (const level of ['error', 'warning'] as const) {
    const groups = new Map<string, { rank: number; order: number; items: CandidateAnnotation[] }>()
    candidates.forEach((c, order) => {
      if (c.level !== level) return
      const key = `${c.file}\u0000${c.line ?? ''}`
      const group = groups.get(key)
      if (!group) groups.set(key, { rank: c.severityRank, order, items: [c] })
      else {
        group.items.push(c)
        group.rank = Math.max(group.rank, c.severityRank)
      }
    })
    const worst = [...groups.values()]
      .sort((a, b) => b.rank - a.rank || a.order - b.order)
      .slice(0, Math.max(0, perLevel - (limits.reserved?.[level] ?? 0)))
    for (const group of worst) {
      // The group's worst finding names it; the messages follow, worst first.
      const items = [...group.items].sort((a, b) => b.severityRank - a.severityRank)
      const head = items[0]!
      const messages = [...new Set(items.map((i) => plain(i.message, true)).filter(Boolean))]
      out.push({
        level,
        file: head.file,
        ...(head.line !== undefined && head.line > 0 ? { line: head.line } : {}),
        title: cut(plain(head.title, false), MAX_TITLE),
        message: cut(messages.join('\n'), maxMessage),
        findings: items.length
      })
      shownFindings += items.length
    }
  }
  const notice = moreFindings(candidates.length - shownFindings, candidates[0]?.file, limits.where)
  if (notice) out.push(notice)
  return out
}

/** The notice that counts the `rest` of the findings, not annotated, and says where they are. */
export function moreFindings(
  rest: number,
  file: string | undefined,
  where = 'the job summary and the JSON report'
): Annotation | undefined {
  if (rest <= 0) return undefined
  return {
    level: 'notice',
    ...(file ? { file } : {}),
    title: 'More findings',
    message: `${rest} more finding${rest === 1 ? '' : 's'}: see ${plain(where, false)}.`
  }
}

/**
 * Text safe for an annotation: control characters (but newlines, when kept) and bidi or
 * zero-width characters removed, backticks made quotes, runs of blanks folded.
 */
function plain(text: string, keepNewlines: boolean): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/`/g, "'")
    .split('\n')
    .map((line) => printable(line.replace(/[ \t]+/g, ' ').trim()))
    .filter(Boolean)
  return lines.join(keepNewlines ? '\n' : ' ')
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text
  // Never split a surrogate pair.
  let end = max - 1
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? '')) end--
  return `${text.slice(0, end)}…`
}
