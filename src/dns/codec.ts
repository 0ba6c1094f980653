/**
 * The DNS message codec: a question into a query message, a response message into our plain
 * data. Pure (no sockets, no clock), so the wire and DoH transports share it and tests can
 * feed it bytes.
 */
import dnsPacket from 'dns-packet'
import type { Answer, DecodedPacket, OptAnswer } from 'dns-packet'
import { canonicalIpv6 } from './server-address.js'
import { encodeName } from './wire-name.js'
import { errorText } from '../net/errors.js'
import {
  normalizeName,
  type DnsQuestion,
  type DnsRecord,
  type DnsResponse,
  type Rcode
} from './types.js'

/** EDNS0 UDP payload size: the DNS Flag Day 2020 value, small enough to avoid fragmentation. */
export const EDNS_UDP_PAYLOAD_SIZE = 1232

/** Options for {@link encodeQuery}. */
export interface EncodeQueryOptions {
  id: number
  recursionDesired: boolean
}

/**
 * Encodes one question as a DNS query message with an EDNS0 OPT record.
 * The name is sent lower-case; `TYPEnnn` (RFC 3597) asks for a type by number.
 * Throws on a name that cannot be put on the wire or a type we cannot name.
 */
export function encodeQuery(question: DnsQuestion, options: EncodeQueryOptions): Buffer {
  const name = encodeName(normalizeName(question.name))
  if (!Number.isInteger(options.id) || options.id < 0 || options.id > 0xffff) {
    throw new Error(`invalid DNS message id ${options.id}: must be 0-65535`)
  }
  const type = typeNumber(question.type)
  // Header, question, and an OPT record (root owner, type 41, payload size as class, no TTL
  // flags, no options), written directly: this runs once per question of a fleet run.
  const buf = Buffer.allocUnsafe(12 + name.length + 4 + 11)
  buf.writeUInt16BE(options.id, 0)
  buf.writeUInt16BE(options.recursionDesired ? RECURSION_DESIRED : 0, 2)
  buf.writeUInt16BE(1, 4)
  buf.writeUInt32BE(0, 6)
  buf.writeUInt16BE(1, 10)
  name.copy(buf, 12)
  let at = 12 + name.length
  buf.writeUInt16BE(type, at)
  buf.writeUInt16BE(1, at + 2)
  at += 4
  buf[at] = 0
  buf.writeUInt16BE(41, at + 1)
  buf.writeUInt16BE(EDNS_UDP_PAYLOAD_SIZE, at + 3)
  buf.writeUInt32BE(0, at + 5)
  buf.writeUInt16BE(0, at + 9)
  return buf
}

const RECURSION_DESIRED = 0x0100

/** Type numbers by the names questions use, learnt from dns-packet once per name. */
const typeNumbers = new Map<string, number>()

/**
 * The number of a type given as its mnemonic or as RFC 3597 `TYPE<n>`. Throws on a type we
 * cannot name (dns-packet would encode it as 0) or a number out of range.
 */
function typeNumber(type: string): number {
  const upper = type.toUpperCase()
  const known = typeNumbers.get(upper)
  if (known !== undefined) return known
  // dns-packet names unknown types UNKNOWN_<n>, which is how RFC 3597 TYPE<n> reaches it.
  const packet = dnsPacket.encode({ questions: [{ name: '.', type: toPacketType(type) }] })
  const value = packet.readUInt16BE(13)
  if (value === 0) throw new Error(`unknown record type ${type}`)
  if (typeNumbers.size < 1024) typeNumbers.set(upper, value)
  return value
}

/**
 * Decodes a DNS response into our plain data. Throws when the bytes are not a DNS message
 * or are a query rather than a response; the resolver turns that into an outcome.
 */
export function decodeResponse(buf: Buffer): DnsResponse {
  return decodeMessage(buf).response
}

/** A decoded response with what is needed to match it to the query it answers. */
export interface DecodedMessage {
  id: number
  /** Names normalised, types as {@link canonicalType} gives them. */
  questions: { name: string; type: string }[]
  response: DnsResponse
}

