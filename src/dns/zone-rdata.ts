/**
 * Fields of a zone file's records: names, TTLs, types and the record data of each type, read
 * into the canonical text types.ts describes so offline answers compare equal to the wire's.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { canonicalIpv6 } from './server-address.js'
import { excerpt } from './excerpt.js'
import { recordFromWire } from './wire-rdata.js'
import { labelText } from './wire-name.js'
import { decodeEscapes, type Fail, type Token } from './zone-lexer.js'

export const MAX_U32 = 4294967295
/** The longest character-string RFC 1035 allows; longer text is split, as Knot does. */
const MAX_CHAR_STRING = 255
/** The most RDATA one record holds (its length is a 16-bit field). */
export const MAX_RDATA = 65535

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
  39: 'DNAME',
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

/** A name as labels of raw octets; the root is the empty list. */
export type Labels = Uint8Array[]

/** Reads a domain name; `@` is the origin, a name without a trailing dot is relative to it. */
export function parseName(token: Token, origin: Labels, fail: Fail, what: string): Labels {
  if (token.quoted) fail(token.line, `${what} "${excerpt(token.text)}" must not be quoted`)
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
      if (label === '') fail(token.line, `bad ${what} '${excerpt(text)}': empty label`)
      // 128 labels take at least 257 octets: stop before holding millions of them.
      if (rawLabels.length >= 127) {
        fail(token.line, `bad ${what} '${excerpt(text)}': longer than 255 octets`)
      }
      rawLabels.push(label)
      label = ''
      if (i === text.length - 1) absolute = true
    } else {
      label += c
      // A label of 64 octets or more (`\DDD` is 4 characters for one) is wrong already.
      if (label.length > 63 * 4) {
        fail(token.line, `bad ${what} '${excerpt(text)}': label longer than 63 octets`)
      }
    }
  }
  if (!absolute) rawLabels.push(label)
  const labels = rawLabels.map((raw) => {
    const bytes = decodeEscapes(token, raw, fail)
    if (bytes.length > 63)
      fail(token.line, `bad ${what} '${excerpt(text)}': label longer than 63 octets`)
    return bytes.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b))
  })
  const full = absolute ? labels : [...labels, ...origin]
  const wireLength = full.reduce((sum, l) => sum + l.length + 1, 1)
  if (wireLength > 255) fail(token.line, `bad ${what} '${excerpt(text)}': longer than 255 octets`)
  return full
}

/** The canonical text of a name: lower-case, no trailing dot, the root as ''. */
export function nameText(labels: Labels): string {
  // The wire decoder's presentation form, so both sources write a name alike.
  return labels.map((label) => labelText(label, 0, label.length)).join('.')
}

/** A name in rdata: the root stays visible as `.` (null MX `0 .`, SRV target `.`). */
function targetText(labels: Labels): string {
  return labels.length === 0 ? '.' : nameText(labels)
}

/** A TTL: seconds, or units such as `1h`, `1d`, `1w2d` (s, m, h, d, w; any case). */
export function parseTtl(token: Token, fail: Fail, what: string): number {
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
    return fail(token.line, `bad ${what} '${excerpt(text)}' (seconds, or units like 1h, 1d, 1w2d)`)
  }
  if (seconds > MAX_U32)
    fail(token.line, `bad ${what} '${excerpt(text)}' (more than ${MAX_U32} seconds)`)
  return seconds
}

export function parseType(token: Token, fail: Fail): string {
  const upper = token.text.toUpperCase()
  const generic = /^TYPE(\d+)$/.exec(upper)
  if (!token.quoted && generic) {
    const n = Number(generic[1])
    if (n > 65535) fail(token.line, `unknown record type '${excerpt(token.text)}'`)
    return TYPE_NUMBERS[n] ?? `TYPE${n}`
  }
  if (token.quoted || !KNOWN_TYPES.has(upper)) {
    fail(token.line, `unknown record type '${excerpt(token.text)}'`)
  }
  return upper
}

function parseNumber(token: Token, max: number, what: string, fail: Fail): number {
  if (token.quoted || !/^\d+$/.test(token.text) || Number(token.text) > max) {
    fail(token.line, `bad ${what} '${excerpt(token.text)}' (a number from 0 to ${max})`)
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
    fail(
      extra.line,
      `unexpected '${excerpt(extra.text)}' after the ${type} rdata (${names.join(' ')})`
    )
  }
}

/**
 * Joins character-strings as RFC 7208/7489 read them; split over 255 octets as Knot does.
 * Refuses more than {@link MAX_RDATA} octets, which no server can load.
 */
