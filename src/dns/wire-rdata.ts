/**
 * Record data from the wire into the canonical text types.ts describes. The types the checks
 * look at (addresses, names, TXT) are read here, names keeping their label boundaries; the
 * rest are handed to dns-packet's decoder and written as before.
 */
import dnsPacket from 'dns-packet'
import type { Answer, OptAnswer } from 'dns-packet'
import { canonicalIpv6 } from './server-address.js'
import { normalizeName, type DnsRecord } from './types.js'
import { lastNameEnd, readName } from './wire-name.js'

/** One resource record as found in a message: where it is and what its header says. */
export interface WireRecord {
  /** The whole message, for compressed names. */
  buf: Buffer
  /** Where the record starts (its owner name). */
  start: number
  /** The owner in presentation form. */
  name: string
  typeCode: number
  ttl: number
  rdataAt: number
  rdataEnd: number
}

/** dns-packet's decoder of one record, which its typings leave out. */
const packetAnswer = (
  dnsPacket as unknown as { answer: { decode(buf: Buffer, at: number): Answer } }
).answer

/** Reads one record (not OPT); `type` is its mnemonic. Throws on malformed data. */
export function recordFromWire(wire: WireRecord, type: string): DnsRecord {
  return readRecord(
    wire.buf,
    wire.start,
    wire.name,
    wire.typeCode,
    wire.ttl,
    wire.rdataAt,
    wire.rdataEnd,
    type
  )
}

/**
 * {@link recordFromWire} with the record's fields as arguments, for the message decoder: no
 * object and no closure per record. Names go through the decoder's cache for the message
 * ({@link startMessage}).
 */
export function readRecord(
  buf: Buffer,
  start: number,
  owner: string,
  typeCode: number,
  ttl: number,
  rdataAt: number,
  rdataEnd: number,
  type: string
): DnsRecord {
  switch (typeCode) {
    case 1: // A
      if (rdataEnd - rdataAt !== 4) throw new Error('an A record that is not 4 octets')
      return {
        name: owner,
        type,
        ttl,
        data: `${buf[rdataAt]}.${buf[rdataAt + 1]}.${buf[rdataAt + 2]}.${buf[rdataAt + 3]}`
      }
    case 28: {
      // AAAA, in RFC 5952 text as the zone-file source writes it, so both sources compare equal.
      if (rdataEnd - rdataAt !== 16) throw new Error('an AAAA record that is not 16 octets')
      const groups: string[] = []
      for (let at = rdataAt; at < rdataEnd; at += 2) groups.push(buf.readUInt16BE(at).toString(16))
      return { name: owner, type, ttl, data: canonicalIpv6(groups.join(':')) }
    }
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
    case 39: // DNAME
      return { name: owner, type, ttl, data: rdataName(buf, rdataAt, rdataEnd, type) }
    case 15: {
      // MX
      const preference = u16(buf, rdataAt, rdataEnd, type)
      const exchange = rdataName(buf, rdataAt + 2, rdataEnd, type) || '.'
      return { name: owner, type, ttl, data: `${preference} ${exchange}` }
    }
    case 33: {
      // SRV
      const fields = [
        u16(buf, rdataAt, rdataEnd, type),
        u16(buf, rdataAt + 2, rdataEnd, type),
        u16(buf, rdataAt + 4, rdataEnd, type)
      ]
      const target = rdataName(buf, rdataAt + 6, rdataEnd, type) || '.'
      return { name: owner, type, ttl, data: `${fields.join(' ')} ${target}` }
    }
    case 6: {
      // SOA
      const mname = readName(buf, rdataAt, true)
      const rname = readName(buf, lastNameEnd(), true)
      const end = lastNameEnd()
      if (end + 20 !== rdataEnd) throw new Error('an SOA record of the wrong length')
      const numbers = [0, 4, 8, 12, 16].map((i) => buf.readUInt32BE(end + i))
      return { name: owner, type, ttl, data: [mname, rname, ...numbers].join(' ') }
    }
    case 16: // TXT
    case 99: {
      // SPF: the same RDATA as TXT.
      const strings = characterStrings(buf, rdataAt, rdataEnd)
      if (strings) return { name: owner, type, ttl, data: strings.join(''), strings }
      if (typeCode === 16) throw new Error('a TXT record whose strings overrun its data')
      return { name: owner, type, ttl, data: generic(buf.subarray(rdataAt, rdataEnd)) }
    }
    default: {
      const answer = packetAnswer.decode(buf, start)
      if (answer.type === 'OPT') throw new Error('an OPT record outside the additional section')
      return { name: owner, type, ttl, data: recordData(answer) }
    }
  }
}

/** A name inside RDATA; throws if it runs past the record. */
function rdataName(buf: Buffer, at: number, rdataEnd: number, type: string): string {
  const name = readName(buf, at, true)
  if (lastNameEnd() > rdataEnd) throw new Error(`a name runs past the end of a ${type} record`)
  return name
}

/** A 16-bit field inside RDATA; throws if it runs past the record. */
function u16(buf: Buffer, at: number, rdataEnd: number, type: string): number {
  if (at + 2 > rdataEnd) throw new Error(`a ${type} record is too short`)
  return (buf[at]! << 8) | buf[at + 1]!
}

/** Splits RDATA into RFC 1035 character-strings, or undefined if it is not made of them. */
function characterStrings(buf: Buffer, from: number, to: number): string[] | undefined {
  const strings: string[] = []
  let offset = from
  while (offset < to) {
    const length = buf[offset] as number
    if (offset + 1 + length > to) return undefined
    strings.push(buf.toString('utf8', offset + 1, offset + 1 + length))
    offset += 1 + length
  }
  return strings
}

/** RFC 3597 generic form of RDATA. */
function generic(data: Buffer): string {
  return `\\# ${data.length}${data.length ? ' ' + hex(data) : ''}`
}

/** The canonical text of the value of a record dns-packet decoded, as types.ts describes it. */
function recordData(answer: Exclude<Answer, OptAnswer>): string {
  switch (answer.type) {
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
      if (Buffer.isBuffer(data)) return generic(data)
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
