/**
 * A BIND master-file (RFC 1035 section 5) parser for the records the checks look at.
 * It reads the file the way Knot DNS 3.2 does where RFC 1035 leaves room (default TTL 3600,
 * over-long TXT strings split at 255 bytes, class and TTL in either order) so that the zone
 * files answer offline what the same files would answer when served.
 */

import { isIPv4, isIPv6 } from 'node:net'
import type { DnsRecord } from './types.js'
import { UserError } from '../errors.js'

/** One record of a zone file, with the line it starts on (for messages that point at it). */
export type ZoneRecord = DnsRecord & { line: number }

/** Options for {@link parseZoneFile}. */
export interface ZoneFileOptions {
  /** The initial `$ORIGIN`, with or without the trailing dot (usually the zone name). */
  origin: string
  /** The file name used in error messages. */
  file: string
  /**
   * TTL of records that give none while no `$TTL` precedes them. Defaults to 3600, Knot's
   * `default-ttl`; Knot does not reuse the last explicit TTL as RFC 1035 suggests.
   */
  defaultTtl?: number
}

/**
 * A zone file that cannot be read. `line` is 1-based; 0 means the error concerns the whole
 * file (the message is then `FILE: what is wrong`).
 */
export class ZoneFileError extends UserError {
  readonly file: string
  readonly line: number
  /** The message without the `FILE:LINE: ` prefix. */
  readonly detail: string

