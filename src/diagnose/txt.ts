/**
 * Reading DMARC and SPF text the way receivers do: by tags and terms, not by exact text, so
 * that spacing, case and tag order do not count as differences.
 */

/** A DMARC record starts with `v=DMARC1` (RFC 7489 6.4; receivers accept any case and spacing). */
export function isDmarc(text: string): boolean {
  return /^v\s*=\s*dmarc1\s*(;|$)/i.test(text.trim())
}

/** An SPF record is `v=spf1` followed by a space or the end (RFC 7208 4.5). */
export function isSpf(text: string): boolean {
  return /^v=spf1(\s|$)/i.test(text.trim())
}

/** DMARC tags as a map, keys lower-case, values trimmed; the last of a repeated tag wins. */
export function dmarcTags(text: string): Map<string, string> {
  const tags = new Map<string, string>()
  for (const part of text.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq).trim().toLowerCase()
    if (key) tags.set(key, part.slice(eq + 1).trim())
  }
  return tags
}

/** Tag values whose case does not matter (RFC 7489 6.3: keywords and URIs' schemes and hosts). */
function normalizeTagValue(tag: string, value: string): string {
  if (tag === 'rua' || tag === 'ruf') {
    return value
      .split(',')
      .map((uri) => uri.trim().toLowerCase())
      .join(',')
  }
  return value.toLowerCase().replace(/\s+/g, '')
}

/** Two DMARC records say the same when they carry the same tags with the same values. */
export function dmarcEquals(a: string, b: string): boolean {
  const ta = dmarcTags(a)
  const tb = dmarcTags(b)
  if (ta.size !== tb.size) return false
  for (const [tag, value] of ta) {
    const other = tb.get(tag)
    if (other === undefined || normalizeTagValue(tag, value) !== normalizeTagValue(tag, other)) {
      return false
    }
  }
  return true
}

/** True when `record` has every `include:` term of `expected`, in any order. */
export function spfIncludes(record: string, expected: string): boolean {
  const terms = new Set(record.toLowerCase().split(/\s+/))
  return expected
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => /^[+~?-]?include:/.test(term))
    .every((term) => terms.has(term) || terms.has(term.replace(/^[+]/, '')))
}