/** {@link decodeResponse}, keeping the message id and questions; throws as it does. */
export function decodeMessage(buf: Buffer): DecodedMessage {
  if (buf.length < 12) {
    throw new Error(`${buf.length} bytes, shorter than a DNS header`)
  }
  let packet: DecodedPacket
  try {
    packet = dnsPacket.decode(buf)
  } catch (err) {
    throw new Error(`cannot decode it: ${errorText(err)}`, { cause: err })
  }
  if (!packet.flag_qr) {
    throw new Error('it is a query (QR bit clear), not a response')
  }
  const opt = (packet.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT')
  // The OPT record carries the upper 8 bits of a 12-bit RCODE (RFC 6891).
  const rcodeValue = ((opt?.extendedRcode ?? 0) << 4) | (buf.readUInt16BE(2) & 0xf)
  return {
    id: packet.id ?? buf.readUInt16BE(0),
    questions: (packet.questions ?? []).map((q) => ({
      name: normalizeName(q.name),
      type: typeName(q.type)
    })),
    response: {
      rcode: rcodeName(rcodeValue),
      flags: { aa: packet.flag_aa, tc: packet.flag_tc, rd: packet.flag_rd, ra: packet.flag_ra },
      answers: toRecords(packet.answers),
      authority: toRecords(packet.authorities)
    }
  }
}

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
  11: 'DSOTYPENI',
  16: 'BADVERS',
  23: 'BADCOOKIE'
}

function rcodeName(value: number): Rcode {
  return RCODE_NAMES[value] ?? `RCODE${value}`
}

/** Our mnemonic for a dns-packet type: its `UNKNOWN_<n>` becomes RFC 3597 `TYPE<n>`. */
function typeName(type: string): string {
  const unknown = /^UNKNOWN_(\d+)$/.exec(type)
  return unknown ? `TYPE${unknown[1]}` : type.toUpperCase()
}

/** The reverse of {@link typeName}, for encoding. */
function toPacketType(type: string): dnsPacket.RecordType {
  const upper = type.toUpperCase()
  const numbered = /^TYPE(\d+)$/.exec(upper)
  if (numbered) {
    const value = Number(numbered[1])
    if (value < 1 || value > 0xffff) throw new Error(`invalid record type ${type}`)
    return `UNKNOWN_${value}` as dnsPacket.RecordType
  }
  return upper as dnsPacket.RecordType
}

/**
 * The form a type is keyed and compared in: its upper-case mnemonic, `TYPE<n>` only for a type
 * without one, so `TYPE16` and `TXT` are the same question.
 */
export function canonicalType(type: string): string {
  const upper = type.toUpperCase()
  if (!/^TYPE\d+$/.test(upper)) return upper
  try {
    // Round-trip through dns-packet, which knows the mnemonics for the numbers.
    const packet = dnsPacket.encode({ questions: [{ name: '.', type: toPacketType(upper) }] })
    return typeName(dnsPacket.decode(packet).questions?.[0]?.type ?? upper)
  } catch {
    return upper
  }
}

function toRecords(answers: Answer[] | undefined): DnsRecord[] {
  const records: DnsRecord[] = []
  for (const answer of answers ?? []) {
    if (answer.type === 'OPT') continue
    records.push(toRecord(answer))
  }
  return records
}

function toRecord(answer: Exclude<Answer, OptAnswer>): DnsRecord {
  const base = {
    name: normalizeName(answer.name),
    type: typeName(answer.type),
    ttl: answer.ttl ?? 0
  }
  if (answer.type === 'TXT') {
    const strings = toArray(answer.data).map((s) => (Buffer.isBuffer(s) ? s.toString('utf8') : s))
    return { ...base, data: strings.join(''), strings }
  }
  if (base.type === 'SPF' && Buffer.isBuffer(answer.data)) {
    // dns-packet leaves SPF (type 99) undecoded; its RDATA is the same as TXT's.
    const strings = characterStrings(answer.data)
    if (strings) return { ...base, data: strings.join(''), strings }
  }
  return { ...base, data: recordData(answer) }
}

function toArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value]
}

/** Splits RDATA into RFC 1035 character-strings, or undefined if it is not made of them. */
function characterStrings(data: Buffer): string[] | undefined {
  const strings: string[] = []
  let offset = 0
  while (offset < data.length) {
    const length = data[offset] ?? 0
    if (offset + 1 + length > data.length) return undefined
    strings.push(data.toString('utf8', offset + 1, offset + 1 + length))
    offset += 1 + length
  }
  return strings
}

