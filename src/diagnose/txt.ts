/**
 * Reading DMARC and SPF text the way receivers do: by tags and terms, not by exact text, so
 * that spacing, case and tag order do not count as differences.
 */

/** Looks like a DMARC record (any case, any spacing): the record a receiver would try to use. */
export function isDmarc(text: string): boolean {
  return /^v\s*=\s*dmarc1\s*(;|$)/i.test(text.trim())
}

/** An SPF record is `v=spf1` followed by a space or the end (RFC 7208 4.5). */
export function isSpf(text: string): boolean {
  return /^v=spf1(\s|$)/i.test(text.trim())
}

/** A DMARC record read by its tags, or the reasons it is malformed. */
export type DmarcRecord =
  { ok: true; tags: Map<string, string> } | { ok: false; problems: string[] }

const POLICY = /^(none|quarantine|reject)$/i
const CHECKS: Record<string, { test: (v: string) => boolean; expect: string }> = {
  p: { test: (v) => POLICY.test(v), expect: 'none, quarantine or reject' },
  sp: { test: (v) => POLICY.test(v), expect: 'none, quarantine or reject' },
  np: { test: (v) => POLICY.test(v), expect: 'none, quarantine or reject' },
  adkim: { test: (v) => /^[rs]$/i.test(v), expect: 'r or s' },
  aspf: { test: (v) => /^[rs]$/i.test(v), expect: 'r or s' },
  pct: {
    test: (v) => /^\d{1,3}$/.test(v) && Number(v) <= 100,
    expect: 'a whole number from 0 to 100'
  },
  fo: {
    test: (v) => /^[01ds](\s*:\s*[01ds])*$/i.test(v),
    expect: '0, 1, d or s, separated by colons'
  },
  rf: {
    test: (v) => /^[a-z0-9-]+(\s*:\s*[a-z0-9-]+)*$/i.test(v),
    expect: 'report formats such as afrf'
  },
  ri: {
    test: (v) => /^\d{1,10}$/.test(v) && Number(v) <= 4294967295,
    expect: 'a number of seconds'
  },
  rua: { test: uriList, expect: 'comma-separated URIs such as mailto:dmarc@example.com' },
  ruf: { test: uriList, expect: 'comma-separated URIs such as mailto:dmarc@example.com' }
}

function uriList(value: string): boolean {
  return value
    .split(',')
    .every((uri) => /^[a-z][a-z0-9+.-]*:[^\s,;!]+(![0-9]+[kmgt]?)?$/i.test(uri.trim()))
}

/**
 * Parse a DMARC record by RFC 7489 section 6.4: `v=DMARC1` first (DMARC1 in upper case), `p`
 * required, known tags with valid values, in any order after `v`. Unknown tags are ignored, as
 * receivers do.
 */
export function parseDmarc(text: string): DmarcRecord {
  const problems: string[] = []
  const parts = text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  const tags = new Map<string, string>()
  parts.forEach((part, index) => {
    const eq = part.indexOf('=')
    if (eq < 0) {
      problems.push(`"${part}" is not a tag=value pair`)
      return
    }
    const tag = part.slice(0, eq).trim().toLowerCase()
    const value = part.slice(eq + 1).trim()
    if (tags.has(tag)) problems.push(`tag ${tag} is given twice`)
    tags.set(tag, value)
    if (index === 0 && tag !== 'v') problems.push('it must start with v=DMARC1')
    if (tag === 'v' && index !== 0) problems.push('v=DMARC1 must come first')
    if (tag === 'v' && value !== 'DMARC1')
      problems.push(`v must be DMARC1 (upper case), not ${value}`)
    const check = CHECKS[tag]
    if (check && !check.test(value))
      problems.push(`${tag}=${value} is not valid: ${tag} takes ${check.expect}`)
  })
  if (!tags.has('p')) problems.push('the required tag p (policy) is missing')
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tags }
}

/** Tag values whose case does not matter (RFC 7489 6.3: keywords; URIs' schemes and hosts). */
function normalizeTagValue(tag: string, value: string): string {
  if (tag === 'rua' || tag === 'ruf') {
    return value
      .split(',')
      .map((uri) => uri.trim().toLowerCase())
      .join(',')
  }
  return value.toLowerCase().replace(/\s+/g, '')
}

const KNOWN_TAGS = new Set([
  'p',
  'sp',
  'np',
  'adkim',
  'aspf',
  'pct',
  'fo',
  'rf',
  'ri',
  'rua',
  'ruf',
  't',
  'psd'
])

/** Defaults a receiver applies when a tag is absent (RFC 7489 6.3). */
const DEFAULTS: Record<string, string> = {
  adkim: 'r',
  aspf: 'r',
  pct: '100',
  fo: '0',
  rf: 'afrf',
  ri: '86400'
}

/**
 * A tag's value as a receiver reads it: given, or its default. `sp` defaults to `p`, and `np`
 * to `sp` (RFC 7489 6.3; RFC 9091).
 */
function tagValue(tags: Map<string, string>, tag: string): string | undefined {
  const given = tags.get(tag)
  if (given !== undefined) return given
  if (tag === 'sp') return tags.get('p')
  if (tag === 'np') return tagValue(tags, 'sp')
  return DEFAULTS[tag]
}

/**
 * How `actual` differs from `expected`, tag by tag, in words; empty when they say the same.
 * A tag left out that has the same value by default is no difference.
 */
export function dmarcDifferences(
  actual: Map<string, string>,
  expected: Map<string, string>
): string[] {
  const differences: string[] = []
  // Receivers ignore tags they do not know (RFC 7489 6.3), so only known tags can differ.
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].filter(
    (k) => k !== 'v' && KNOWN_TAGS.has(k)
  )
  for (const tag of keys) {
    const want = tagValue(expected, tag)
    const have = tagValue(actual, tag)
    if (
      want !== undefined &&
      have !== undefined &&
      normalizeTagValue(tag, want) === normalizeTagValue(tag, have)
    )
      continue
    if (have === undefined) differences.push(`${tag} is missing (Mailtrap expects ${tag}=${want})`)
    else if (want === undefined)
      differences.push(`${tag}=${have} is set (Mailtrap's record has no ${tag})`)
    else differences.push(`${tag} is ${have} where Mailtrap expects ${want}`)
  }
  return differences
}

/** True when `record` has every `include:` term of `expected`, in any order. */
export function spfIncludes(record: string, expected: string): boolean {
  // `+` is the default qualifier; `redirect=X` hands the whole policy to X, as good as include.
  const terms = new Set(
    record
      .toLowerCase()
      .split(/\s+/)
      .map((term) => term.replace(/^\+/, '').replace(/^redirect=/, 'include:'))
  )
  return expected
    .toLowerCase()
    .split(/\s+/)
    .map((term) => term.replace(/^\+/, ''))
    .filter((term) => term.startsWith('include:'))
    .every((term) => terms.has(term))
}
