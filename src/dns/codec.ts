/**
 * The DNS message codec: a question into a query message, a response message into our plain
 * data. Pure (no sockets, no clock), so the wire and DoH transports share it and tests can
 * feed it bytes.
 */
import dnsPacket from 'dns-packet'
import { encodeName, lastNameEnd, presentationName, readName, startMessage } from './wire-name.js'
import { readRecord } from './wire-rdata.js'
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
  const name = wireName(question.name)
  checkId(options.id)
  const type = typeNumber(question.type)
  const buf = Buffer.allocUnsafe(queryLength(name))
  writeQuery(buf, 0, name, type, options)
  return buf
}

/**
 * {@link encodeQuery} written into `target` at `at` with its two-byte length in front, as TCP
 * carries it (RFC 1035 section 4.2.2), so a pipelined connection can put many queries in one
 * buffer without a buffer each. Returns where the next one goes; `null` when the query does not
 * fit in what is left of `target` (nothing written then). Throws as {@link encodeQuery} does,
 * before writing anything.
 */
export function encodeFramedQuery(
  target: Buffer,
  at: number,
  question: DnsQuestion,
  options: EncodeQueryOptions
): number | null {
  const name = wireName(question.name)
  checkId(options.id)
  const type = typeNumber(question.type)
  const length = queryLength(name)
  if (at + 2 + length > target.length) return null
  target[at] = length >> 8
  target[at + 1] = length & 0xff
  writeQuery(target, at + 2, name, type, options)
  return at + 2 + length
}

/** The length of a query for a name of this wire form: header, question and OPT record. */
function queryLength(name: Buffer): number {
  return 12 + name.length + 4 + 11
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new Error(`invalid DNS message id ${id}: must be 0-65535`)
  }
}

/**
 * Header, question, and an OPT record (root owner, type 41, payload size as class, no TTL
 * flags, no options), byte by byte: this runs once per question of a fleet run.
 */
function writeQuery(
  buf: Buffer,
  at: number,
  name: Buffer,
  type: number,
  options: EncodeQueryOptions
): void {
  buf[at] = options.id >> 8
  buf[at + 1] = options.id & 0xff
  buf[at + 2] = options.recursionDesired ? RECURSION_DESIRED >> 8 : 0
  buf[at + 3] = 0
  // One question, no answer or authority record, one additional record (the OPT).
  buf[at + 4] = 0
  buf[at + 5] = 1
  buf[at + 6] = 0
  buf[at + 7] = 0
  buf[at + 8] = 0
  buf[at + 9] = 0
  buf[at + 10] = 0
  buf[at + 11] = 1
  name.copy(buf, at + 12)
  let i = at + 12 + name.length
  buf[i++] = type >> 8
  buf[i++] = type & 0xff
  buf[i++] = 0
  buf[i++] = 1
  buf[i++] = 0
  buf[i++] = 0
  buf[i++] = 41
  buf[i++] = EDNS_UDP_PAYLOAD_SIZE >> 8
  buf[i++] = EDNS_UDP_PAYLOAD_SIZE & 0xff
  // No extended rcode, version or flags (the TTL), no options (RDLENGTH 0).
  for (let end = i + 6; i < end; i++) buf[i] = 0
}

/**
 * Wire forms of the names asked lately, by the name as given: a fleet run asks each name of
 * a domain once per resolver, and each of a domain's names several times (one per type).
 * Cleared when full; a name that cannot go on the wire is never kept (it throws each time).
 */
const wireNames = new Map<string, Buffer>()
const WIRE_NAMES_KEPT = 1024

/** The wire form of a question's name, lower-cased, without its trailing dot. */
function wireName(name: string): Buffer {
  const known = wireNames.get(name)
  if (known !== undefined) return known
  const wire = encodeName(normalizeName(name))
  if (wireNames.size >= WIRE_NAMES_KEPT) wireNames.clear()
  wireNames.set(name, wire)
  return wire
}

const RECURSION_DESIRED = 0x0100

/** Type numbers by the names questions use, learnt from dns-packet once per name. */
const typeNumbers = new Map<string, number>()

/**
 * The number of a type given as its mnemonic or as RFC 3597 `TYPE<n>`. Throws on a type we
 * cannot name (dns-packet would encode it as 0) or a number out of range.
 */
function typeNumber(type: string): number {
  // Questions come with their type upper-case already: most need no new string.
  const asGiven = typeNumbers.get(type)
  if (asGiven !== undefined) return asGiven
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
  const questions: { name: string; type: string }[] = []
  const response = decodeSections(buf, questions)
  return { id: buf.readUInt16BE(0), questions, response }
}

/**
 * The response in `buf` if it answers `question` ({@link answersQuestion} on what
 * {@link decodeMessage} gives), `undefined` if it answers another; throws as
 * {@link decodeMessage} does, whichever question it answers. For the transports, which know
 * from the message id which question it should answer: no questions array, no message object.
 */
export function decodeAnswer(
  buf: Buffer,
  question: { name: string; type: string }
): DnsResponse | undefined {
  const response = decodeSections(buf, undefined)
  if (questionCount === 0) return response.rcode !== 'NOERROR' ? response : undefined
  if (questionCount !== 1 || firstType !== question.type) return undefined
  // The asked name may be written another way than the decoder writes it (`é` for `\195\169`).
  return firstName === question.name || firstName === presentationName(question.name)
    ? response
    : undefined
}