  constructor(file: string, line: number, detail: string) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`)
    this.name = 'ZoneFileError'
    this.file = file
    this.line = line
    this.detail = detail
  }
}

/** Knot's default TTL for records without one when no `$TTL` is in effect. */
const KNOT_DEFAULT_TTL = 3600
const MAX_U32 = 4294967295
/** The longest character-string RFC 1035 allows; longer text is split, as Knot does. */
const MAX_CHAR_STRING = 255

/** Registered record types that may appear in a zone file (meta types such as ANY cannot). */
const KNOWN_TYPES = new Set([
  'A', 'NS', 'MD', 'MF', 'CNAME', 'SOA', 'MB', 'MG', 'MR', 'NULL', 'WKS', 'PTR', 'HINFO', 'MINFO',
  'MX', 'TXT', 'RP', 'AFSDB', 'X25', 'ISDN', 'RT', 'NSAP', 'NSAP-PTR', 'SIG', 'KEY', 'PX', 'GPOS',
  'AAAA', 'LOC', 'NXT', 'EID', 'NIMLOC', 'SRV', 'ATMA', 'NAPTR', 'KX', 'CERT', 'A6', 'DNAME',
  'SINK', 'APL', 'DS', 'SSHFP', 'IPSECKEY', 'RRSIG', 'NSEC', 'DNSKEY', 'DHCID', 'NSEC3',
  'NSEC3PARAM', 'TLSA', 'SMIMEA', 'HIP', 'NINFO', 'RKEY', 'TALINK', 'CDS', 'CDNSKEY',
  'OPENPGPKEY', 'CSYNC', 'ZONEMD', 'SVCB', 'HTTPS', 'SPF', 'UINFO', 'UID', 'GID', 'UNSPEC', 'NID',
  'L32', 'L64', 'LP', 'EUI48', 'EUI64', 'URI', 'CAA', 'AVC', 'DOA', 'AMTRELAY', 'RESINFO',
  'WALLET', 'TA', 'DLV'
]) // prettier-ignore

/** `TYPEnnn` spellings of the types parsed here, so `TYPE1` is read as `A`. */
const TYPE_NUMBERS: Record<string, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  99: 'SPF',
  257: 'CAA'
}

/** Types whose rdata is read field by field; the others are kept as text. */
const PARSED_TYPES = new Set([
  'A',
  'AAAA',
  'CNAME',
  'NS',
  'PTR',
  'DNAME',
  'MX',
  'SRV',
  'TXT',
  'SPF'
])
PARSED_TYPES.add('SOA').add('CAA')

const OTHER_CLASSES = new Set(['CH', 'CHAOS', 'HS', 'HESIOD', 'CS', 'NONE', 'ANY'])

interface Token {
  /** Source text; for a quoted string, what is between the quotes, escapes still encoded. */
  text: string
  quoted: boolean
  line: number
}

/** One logical entry: a physical line, or several joined by parentheses. */
interface Entry {
  line: number
  /** The entry starts with white space: the owner is the previous record's. */
  blankOwner: boolean
  tokens: Token[]
}

/** A name as labels of raw octets; the root is the empty list. */
type Labels = Uint8Array[]

/**
 * Parses a master file into records, in file order.
 * Names are lower-case without the trailing dot; relative names (and `@`) take the current
 * `$ORIGIN`. A CNAME beside other data is accepted: diagnosing it is the checks' job.
 * @throws ZoneFileError naming the file and line of the first problem.
 */
export function parseZoneFile(text: string, options: ZoneFileOptions): ZoneRecord[] {
  const { file } = options
  const fail = (line: number, detail: string): never => {
    throw new ZoneFileError(file, line, detail)
  }
  const originText = options.origin.endsWith('.') ? options.origin : `${options.origin}.`
  let origin: Labels = parseName({ text: originText, quoted: false, line: 0 }, [], fail, 'origin')
  let defaultTtl = options.defaultTtl ?? KNOT_DEFAULT_TTL
  let previousOwner: string | undefined
  const records: ZoneRecord[] = []

  for (const entry of tokenize(text, fail)) {
    const first = entry.tokens[0] as Token
    if (!entry.blankOwner && !first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase()
      const args = entry.tokens.slice(1)
      if (directive === '$INCLUDE') {
        fail(first.line, '$INCLUDE is not supported; put the records in this file')
      }
      if (directive !== '$ORIGIN' && directive !== '$TTL') {
        fail(first.line, `unknown directive ${first.text}`)
      }
      const arg = args[0]
      if (arg === undefined) fail(first.line, `${directive} needs a value`)
      const extra = args[1]
      if (extra !== undefined) fail(extra.line, `unexpected '${extra.text}' after ${directive}`)
      if (directive === '$ORIGIN') {
        // Knot insists on an absolute origin; BIND and RFC 1035 append a relative one to the
        // current origin, which reads the same as a relative owner name.
        origin = parseName(arg as Token, origin, fail, 'origin')
      } else {
        defaultTtl = parseTtl(arg as Token, fail, 'TTL')
      }
      continue
    }

    let rest = entry.tokens
    let owner: string
    if (entry.blankOwner) {
      if (previousOwner === undefined) {
        fail(entry.line, 'the first record has no owner name (the line starts with a blank)')
      }
      owner = previousOwner as string
    } else {
      owner = nameText(parseName(first, origin, fail, 'owner name'))
      rest = rest.slice(1)
    }
    previousOwner = owner

    let ttl: number | undefined
    let classSeen = false
    // TTL and class come in either order, each at most once (RFC 1035 section 5.1).
    for (let i = 0; i < 2; i++) {
      const token = rest[0]
      if (token === undefined || token.quoted) break
      const upper = token.text.toUpperCase()
      if (!classSeen && (upper === 'IN' || upper === 'CLASS1')) {
        classSeen = true
      } else if (!classSeen && (OTHER_CLASSES.has(upper) || /^CLASS\d+$/.test(upper))) {
        fail(token.line, `class ${token.text} is not supported (only IN)`)
      } else if (ttl === undefined && /^\d/.test(token.text)) {
        ttl = parseTtl(token, fail, 'TTL')
      } else {
        break
      }
      rest = rest.slice(1)
    }

    const typeToken = rest[0]
    if (typeToken === undefined) {
      const last = entry.tokens[entry.tokens.length - 1] as Token
      fail(last.line, `missing record type for ${owner || '.'}`)
    }
    const type = parseType(typeToken as Token, fail)
    const rdata = rest.slice(1)
    if (rdata.length === 0) fail((typeToken as Token).line, `missing rdata for ${type} record`)
    const parsed = parseRdata(type, rdata, origin, fail)
    const record: ZoneRecord = {
      name: owner,
      type,
      ttl: ttl ?? defaultTtl,
      data: parsed.data,
      line: entry.line
    }
    if (parsed.strings) record.strings = parsed.strings
    records.push(record)
  }
  return records
}

type Fail = (line: number, detail: string) => never

/** Splits the text into entries, dropping comments and joining parenthesised lines. */
function tokenize(text: string, fail: Fail): Entry[] {
  const entries: Entry[] = []
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text
  let line = 1
  let depth = 0
  let parenLine = 0
  let atLineStart = true
  let entry: Entry | undefined
  let i = 0
  const flush = (): void => {
    if (entry && entry.tokens.length > 0) entries.push(entry)
    entry = undefined
  }

  while (i < src.length) {
    const c = src[i] as string
    if (atLineStart) {
      atLineStart = false
      if (depth === 0) {
        flush()
        entry = { line, blankOwner: c === ' ' || c === '\t', tokens: [] }
      }
    }
    const current = entry as Entry
    if (c === '\n') {
      line++
      atLineStart = true
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (c === ';') {
      while (i < src.length && src[i] !== '\n') i++
    } else if (c === '(') {
      if (depth > 0) fail(line, "nested '(': parentheses cannot be nested")
      depth = 1
      parenLine = line
      i++
    } else if (c === ')') {
      if (depth === 0) fail(line, "')' without a matching '('")
      depth = 0
      i++
    } else if (c === '"') {
      const start = line
      let j = i + 1
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') fail(start, 'unterminated quoted string (a string cannot span lines)')
        if (src[j] === '\\') {
          if (j + 1 >= src.length || src[j + 1] === '\n') {
            fail(start, 'unterminated quoted string (backslash at the end of the line)')
          }
          j++
        }
        j++
      }
      if (j >= src.length) fail(start, 'unterminated quoted string')
      current.tokens.push({ text: src.slice(i + 1, j), quoted: true, line: start })
      i = j + 1
    } else {
      let j = i
      while (j < src.length && !' \t\r\n;()"'.includes(src[j] as string)) {
        if (src[j] === '\\') {
          if (j + 1 >= src.length || src[j + 1] === '\n')
            fail(line, 'backslash at the end of the line')
          j++
        }
        j++
      }
      current.tokens.push({ text: src.slice(i, j), quoted: false, line })
      i = j
    }
  }
  if (depth > 0) fail(parenLine, "'(' is never closed")
  flush()
  return entries
}

/** Decodes `\X` and `\DDD` escapes into octets; other characters become their UTF-8. */
function decodeEscapes(token: Token, text: string, fail: Fail): Uint8Array {
  const out: number[] = []
  const chars = Array.from(text)
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'))
      continue
    }
    const next = chars[i + 1]
    if (next === undefined) fail(token.line, `bad escape at the end of '${token.text}'`)
    if (/^\d$/.test(next as string)) {
      const digits = chars.slice(i + 1, i + 4).join('')
      if (!/^\d{3}$/.test(digits)) {
        fail(token.line, `bad escape '\\${digits}' in '${token.text}' (\\DDD needs three digits)`)
      }
      const value = Number(digits)
      if (value > 255) fail(token.line, `bad escape '\\${digits}' in '${token.text}' (over 255)`)
      out.push(value)
      i += 3
    } else {
      out.push(...Buffer.from(next as string, 'utf8'))
      i += 1
    }
  }
  return Uint8Array.from(out)
}

/** Reads a domain name; `@` is the origin, a name without a trailing dot is relative to it. */
function parseName(token: Token, origin: Labels, fail: Fail, what: string): Labels {
  if (token.quoted) fail(token.line, `${what} "${token.text}" must not be quoted`)
  const text = token.text
  if (text === '@') return origin
  if (text === '.') return []
  const rawLabels: string[] = []
  let label = ''
  let absolute = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c === '\\') {
      label += c + (text[i + 1] ?? '')
      i++
    } else if (c === '.') {
      if (label === '') fail(token.line, `bad ${what} '${text}': empty label`)
      rawLabels.push(label)
      label = ''
      if (i === text.length - 1) absolute = true
    } else {
      label += c
    }
  }
  if (!absolute) rawLabels.push(label)
  const labels = rawLabels.map((raw) => {
    const bytes = decodeEscapes(token, raw, fail)
    if (bytes.length > 63) fail(token.line, `bad ${what} '${text}': label longer than 63 octets`)
    return bytes.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b))
  })
  const full = absolute ? labels : [...labels, ...origin]
  const wireLength = full.reduce((sum, l) => sum + l.length + 1, 1)
  if (wireLength > 255) fail(token.line, `bad ${what} '${text}': longer than 255 octets`)
  return full
}

/** The canonical text of a name: lower-case, no trailing dot, the root as ''. */
function nameText(labels: Labels): string {
  return labels
    .map((label) =>
      Array.from(label, (b) => {
        if (b === 0x2e || b === 0x5c) return `\\${String.fromCharCode(b)}`
        if (b < 0x21 || b > 0x7e) return `\\${String(b).padStart(3, '0')}`
        return String.fromCharCode(b)
      }).join('')
    )
    .join('.')
}

/** A name in rdata: the root stays visible as `.` (null MX `0 .`, SRV target `.`). */
function targetText(labels: Labels): string {
  return labels.length === 0 ? '.' : nameText(labels)
}

/** A TTL: seconds, or units such as `1h`, `1d`, `1w2d` (s, m, h, d, w; any case). */
function parseTtl(token: Token, fail: Fail, what: string): number {
  const text = token.text
  let seconds: number
  if (!token.quoted && /^\d+$/.test(text)) {
    seconds = Number(text)
  } else if (!token.quoted && /^(\d+[smhdw])+$/i.test(text)) {
    const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }
    seconds = 0
    for (const [, n, u] of text.matchAll(/(\d+)([smhdw])/gi)) {
      seconds += Number(n) * (unit[(u as string).toLowerCase()] as number)
    }
  } else {
    return fail(token.line, `bad ${what} '${text}' (seconds, or units like 1h, 1d, 1w2d)`)
  }
  if (seconds > MAX_U32) fail(token.line, `bad ${what} '${text}' (more than ${MAX_U32} seconds)`)
  return seconds
}

function parseType(token: Token, fail: Fail): string {
  const upper = token.text.toUpperCase()
  const generic = /^TYPE(\d+)$/.exec(upper)
  if (!token.quoted && generic) {
    const n = Number(generic[1])
    if (n > 65535) fail(token.line, `unknown record type '${token.text}'`)
    return TYPE_NUMBERS[n] ?? `TYPE${n}`
  }
  if (token.quoted || !KNOWN_TYPES.has(upper)) {
    fail(token.line, `unknown record type '${token.text}'`)
  }
  return upper
}

function parseNumber(token: Token, max: number, what: string, fail: Fail): number {
  if (token.quoted || !/^\d+$/.test(token.text) || Number(token.text) > max) {
    fail(token.line, `bad ${what} '${token.text}' (a number from 0 to ${max})`)
  }
  return Number(token.text)
}

/** Checks the number of rdata fields of a fixed-format type. */
function expectFields(type: string, rdata: Token[], names: string[], fail: Fail): void {
  const first = rdata[0] as Token
  if (rdata.length < names.length) {
    fail(
      first.line,
      `${type} rdata needs ${names.length} fields (${names.join(' ')}), got ${rdata.length}`
    )
  }
  const extra = rdata[names.length]
  if (extra !== undefined) {
    fail(extra.line, `unexpected '${extra.text}' after the ${type} rdata (${names.join(' ')})`)
  }
}

/** Joins character-strings as RFC 7208/7489 read them; split over 255 octets as Knot does. */
function charStrings(tokens: Token[], fail: Fail): { data: string; strings: string[] } {
  const chunks: Uint8Array[] = []
  for (const token of tokens) {
    const bytes = decodeEscapes(token, token.text, fail)
    if (bytes.length === 0) chunks.push(bytes)
    for (let at = 0; at < bytes.length; at += MAX_CHAR_STRING) {
      chunks.push(bytes.subarray(at, at + MAX_CHAR_STRING))
    }
  }
  const strings = chunks.map((c) => Buffer.from(c).toString('utf8'))
  // Joined after decoding each string, as the wire client does, so both sources agree.
  return { data: strings.join(''), strings }
}

function parseRdata(
  type: string,
  rdata: Token[],
  origin: Labels,
  fail: Fail
): { data: string; strings?: string[] } {
  const first = rdata[0] as Token
  const field = (i: number): Token => rdata[i] as Token
  const target = (i: number, what: string): string =>
    targetText(parseName(field(i), origin, fail, what))
  if (!first.quoted && first.text === '\\#' && PARSED_TYPES.has(type)) {
    fail(first.line, `generic rdata (\\#) is not supported for ${type}; write it in the usual form`)
  }

