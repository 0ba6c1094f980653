/**
 * A DMARC record read the way receivers read it, by RFC 7489 (2015) and RFC 9989 (2026, which
 * obsoletes it; read here in its last draft, draft-ietf-dmarc-dmarcbis-41, whose section numbers
 * the RFC keeps). Both are deployed, so where they differ each verdict says which one it rests
 * on. Pure: text in, data out.
 */

/** The standard a verdict rests on: one of the two, or both alike. */
export type Rfc = '7489' | '9989' | 'both'

/**
 * What receivers do with a record: use it (tags in error at their defaults), act as if it said
 * `p=none` (RFC 7489 6.6.3 step 6, RFC 9989 4.10.1), or ignore it as if there were none.
 */
export type DmarcOutcome = 'apply' | 'policy-none' | 'discard'

/**
 * One thing wrong with a record. `effect` is what a receiver does about it: `discard` the whole
 * record; `policy`: the policy is not valid, so the record counts as `p=none` when `rua` holds a
 * valid URI and is ignored otherwise; `default`: the tag is dropped and its default applies;
 * `skip`: the text is ignored and nothing else changes.
 */
export interface DmarcProblem {
  /** The tag at fault (`v`, `p`, `rua` …), or '' for the record's shape (an empty tag). */
  tag: string
  reason: string
  rfc: Rfc
  effect: 'discard' | 'policy' | 'default' | 'skip'
  /**
   * `warning` only where the record applies under both RFCs as its author likely meant: `p` out of
   * its RFC 7489 place while `rua` is valid (7489 receivers then act as p=none). Else `error`.
   */
  severity: 'error' | 'warning'
  /** Where the rule is written, e.g. `RFC 7489 6.4; RFC 9989 4.8`. */
  cite: string
}

/**
 * A DMARC record read by its tags. `ok` when neither RFC finds a fault worse than a warning;
 * `discarded` when receivers of either RFC ignore the record (`outcome` says which). `tags` are
 * those receivers use by RFC 9989, names in lower case: a tag in error is left out so its default
 * applies, and `p` is `none` where receivers act as if it were.
 */
export interface DmarcReading {
  ok: boolean
  discarded: boolean
  outcome: { rfc7489: DmarcOutcome; rfc9989: DmarcOutcome }
  tags: Map<string, string>
  problems: DmarcProblem[]
}

const GRAMMAR = 'RFC 7489 6.4; RFC 9989 4.8'
const FALLBACK = 'RFC 7489 6.3; RFC 9989 4.8 (errors after v fall back to defaults)'
const POLICY_RULE = 'RFC 7489 6.6.3 step 6; RFC 9989 4.10.1'
// RFC 5234 2.3: quoted ABNF strings ("p", "none", "v") match in any case; only %s"DMARC1" (RFC
// 9989) and %x44 %x4d … (RFC 7489) are case-sensitive.
const POLICY = /^(none|quarantine|reject)$/i
// RFC 5234 B.1: WSP is space and tab only; a line break is not whitespace in a DMARC record.
const WSP = /^[ \t]+|[ \t]+$/g

/** What receivers keep when they look for DMARC records (RFC 7489 6.6.3 step 3; RFC 9989 4.7 v). */
export function isDmarcRecord(text: string): boolean {
  return /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(text)
}

