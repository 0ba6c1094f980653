/**
 * Two DMARC records compared as receivers read them (RFC 7489 6.3, RFC 9989 4.7): tag by tag,
 * defaults filled in, case, spacing and list order not counted. Pure.
 */
import type { Rfc } from './dmarc.js'

const WSP = /^[ \t]+|[ \t]+$/g

/** How one tag of a record differs from another's, as receivers read both (defaults filled in). */
export interface DmarcDifference {
  tag: string
  /** The value in the record checked, or undefined when it has none (and no default applies). */
  have: string | undefined
  want: string | undefined
  /** `7489` for pct, rf, ri (RFC 9989 removed them); `9989` for np, t, psd (RFC 7489 has none). */
  rfc: Rfc
}

const TAG_RFC: Record<string, Rfc> = {
  p: 'both',
  sp: 'both',
  np: '9989',
  adkim: 'both',
  aspf: 'both',
  fo: 'both',
  rua: 'both',
  ruf: 'both',
  pct: '7489',
  rf: '7489',
  ri: '7489',
  t: '9989',
  psd: '9989'
}

/** Defaults receivers apply when a tag is absent (RFC 7489 6.3; RFC 9989 4.7 for t and psd). */
const DEFAULTS: Record<string, string> = {
  adkim: 'r',
  aspf: 'r',
  fo: '0',
  pct: '100',
  rf: 'afrf',
  ri: '86400',
  t: 'n',
  psd: 'u'
}

/**
 * A tag's value as a receiver reads it: given, or its default. `sp` defaults to `p`, and `np` to
 * `sp` (RFC 7489 6.3; RFC 9989 4.7).
 */
function tagValue(tags: Map<string, string>, tag: string): string | undefined {
  const given = tags.get(tag)
  if (given !== undefined) return given
  if (tag === 'sp') return tags.get('p')
  if (tag === 'np') return tagValue(tags, 'sp')
  return DEFAULTS[tag]
}

/**
 * A reporting URI compared as receivers use it, in any case: scheme and domain by RFC 3986 6.2.2.1
 * and RFC 5321 2.4; the mailbox too, as mail systems treat it in practice (RFC 5321 2.4 leaves
 * that to the receiving host, and `DMARC@` reaches Mailtrap's `dmarc@`).
 */
function normalizeUri(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*):(.*?)(![0-9]+[kmgt]?)?$/i.exec(uri)
  if (!m) return uri
  const scheme = (m[1] ?? '').toLowerCase()
  const rest = scheme === 'mailto' ? (m[2] ?? '').toLowerCase().replace(/\.$/, '') : (m[2] ?? '')
  return `${scheme}:${rest}${(m[3] ?? '').toLowerCase()}`
}

/** A tag value in the form two equal values share: case, spacing and list order do not count. */
function normalizeTagValue(tag: string, value: string): string {
  const list = (sep: string, item: (s: string) => string): string =>
    [...new Set(value.split(sep).map((s) => item(s.replace(WSP, ''))))].sort().join(sep)
  if (tag === 'rua' || tag === 'ruf') return list(',', normalizeUri)
  if (tag === 'fo' || tag === 'rf') return list(':', (s) => s.toLowerCase())
  if ((tag === 'pct' || tag === 'ri') && /^\d+$/.test(value)) return String(Number(value))
  return value.toLowerCase()
}

/**
 * How `actual` differs from `expected`, tag by tag, both as `readDmarc` returns them; empty when
 * they ask receivers for the same. A tag left out that has the same value by default is no
 * difference (`pct=100`, `rf=afrf`, `ri=86400`, `adkim=r`, `aspf=r`, `fo=0`, `t=n`, `psd=u`); nor
 * is `fo` when neither asks for failure reports (RFC 9989 4.7 fo), or `t` while every policy is
 * none (it "has no effect on any policy … that is none", RFC 9989 4.7 t). Unknown tags never differ.
 */
export function compareDmarc(
  actual: Map<string, string>,
  expected: Map<string, string>
): readonly DmarcDifference[] {
  // Readings are memoised by text, so a fleet's records compare the same two maps again and
  // again (once per resolver and domain): each pair is compared once.
  let byExpected = compared.get(actual)
  if (!byExpected) compared.set(actual, (byExpected = new WeakMap()))
  let differences = byExpected.get(expected)
  if (!differences)
    byExpected.set(expected, (differences = Object.freeze(compare(actual, expected))))
  return differences
}

const compared = new WeakMap<
  Map<string, string>,
  WeakMap<Map<string, string>, readonly DmarcDifference[]>
>()

function compare(actual: Map<string, string>, expected: Map<string, string>): DmarcDifference[] {
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].filter((k) => k in TAG_RFC)
  const policies = ['p', 'sp', 'np'].flatMap((t) => [tagValue(actual, t), tagValue(expected, t)])
  const allNone = policies.every((v) => v === undefined || v.toLowerCase() === 'none')
  const noRuf = !actual.has('ruf') && !expected.has('ruf')
  const differences: DmarcDifference[] = []
  for (const tag of keys) {
    if ((tag === 't' && allNone) || (tag === 'fo' && noRuf)) continue
    const want = tagValue(expected, tag)
    const have = tagValue(actual, tag)
    const same =
      want !== undefined &&
      have !== undefined &&
      normalizeTagValue(tag, want) === normalizeTagValue(tag, have)
    if (!same) differences.push({ tag, have, want, rfc: TAG_RFC[tag] ?? 'both' })
  }
  return differences
}
