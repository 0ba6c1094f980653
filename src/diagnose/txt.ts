/**
 * Reading DMARC and SPF text the way receivers do: by tags and terms, not by exact text, so
 * that spacing, case and tag order do not count as differences. The readers live in dmarc.ts and
 * spf.ts; this module keeps the shapes its callers were written against.
 */
import { readDmarc } from './dmarc.js'

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