  switch (type) {
    case 'A': {
      expectFields(type, rdata, ['address'], fail)
      if (first.quoted || !isIPv4(first.text)) fail(first.line, `bad IPv4 address '${first.text}'`)
      return { data: first.text }
    }
    case 'AAAA': {
      expectFields(type, rdata, ['address'], fail)
      if (first.quoted || first.text.includes('%') || !isIPv6(first.text)) {
        fail(first.line, `bad IPv6 address '${first.text}'`)
      }
      return { data: canonicalIpv6(first.text) }
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME':
      expectFields(type, rdata, ['target'], fail)
      return { data: target(0, `${type} target`) }
    case 'MX': {
      expectFields(type, rdata, ['preference', 'exchange'], fail)
      const preference = parseNumber(first, 65535, 'MX preference', fail)
      return { data: `${preference} ${target(1, 'MX exchange')}` }
    }
    case 'SRV': {
      expectFields(type, rdata, ['priority', 'weight', 'port', 'target'], fail)
      const numbers = ['priority', 'weight', 'port'].map((what, i) =>
        parseNumber(field(i), 65535, `SRV ${what}`, fail)
      )
      return { data: `${numbers.join(' ')} ${target(3, 'SRV target')}` }
    }
    case 'TXT':
    case 'SPF':
      return charStrings(rdata, fail)
    case 'SOA': {
      const names = ['mname', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum']
      expectFields(type, rdata, names, fail)
      const serial = parseNumber(field(2), MAX_U32, 'SOA serial', fail)
      const timers = names.slice(3).map((what, i) => parseTtl(field(i + 3), fail, `SOA ${what}`))
      const mname = target(0, 'SOA mname')
      const rname = target(1, 'SOA rname')
      return { data: [mname, rname, serial, ...timers].join(' ') }
    }
    case 'CAA': {
      expectFields(type, rdata, ['flags', 'tag', 'value'], fail)
      const flags = parseNumber(first, 255, 'CAA flags', fail)
      const tag = field(1)
      if (tag.quoted || !/^[A-Za-z0-9]{1,15}$/.test(tag.text)) {
        fail(tag.line, `bad CAA tag '${tag.text}' (1 to 15 letters or digits)`)
      }
      const value = Buffer.from(decodeEscapes(field(2), field(2).text, fail)).toString('utf8')
      // The presentation form dig and kdig print: flags, tag, the value quoted.
      return { data: `${flags} ${tag.text} "${value.replace(/["\\]/g, (c) => `\\${c}`)}"` }
    }
    default:
      return { data: rdata.map((t) => (t.quoted ? `"${t.text}"` : t.text)).join(' ') }
  }
}

/**
 * RFC 5952 text of an IPv6 address as inet_ntop prints it (and so kdig): lower-case, the
 * longest run of zero groups (the first on a tie, at least two) as `::`, IPv4-mapped and
 * IPv4-compatible addresses with the dotted tail.
 */
export function canonicalIpv6(address: string): string {
  const groups = ipv6Groups(address)
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  if (bestLength < 2) bestStart = -1
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':')
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff))) {
    const g6 = groups[6] as number
    const g7 = groups[7] as number
    const v4 = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join('.')
    return bestLength === 6 ? `::${v4}` : `::ffff:${v4}`
  }
  if (bestStart < 0) return hex(0, 8)
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`
}

/** The eight 16-bit groups of a valid IPv6 address. */
function ipv6Groups(address: string): number[] {
  const parse = (part: string): number[] => {
    if (part === '') return []
    const out: number[] = []
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number]
        out.push((a << 8) | b, (c << 8) | d)
      } else {
        out.push(parseInt(piece, 16))
      }
    }
    return out
  }
  const [head = '', tail] = address.split('::')
  const headGroups = parse(head)
  if (tail === undefined) return headGroups
  const tailGroups = parse(tail)
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0)
  return [...headGroups, ...zeros, ...tailGroups]
}