/** Control characters and non-ASCII shown as escapes, so a stray line break is visible. */
export function visible(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    if (c === '\t') return '\\t'
    const code = c.codePointAt(0) ?? 0
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

interface Check {
  test: (value: string) => string | undefined
  rfc: Rfc
  effect: DmarcProblem['effect']
  cite: string
}

function oneOf(pattern: RegExp, expect: string): (value: string) => string | undefined {
  return (value) => (pattern.test(value) ? undefined : `it takes ${expect}`)
}

/** The tags each RFC defines, with the test of a value. Others are ignored (7489 6.3, 9989 4.7). */
const CHECKS: Record<string, Check> = {
  p: {
    test: oneOf(POLICY, 'none, quarantine or reject'),
    rfc: 'both',
    effect: 'policy',
    cite: POLICY_RULE
  },
  sp: {
    test: oneOf(POLICY, 'none, quarantine or reject'),
    rfc: 'both',
    effect: 'policy',
    cite: POLICY_RULE
  },
  // np is RFC 9091's (experimental) and RFC 9989's; an RFC 7489 receiver ignores it as unknown.
  np: {
    test: oneOf(POLICY, 'none, quarantine or reject'),
    rfc: '9989',
    effect: 'policy',
    cite: 'RFC 9989 4.10.1'
  },
  adkim: { test: oneOf(/^[rs]$/i, 'r or s'), rfc: 'both', effect: 'default', cite: FALLBACK },
  aspf: { test: oneOf(/^[rs]$/i, 'r or s'), rfc: 'both', effect: 'default', cite: FALLBACK },
  fo: { test: foOptions, rfc: 'both', effect: 'default', cite: FALLBACK },
  rua: { test: () => undefined, rfc: 'both', effect: 'default', cite: FALLBACK },
  ruf: { test: () => undefined, rfc: 'both', effect: 'default', cite: FALLBACK },
  // pct, rf and ri are RFC 7489's; RFC 9989 removed them (C.5.2): its receivers ignore them.
  pct: {
    test: (v) =>
      /^\d{1,3}$/.test(v) && Number(v) <= 100 ? undefined : 'it takes a whole number from 0 to 100',
    rfc: '7489',
    effect: 'default',
    cite: 'RFC 7489 6.3, 6.4'
  },
  rf: {
    test: (v) =>
      v.split(':').every((f) => /^afrf$/i.test(f.replace(WSP, '')))
        ? undefined
        : 'the only registered report format is afrf',
    rfc: '7489',
    effect: 'default',
    cite: 'RFC 7489 6.3 rf (SHOULD ignore it, MAY ignore the record), 6.4'
  },
  ri: {
    test: (v) =>
      /^\d{1,10}$/.test(v) && Number(v) <= 4294967295
        ? undefined
        : 'it takes a number of seconds (a 32-bit unsigned integer)',
    rfc: '7489',
    effect: 'default',
    cite: 'RFC 7489 6.3, 6.4'
  },
  t: { test: oneOf(/^[yn]$/i, 'y or n'), rfc: '9989', effect: 'default', cite: 'RFC 9989 4.7' },
  psd: {
    test: oneOf(/^[ynu]$/i, 'y, n or u'),
    rfc: '9989',
    effect: 'default',
    cite: 'RFC 9989 4.7'
  }
}

/** RFC 7489 6.4: `0`, `1`, `d`, `s` joined by `:`. */
function foOptions(value: string): string | undefined {
  const options = value.split(':').map((o) => o.replace(WSP, '').toLowerCase())
  if (!options.every((o) => /^[01ds]$/.test(o))) return 'it takes 0, 1, d or s, joined by colons'
  return undefined
}

/** RFC 9989 4.8 narrows fo: each option at most once, and 0 and 1 not together. */
function foNarrowed(value: string): string | undefined {
  const options = value.split(':').map((o) => o.replace(WSP, '').toLowerCase())
  if (new Set(options).size !== options.length) return 'each option may appear once'
  if (options.includes('0') && options.includes('1')) return '0 and 1 exclude each other'
  return undefined
}

/**
 * One reporting URI (RFC 7489 6.4 dmarc-uri, RFC 9989 4.8): an RFC 3986 URI with `,` and `!`
 * encoded, and an optional size suffix (`!10m`, obsolete in RFC 9989 but still valid syntax). A
 * mailto URI must name an address (RFC 6068 2). The reason it is not valid, or undefined.
 */
export function uriProblem(uri: string): string | undefined {
  if (/[^\x21-\x7e]/.test(uri)) return 'it holds a space or control character, which a URI cannot'
  const sized = /^(.*?)(![0-9]+[kmgt]?)?$/i.exec(uri)
  const bare = sized?.[1] ?? uri
  const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(bare)
  if (!scheme) return 'it is not a URI (it needs a scheme, such as mailto:)'
  const rest = scheme[2] ?? ''
  if (/!/.test(rest)) return 'a ! inside a URI must be written %21'
  if (/%(?![0-9a-f]{2})/i.test(rest)) return 'a % in a URI must start an escape such as %40'
  if (!/^[a-z0-9\-._~%:@/?#[\]$&'()*+=]*$/i.test(rest)) return 'it holds characters a URI cannot'
  if (scheme[1]?.toLowerCase() !== 'mailto') return undefined
  const address = rest.split('?')[0] ?? ''
  const at = address.lastIndexOf('@')
  if (at <= 0 || at === address.length - 1)
    return 'a mailto: URI needs an address such as mailto:dmarc@example.com'
  const domain = address.slice(at + 1)
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(domain))
    return `${domain} is not a domain name`
  return undefined
}

function problem(
  tag: string,
  reason: string,
  rfc: Rfc,
  effect: DmarcProblem['effect'],
  cite: string
): DmarcProblem {
  return { tag, reason, rfc, effect, severity: 'error', cite }
}

interface Piece {
  name: string
  value: string
  index: number
}

/** Splits the record at `;` into tag=value pieces; empty and nameless pieces become problems. */
function pieces(text: string, problems: DmarcProblem[]): Piece[] {
  const raw = text.split(';')
  const found: Piece[] = []
  let empty = false // said once, however many there are
  raw.forEach((part, index) => {
    const trimmed = part.replace(WSP, '')
    if (trimmed === '') {
      // dmarc-sep is one `;` between WSP; only the last may end the record (7489 6.4, 9989 4.8).
      if (index === raw.length - 1 && index > 0) return
      if (index === 0 || empty) return
      empty = true
      problems.push(
        problem('', 'an empty tag (;;): tags are separated by one ;', 'both', 'skip', GRAMMAR)
      )
      return
    }
    const eq = trimmed.indexOf('=')
    if (eq < 0) {
      problems.push(
        problem('', `"${visible(trimmed)}" is not a tag=value pair`, 'both', 'skip', GRAMMAR)
      )
      return
    }
    found.push({
      name: trimmed.slice(0, eq).replace(WSP, ''),
      value: trimmed.slice(eq + 1).replace(WSP, ''),
      index
    })
  })
  return found
}

/**
 * Whether a tag name is one: RFC 9989 4.8 `dmarc-tag = 1*ALPHA …`; RFC 7489 defers to DKIM's
 * tag-list (RFC 6376 3.2: `tag-name = ALPHA *ALNUMPUNC`, letters, digits and `_`).
 */
function nameProblem(name: string): DmarcProblem | undefined {
  if (/^[a-z]+$/i.test(name)) return undefined
  const shown = visible(name)
  if (/^[a-z][a-z0-9_]*$/i.test(name))
    return problem(
      shown,
      `"${shown}" is not a tag name: RFC 9989 allows letters only`,
      '9989',
      'skip',
      'RFC 9989 4.8'
    )
  return problem(
    shown,
    `"${shown}" is not a tag name: tag names are letters${name === '' ? ', and a tag needs one' : ''}`,
    'both',
    'skip',
    'RFC 9989 4.8; RFC 7489 6.3 (RFC 6376 3.2 tag-list)'
  )
}

/** The `v` tag and what precedes it: unless `v=DMARC1` comes first, receivers ignore the record. */
function versionProblem(text: string, first: Piece | undefined): DmarcProblem | undefined {
  const cite = 'RFC 7489 6.3 v, 6.6.3 step 3; RFC 9989 4.7 v'
  if (/^[ \t]/.test(text) && first?.index === 0 && first.name.toLowerCase() === 'v')
    return problem(
      'v',
      'it starts with a space: the record must begin with v=DMARC1 itself',
      'both',
      'discard',
      `${cite}; ABNF dmarc-record = dmarc-version … (${GRAMMAR})`
    )
  if (!first || first.index !== 0 || first.name.toLowerCase() !== 'v')
    return problem('v', 'it must start with v=DMARC1', 'both', 'discard', cite)
  if (first.value !== 'DMARC1')
    return problem(
      'v',
      `v must be DMARC1 (upper case), not ${visible(first.value)}`,
      'both',
      'discard',
      cite
    )
  return undefined
}

/** Reads one tag's value, adding its problems; the value receivers keep, or undefined. */
function readValue(name: string, value: string, problems: DmarcProblem[]): string | undefined {
  const check = CHECKS[name]
  if (!check) return value
  if (value === '' || /[^\x20-\x3a\x3c-\x7e]/.test(value)) {
    // dmarc-value is printable ASCII but `;` (9989 4.8): a line break or other control cuts it.
    const why =
      value === ''
        ? `${name} has no value`
        : `${name}=${visible(value)} holds a control or non-ASCII character`
    if (name !== 'rua' && name !== 'ruf') {
      problems.push(problem(name, why, check.rfc, check.effect, `${check.cite}; ${GRAMMAR}`))
      return undefined
    }
  }
  if (name === 'rua' || name === 'ruf') return readUris(name, value, problems)
  const reason = check.test(value)
  if (reason) {
    problems.push(
      problem(
        name,
        `${name}=${visible(value)} is not valid: ${reason}`,
        check.rfc,
        check.effect,
        check.cite
      )
    )
    return undefined
  }
  if (name === 'fo') {
    const narrowed = foNarrowed(value)
    if (narrowed)
      problems.push(
        problem(
          'fo',
          `fo=${visible(value)} is not valid: ${narrowed}`,
          '9989',
          'default',
          'RFC 9989 4.8 dmarc-fo'
        )
      )
  }
  return value
}

/**
 * The URIs of `rua`/`ruf` that are valid; each one that is not is a problem. URIs count one by
 * one: RFC 7489 6.6.3 step 6 asks for "at least one syntactically valid reporting URI".
 */
function readUris(name: string, value: string, problems: DmarcProblem[]): string | undefined {
  const uris = value.split(',').map((u) => u.replace(WSP, ''))
  const valid = uris.filter((uri) => {
    const reason = uri === '' ? 'an empty entry in the list' : uriProblem(uri)
    if (reason)
      problems.push(
        problem(
          name,
          `${name} URI "${visible(uri)}" is not valid: ${reason}`,
          'both',
          'default',
          `${FALLBACK}; RFC 3986; RFC 6068 2`
        )
      )
    return !reason
  })
  return valid.length > 0 ? valid.join(',') : undefined
}

function outcomeOf(
  problems: DmarcProblem[],
  standard: '7489' | '9989',
  hasP: boolean,
  hasRua: boolean
): DmarcOutcome {
  const mine = problems.filter((p) => p.rfc === 'both' || p.rfc === standard)
  if (mine.some((p) => p.effect === 'discard')) return 'discard'
  const policyBroken = mine.some((p) => p.effect === 'policy')
  // RFC 9989 4.7 p: a record without p that is otherwise valid counts as p=none.
  if (standard === '9989' && !hasP && mine.length === 0) return 'policy-none'
  if (!policyBroken && hasP) return 'apply'
  // RFC 7489 6.6.3 step 6, RFC 9989 4.10.1: no valid p (or a bad sp/np): p=none if rua holds
  // a valid URI, else no DMARC at all.
  return hasRua ? 'policy-none' : 'discard'
}

/**
 * Reads a DMARC record by RFC 7489 6.3/6.4 and RFC 9989 4.7/4.8/4.10.1. Never throws. Collects
 * every problem rather than stopping at the first, each with what receivers do about it.
 */
export function readDmarc(text: string): DmarcReading {
  // A fleet's records are mostly the same few texts, read once per resolver and probe: each
  // distinct text is read once. Readings are never changed by their callers.
  const known = readings.get(text)
  if (known) return known
  const reading = read(text)
  if (readings.size >= MAX_READINGS) readings.delete(readings.keys().next().value as string)
  readings.set(text, reading)
  return reading
}

/** Readings kept, first in first out: enough for a fleet's distinct DMARC texts. */
const MAX_READINGS = 4096
const readings = new Map<string, DmarcReading>()

function read(text: string): DmarcReading {
  const problems: DmarcProblem[] = []
  const found = pieces(text, problems)
  const version = versionProblem(text, found[0])
  if (version) problems.unshift(version)
  const tags = new Map<string, string>()
  const seen = new Set<string>()
  let pIndex = -1
  for (const piece of found) {
    const bad = nameProblem(piece.name)
    if (bad) {
      problems.push(bad)
      continue
    }
    const name = piece.name.toLowerCase()
    if (seen.has(name)) {
      // RFC 6376 3.2: a tag given twice makes the whole tag-list invalid; DMARC uses that syntax.
      problems.push(
        problem(
          name,
          `tag ${name} is given twice`,
          'both',
          'discard',
          'RFC 6376 3.2 via RFC 7489 6.3 and RFC 9989 4.7'
        )
      )
      continue
    }
    seen.add(name)
    if (name === 'v') {
      if (piece.index === 0) tags.set('v', piece.value)
      continue
    }
    if (name === 'p') pIndex = piece.index
    const value = readValue(name, piece.value, problems)
    if (value !== undefined) tags.set(name, value)
  }
  if (pIndex < 0)
    problems.push(
      problem(
        'p',
        'the required tag p (policy) is missing',
        '7489',
        'policy',
        'RFC 7489 6.3 (RFC 9989 4.7 reads a record without p as p=none)'
      )
    )
  const hasRua = tags.has('rua')
  if (pIndex > 1 && !problems.some((p) => p.effect === 'discard'))
    problems.push({
      ...problem(
        'p',
        'p must come right after v=DMARC1 for RFC 7489 receivers (RFC 9989 allows any place)',
        '7489',
        'policy',
        'RFC 7489 6.3 ("v" and "p" … MUST appear in that order), 6.4 dmarc-record'
      ),
      severity: hasRua ? 'warning' : 'error'
    })
  const outcome = {
    rfc7489: outcomeOf(problems, '7489', pIndex >= 0, hasRua),
    rfc9989: outcomeOf(problems, '9989', pIndex >= 0, hasRua)
  }
  if (outcome.rfc9989 === 'policy-none') {
    tags.set('p', 'none')
    // Step 6 / 4.10.1 act as if the record held p=none alone; a record merely without p keeps sp.
    if (problems.some((p) => p.effect === 'policy' && p.rfc !== '7489')) {
      tags.delete('sp')
      tags.delete('np')
    }
  }
  return {
    ok: problems.every((p) => p.severity === 'warning'),
    discarded: outcome.rfc7489 === 'discard' || outcome.rfc9989 === 'discard',
    outcome,
    tags,
    problems
  }
}