/** The number of questions in the message {@link decodeSections} read last. */
let questionCount = 0
/** The name and type of its first question, when it has one. */
let firstName = ''
let firstType = ''

/**
 * Decodes the header and sections of a response, its questions into `questions` when given
 * (else only the first is kept, in {@link firstName} and {@link firstType}). Throws when the
 * bytes are not a DNS message or are a query.
 */
function decodeSections(
  buf: Buffer,
  questions: { name: string; type: string }[] | undefined
): DnsResponse {
  if (buf.length < 12) {
    throw new Error(`${buf.length} bytes, shorter than a DNS header`)
  }
  let response: DnsResponse
  try {
    response = parseMessage(buf, questions)
  } catch (err) {
    throw new Error(`cannot decode it: ${errorText(err)}`, { cause: err })
  }
  if ((buf[2]! & 0x80) === 0) {
    throw new Error('it is a query (QR bit clear), not a response')
  }
  return response
}

/** Record types kept from a referral's additional section: the name servers' addresses. */
const A = 1
const AAAA = 28

/**
 * Reads the sections of a message into a response. Names are read here rather than by
 * dns-packet, whose decoder joins labels with a plain dot: `a\.b.example` (a dot inside the
 * first label) and `a.b.example` must not read the same. Throws on anything malformed.
 * The additional section is read for the OPT record, and for the A/AAAA glue only in a
 * referral (no answer, no AA, NS in the authority): an ordinary answer costs nothing more.
 */
function parseMessage(
  buf: Buffer,
  questions: { name: string; type: string }[] | undefined
): DnsResponse {
  startMessage(buf)
  const count = u16(buf, 4)
  questionCount = count
  let at = 12
  for (let i = 0; i < count; i++) {
    const name = readName(buf, at, true)
    const end = lastNameEnd()
    if (end + 4 > buf.length) throw new Error('a question runs past the end of the message')
    const type = typeMnemonic(u16(buf, end))
    if (questions !== undefined) questions.push({ name, type })
    if (i === 0) {
      firstName = name
      firstType = type
    }
    at = end + 4
  }
  const answers: DnsRecord[] = []
  const authority: DnsRecord[] = []
  /** The additional section's addresses, made only in a referral that has some. */
  let glue: DnsRecord[] | undefined
  let extendedRcode = 0
  let referral = false
  for (let section = 0; section < 3; section++) {
    const count = u16(buf, 6 + 2 * section)
    if (section === 2) {
      referral =
        count > 0 &&
        answers.length === 0 &&
        (buf[2]! & 0x04) === 0 &&
        authority.some((r) => r.type === 'NS')
    }
    for (let i = 0; i < count; i++) {
      const start = at
      const name = readName(buf, at, true)
      const end = lastNameEnd()
      if (end + 10 > buf.length) throw new Error('a record runs past the end of the message')
      const typeCode = u16(buf, end)
      const ttl = buf.readUInt32BE(end + 4)
      const rdataAt = end + 10
      const rdataEnd = rdataAt + u16(buf, end + 8)
      if (rdataEnd > buf.length) throw new Error('a record runs past the end of the message')
      at = rdataEnd
      if (typeCode === OPT) {
        extendedRcode = ttl >>> 24
        continue
      }
      if (section === 2 && !(referral && (typeCode === A || typeCode === AAAA))) continue
      const type = typeMnemonic(typeCode)
      const record = readRecord(buf, start, name, typeCode, ttl, rdataAt, rdataEnd, type)
      if (section === 0) answers.push(record)
      else if (section === 1) authority.push(record)
      else (glue ??= []).push(record)
    }
  }
  const flags = u16(buf, 2)
  // The OPT record carries the upper 8 bits of a 12-bit RCODE (RFC 6891).
  const response: DnsResponse = {
    rcode: rcodeName((extendedRcode << 4) | (flags & 0xf)),
    flags: {
      aa: (flags & 0x0400) !== 0,
      tc: (flags & 0x0200) !== 0,
      rd: (flags & 0x0100) !== 0,
      ra: (flags & 0x0080) !== 0
    },
    answers,
    authority
  }
  // Set only when there is glue, last, as the spread it replaces did: no empty object each time.
  if (glue !== undefined) response.additional = glue
  return response
}

/** The 16-bit big-endian number at `at`, which the caller has checked is inside `buf`. */
function u16(buf: Buffer, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!
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

/** {@link canonicalType}'s answers by the type as given: every question asks for one. */
const canonicalTypes = new Map<string, string>()

/**
 * The form a type is keyed and compared in: its upper-case mnemonic, `TYPE<n>` only for a type
 * without one, so `TYPE16` and `TXT` are the same question.
 */
export function canonicalType(type: string): string {
  const known = canonicalTypes.get(type)
  if (known !== undefined) return known
  const canonical = findCanonicalType(type)
  if (canonicalTypes.size < 1024) canonicalTypes.set(type, canonical)
  return canonical
}

function findCanonicalType(type: string): string {
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
