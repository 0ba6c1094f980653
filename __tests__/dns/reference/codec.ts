// The decoder and encoder as they were before the lean rewrite (commit 3abe86d), kept verbatim
// as the oracle the property tests compare the new ones with. Not used by src/.
/**
 * The DNS message codec: a question into a query message, a response message into our plain
 * data. Pure (no sockets, no clock), so the wire and DoH transports share it and tests can
 * feed it bytes.
 */
import dnsPacket from 'dns-packet'
import { decodeName, encodeName, presentationName } from './wire-name.js'
import { recordFromWire, type WireRecord } from './wire-rdata.js'
import { errorText } from '../../../src/net/errors.js'
import {
  normalizeName,
  type DnsQuestion,
  type DnsRecord,
  type DnsResponse,
  type Rcode
} from '../../../src/dns/types.js'

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
  let parsed: ParsedMessage
  try {
    parsed = parseMessage(buf)
  } catch (err) {
    throw new Error(`cannot decode it: ${errorText(err)}`, { cause: err })
  }
  const flags = buf.readUInt16BE(2)
  if ((flags & 0x8000) === 0) {
    throw new Error('it is a query (QR bit clear), not a response')
  }
  // The OPT record carries the upper 8 bits of a 12-bit RCODE (RFC 6891).
  const rcodeValue = (parsed.extendedRcode << 4) | (flags & 0xf)
  return {
    id: buf.readUInt16BE(0),
    questions: parsed.questions,
    response: {
      rcode: rcodeName(rcodeValue),
      flags: {
        aa: (flags & 0x0400) !== 0,
        tc: (flags & 0x0200) !== 0,
        rd: (flags & 0x0100) !== 0,
        ra: (flags & 0x0080) !== 0
      },
      answers: parsed.answers,
      authority: parsed.authority,
      ...(parsed.glue.length > 0 ? { additional: parsed.glue } : {})
    }
  }
}

interface ParsedMessage {
  questions: { name: string; type: string }[]
  answers: DnsRecord[]
  authority: DnsRecord[]
  /** The additional section's addresses, read only in a referral (see {@link parseMessage}). */
  glue: DnsRecord[]
  extendedRcode: number
}

/** Record types kept from a referral's additional section: the name servers' addresses. */
const A = 1
const AAAA = 28

/**
 * Reads the sections of a message. Names are read here rather than by dns-packet, whose
 * decoder joins labels with a plain dot: `a\.b.example` (a dot inside the first label) and
 * `a.b.example` must not read the same. Throws on anything malformed.
 * The additional section is read for the OPT record, and for the A/AAAA glue only in a
 * referral (no answer, no AA, NS in the authority): an ordinary answer costs nothing more.
 */
function parseMessage(buf: Buffer): ParsedMessage {
  const counts = [
    buf.readUInt16BE(4),
    buf.readUInt16BE(6),
    buf.readUInt16BE(8),
    buf.readUInt16BE(10)
  ]
  let at = 12
  const questions: { name: string; type: string }[] = []
  for (let i = 0; i < (counts[0] as number); i++) {
    const { name, end } = decodeName(buf, at)
    if (end + 4 > buf.length) throw new Error('a question runs past the end of the message')
    questions.push({ name, type: typeMnemonic(buf.readUInt16BE(end)) })
    at = end + 4
  }
  const sections: DnsRecord[][] = [[], [], []]
  let extendedRcode = 0
  let glue = false
  for (let section = 0; section < 3; section++) {
    const count = counts[section + 1] as number
    if (section === 2) {
      glue =
        count > 0 &&
        (sections[0] as DnsRecord[]).length === 0 &&
        (buf.readUInt16BE(2) & 0x0400) === 0 &&
        (sections[1] as DnsRecord[]).some((r) => r.type === 'NS')
    }
    for (let i = 0; i < count; i++) {
      const start = at
      const { name, end } = decodeName(buf, at)
      if (end + 10 > buf.length) throw new Error('a record runs past the end of the message')
      const typeCode = buf.readUInt16BE(end)
      const ttl = buf.readUInt32BE(end + 4)
      const rdataAt = end + 10
      const rdataEnd = rdataAt + buf.readUInt16BE(end + 8)
      if (rdataEnd > buf.length) throw new Error('a record runs past the end of the message')
      at = rdataEnd
      if (typeCode === OPT) {
        extendedRcode = ttl >>> 24
        continue
      }
      if (section === 2 && !(glue && (typeCode === A || typeCode === AAAA))) continue
      const wire: WireRecord = { buf, start, name, typeCode, ttl, rdataAt, rdataEnd }
      ;(sections[section] as DnsRecord[]).push(recordFromWire(wire, typeMnemonic(typeCode)))
    }
  }
  return {
    questions,
    answers: sections[0] as DnsRecord[],
    authority: sections[1] as DnsRecord[],
    glue: sections[2] as DnsRecord[],
    extendedRcode
  }
}

/** The OPT pseudo-record type (RFC 6891). */
const OPT = 41

/** Mnemonics by type number, learnt from dns-packet once per number. */
const typeMnemonics = new Map<number, string>()

/** The mnemonic of a type number; `TYPE<n>` (RFC 3597) for a number without one. */
function typeMnemonic(code: number): string {
  const known = typeMnemonics.get(code)
  if (known !== undefined) return known
  const mnemonic = code === 0 ? 'TYPE0' : canonicalType(`TYPE${code}`)
  typeMnemonics.set(code, mnemonic)
  return mnemonic
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
  if (decoded.questions.length !== 1 || q?.type !== question.type) return false
  // The asked name may be written another way than the decoder writes it (`é` for `\195\169`).
  return q.name === question.name || q.name === presentationName(question.name)
}
