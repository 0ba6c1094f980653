/**
 * DMARC in words: differences from Mailtrap's record, what receivers do with a faulty one, and
 * its problems, each naming the RFC it rests on where RFC 7489 and RFC 9989 part.
 */
import type { DmarcDifference } from '../diagnose/dmarc-compare.js'
import { compareDmarc } from '../diagnose/dmarc-compare.js'
import { visible, type DmarcOutcome, type DmarcProblem, type Rfc } from '../diagnose/dmarc.js'

/** What describing a record's fate needs: what each standard's receivers do, and its problems. */
export interface DmarcVerdict {
  outcome: { rfc7489: DmarcOutcome; rfc9989: DmarcOutcome }
  problems: DmarcProblem[]
}

/** One difference in words, saying which RFC it rests on when only one has the tag. */
export function describeDmarcDifference(d: DmarcDifference): string {
  const have = d.have === undefined ? undefined : visible(d.have)
  const want = d.want === undefined ? undefined : visible(d.want)
  const words =
    have === undefined
      ? `${d.tag} is missing (Mailtrap expects ${d.tag}=${want})`
      : want === undefined
        ? `${d.tag}=${have} is set (Mailtrap's record has no ${d.tag})`
        : `${d.tag} is ${have} where Mailtrap expects ${want}`
  if (d.rfc === '7489') return `${words} (RFC 7489 only: RFC 9989 removed ${d.tag})`
  if (d.rfc === '9989') return `${words} (RFC 9989: RFC 7489 receivers ignore ${d.tag})`
  return words
}

/**
 * How `actual` differs from `expected`, tag by tag, in words; empty when they say the same.
 * A tag left out that has the same value by default is no difference.
 */
export function dmarcDifferences(
  actual: Map<string, string>,
  expected: Map<string, string>
): string[] {
  return compareDmarc(actual, expected).map(describeDmarcDifference)
}

/** What one standard's receivers do with a record, as words after "Receivers …". */
function outcomeWords(reading: DmarcVerdict, standard: '7489' | '9989'): string {
  const outcome: DmarcOutcome =
    standard === '7489' ? reading.outcome.rfc7489 : reading.outcome.rfc9989
  if (outcome === 'discard') return 'ignore it, as if there were no DMARC record'
  if (outcome === 'policy-none') return 'act as if it said p=none'
  const mine = reading.problems.filter((p) => p.rfc === 'both' || p.rfc === standard)
  const defaulted = [...new Set(mine.filter((p) => p.effect === 'default').map((p) => p.tag))]
  const skipped = mine.some((p) => p.effect === 'skip')
  const parts = [
    ...(defaulted.length > 0
      ? [
          `with ${defaulted.join(', ')} left out (${defaulted.length > 1 ? 'defaults apply' : 'its default applies'})`
        ]
      : []),
    ...(skipped ? ['skipping what is not a tag'] : [])
  ]
  return parts.length > 0 ? `still apply it, ${parts.join(' and ')}` : 'apply it'
}

/**
 * What receivers do with a record, in one sentence, naming the RFC where RFC 7489 and RFC 9989
 * part: "Receivers ignore it, …", or "Receivers that follow RFC 9989 apply it; those that follow
 * RFC 7489 act as if it said p=none." For the message of a record that is not `ok`.
 */
export function describeDmarcOutcome(reading: DmarcVerdict): string {
  const now = outcomeWords(reading, '9989')
  const before = outcomeWords(reading, '7489')
  if (now === before) return `Receivers ${now}.`
  return `Receivers that follow RFC 9989 ${now}; those that follow RFC 7489 ${before}.`
}

const RFC_NOTE: Record<Rfc, string> = { both: '', '7489': ' (RFC 7489)', '9989': ' (RFC 9989)' }

/** The problems of a record in words, each marked with its RFC when only one of them says so. */
export function describeDmarcProblems(reading: DmarcVerdict): string[] {
  return reading.problems.map((p) => `${p.reason}${RFC_NOTE[p.rfc]}`)
}