/** The canonical text of one record's value, as types.ts describes it. */
function recordData(answer: Exclude<Answer, OptAnswer>): string {
  switch (answer.type) {
    case 'A':
      return answer.data
    case 'AAAA':
      // RFC 5952 text, as the zone-file source writes it, so both sources compare equal.
      return canonicalIpv6(answer.data)
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return normalizeName(answer.data)
    case 'MX':
      return `${answer.data.preference ?? 0} ${normalizeName(answer.data.exchange) || '.'}`
    case 'SOA': {
      const d = answer.data
      return [
        normalizeName(d.mname),
        normalizeName(d.rname),
        d.serial ?? 0,
        d.refresh ?? 0,
        d.retry ?? 0,
        d.expire ?? 0,
        d.minimum ?? 0
      ].join(' ')
    }
    case 'SRV': {
      const d = answer.data
      return `${d.priority ?? 0} ${d.weight ?? 0} ${d.port} ${normalizeName(d.target) || '.'}`
    }
    case 'CAA':
      return `${answer.data.flags ?? 0} ${answer.data.tag} ${quote(answer.data.value)}`
    case 'HINFO':
      return `${quote(answer.data.cpu)} ${quote(answer.data.os)}`
    case 'NAPTR': {
      const d = answer.data
      const fields = [d.order, d.preference, quote(d.flags), quote(d.services), quote(d.regexp)]
      return `${fields.join(' ')} ${normalizeName(d.replacement) || '.'}`
    }
    case 'DS':
      return `${answer.data.keyTag} ${answer.data.algorithm} ${answer.data.digestType} ${hex(answer.data.digest)}`
    case 'DNSKEY':
      return `${answer.data.flags} 3 ${answer.data.algorithm} ${answer.data.key.toString('base64')}`
    case 'RRSIG': {
      const d = answer.data
      return [
        d.typeCovered,
        d.algorithm,
        d.labels,
        d.originalTTL,
        d.expiration,
        d.inception,
        d.keyTag,
        normalizeName(d.signersName) || '.',
        d.signature.toString('base64')
      ].join(' ')
    }
    case 'NSEC':
      return [normalizeName(answer.data.nextDomain) || '.', ...answer.data.rrtypes].join(' ')
    case 'NSEC3': {
      const d = answer.data
      const salt = d.salt.length > 0 ? hex(d.salt) : '-'
      const fields = [d.algorithm, d.flags, d.iterations, salt, base32hex(d.nextDomain)]
      return [...fields, ...d.rrtypes].join(' ')
    }
    case 'TLSA':
      return `${answer.data.usage} ${answer.data.selector} ${answer.data.matchingType} ${hex(answer.data.certificate)}`
    case 'SSHFP':
      return `${answer.data.algorithm} ${answer.data.hash} ${answer.data.fingerprint.toUpperCase()}`
    case 'RP':
      return `${normalizeName(answer.data.mbox) || '.'} ${normalizeName(answer.data.txt) || '.'}`
    default: {
      const data: unknown = answer.data
      // RFC 3597 generic form for anything dns-packet leaves as bytes.
      if (Buffer.isBuffer(data)) return `\\# ${data.length}${data.length ? ' ' + hex(data) : ''}`
      return JSON.stringify(data)
    }
  }
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`
}

function hex(buf: Buffer): string {
  return buf.toString('hex').toUpperCase()
}

/** NSEC3 owner hashes are written in base32hex without padding (RFC 5155). */
function base32hex(buf: Buffer): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUV'
  let out = ''
  let bits = 0
  let value = 0
  for (const byte of buf) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}

/**
 * Whether a response answers the question asked: it repeats that one question, or, as some
 * servers do in an error response (FORMERR, NOTIMP), none at all.
 */
export function answersQuestion(
  decoded: DecodedMessage,
  question: { name: string; type: string }
): boolean {
  if (decoded.questions.length === 0) return decoded.response.rcode !== 'NOERROR'
  const q = decoded.questions[0]
  return decoded.questions.length === 1 && q?.name === question.name && q.type === question.type
}
