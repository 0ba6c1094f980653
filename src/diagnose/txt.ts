/**
 * Reading DMARC and SPF text the way receivers do: by tags and terms, not by exact text, so
 * that spacing, case and tag order do not count as differences. The readers live in dmarc.ts and
 * spf.ts; this module keeps the shapes its callers were written against.
 */
import { compareDmarc, type DmarcDifference } from './dmarc-compare.js'
import { readDmarc, visible } from './dmarc.js'

export { compareDmarc, type DmarcDifference } from './dmarc-compare.js'
export {
  isDmarcRecord,
  readDmarc,
  uriProblem,
  visible,
  type DmarcOutcome,
  type DmarcProblem,
  type DmarcReading,
  type Rfc
} from './dmarc.js'
export { isSpf, mergeSpf, spfIncludes, spfLookups } from './spf.js'

/**
 * Looks like a DMARC record (any case, any spacing): the record its author meant as DMARC, which
 * `readDmarc` then judges. Receivers are stricter at discovery: see `isDmarcRecord`.
 */
export function isDmarc(text: string): boolean {
  return /^v\s*=\s*dmarc1\s*(;|$)/i.test(text.trim())
}

/** A DMARC record read by its tags, or the reasons it is malformed. */
export type DmarcRecord =
  { ok: true; tags: Map<string, string> } | { ok: false; problems: string[] }

/**
 * Parse a DMARC record: `ok` only when neither RFC 7489 nor RFC 9989 finds a fault (see
 * `readDmarc` for what receivers then do with it, which this shape cannot say).
 */
export function parseDmarc(text: string): DmarcRecord {
  const reading = readDmarc(text)
  return reading.ok
    ? { ok: true, tags: reading.tags }
    : { ok: false, problems: reading.problems.map((p) => p.reason) }
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