function charStrings(tokens: Token[], fail: Fail): { data: string; strings: string[] } {
  const chunks: Uint8Array[] = []
  let wireLength = 0
  for (const token of tokens) {
    const bytes = decodeEscapes(token, token.text, fail)
    wireLength += bytes.length + Math.max(1, Math.ceil(bytes.length / MAX_CHAR_STRING))
    if (wireLength > MAX_RDATA) {
      fail(token.line, `record data longer than ${MAX_RDATA} octets, the most a record can hold`)
    }
    if (bytes.length === 0) chunks.push(bytes)
    for (let at = 0; at < bytes.length; at += MAX_CHAR_STRING) {
      chunks.push(bytes.subarray(at, at + MAX_CHAR_STRING))
    }
  }
  const strings = chunks.map((c) => Buffer.from(c).toString('utf8'))
  // Joined after decoding each string, as the wire client does, so both sources agree.
  return { data: strings.length === 1 ? (strings[0] as string) : strings.join(''), strings }
}

export function parseRdata(
  type: string,
  rdata: Token[],
  origin: Labels,
  fail: Fail
): { data: string; strings?: string[] } {
  const first = rdata[0] as Token
  const field = (i: number): Token => rdata[i] as Token
  const target = (i: number, what: string): string =>
    targetText(parseName(field(i), origin, fail, what))
  if (!first.quoted && first.text === '\\#') return genericRdata(type, rdata, fail)

  switch (type) {
    case 'A': {
      expectFields(type, rdata, ['address'], fail)
      if (first.quoted || !isIPv4(first.text))
        fail(first.line, `bad IPv4 address '${excerpt(first.text)}'`)
      return { data: first.text }
    }
    case 'AAAA': {
      expectFields(type, rdata, ['address'], fail)
      if (first.quoted || first.text.includes('%') || !isIPv6(first.text)) {
        fail(first.line, `bad IPv6 address '${excerpt(first.text)}'`)
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
        fail(tag.line, `bad CAA tag '${excerpt(tag.text)}' (1 to 15 letters or digits)`)
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
 * RFC 3597 generic data, `\\# <length> <hex>...`: for the types read field by field, the same
 * canonical text as the usual form (as servers load it, so `TYPE16 \\# 6 0568656c6c6f` is the
 * TXT record "hello"); for the others `\\# <length> <HEX>`, as the wire client writes them.
 */
function genericRdata(
  type: string,
  rdata: Token[],
  fail: Fail
): { data: string; strings?: string[] } {
  const first = rdata[0] as Token
  const lengthToken = rdata[1]
  if (lengthToken === undefined) fail(first.line, 'generic data (\\#) needs a length')
  const length = parseNumber(lengthToken as Token, MAX_RDATA, 'generic data length', fail)
  const hexText = rdata
    .slice(2)
    .map((t) => t.text)
    .join('')
  if (rdata.slice(2).some((t) => t.quoted) || !/^(?:[0-9a-fA-F]{2})*$/.test(hexText)) {
    fail(first.line, 'bad generic data: expected hexadecimal octets after the length')
  }
  const bytes = Buffer.from(hexText, 'hex')
  if (bytes.length !== length) {
    fail(
      first.line,
      `bad generic data: the length says ${length} octets, the data has ${bytes.length}`
    )
  }
  if (!PARSED_TYPES.has(type)) {
    return { data: `\\# ${length}${length > 0 ? ' ' + bytes.toString('hex').toUpperCase() : ''}` }
  }
  if ((type === 'TXT' || type === 'SPF') && length === 0) {
    fail(first.line, `bad generic data: ${type} data needs at least one character-string`)
  }
  const code = Number(Object.keys(TYPE_NUMBERS).find((n) => TYPE_NUMBERS[n] === type))
  // A record with the root as owner around the data, read by the wire decoder.
  const rr = Buffer.alloc(11 + length)
  rr.writeUInt16BE(code, 1)
  rr.writeUInt16BE(1, 3)
  rr.writeUInt16BE(length, 9)
  bytes.copy(rr, 11)
  try {
    const record = recordFromWire(
      { buf: rr, start: 0, name: '', typeCode: code, ttl: 0, rdataAt: 11, rdataEnd: rr.length },
      type
    )
    return record.strings ? { data: record.data, strings: record.strings } : { data: record.data }
  } catch (error) {
    return fail(first.line, `bad generic data for ${type}: ${(error as Error).message}`)
  }
}
