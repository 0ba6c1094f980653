/**
 * The lean decoder (codec.ts, wire-name.ts, wire-rdata.ts) against the decoder it replaced,
 * kept verbatim under reference/, and against dns-packet: on random messages with compression
 * pointers, and on the same messages cut short or with bytes overwritten, both give the same
 * response (as JSON, key order included) or throw the same message.
 */
import { describe, expect, it } from '@jest/globals'
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import {
  answersQuestion,
  decodeAnswer,
  decodeMessage,
  encodeFramedQuery,
  encodeQuery
} from '../../src/dns/codec.js'
import { decodeName, encodeName, readName, startMessage } from '../../src/dns/wire-name.js'
import {
  decodeMessage as referenceDecodeMessage,
  encodeQuery as referenceEncodeQuery
} from './reference/codec.js'
import {
  decodeName as referenceDecodeName,
  encodeName as referenceEncodeName
} from './reference/wire-name.js'

/** What a call gave: its value as JSON, or the message it threw. */
function outcome(run: () => unknown): string {
  try {
    return `ok ${JSON.stringify(run())}`
  } catch (err) {
    return `threw ${(err as Error).message}`
  }
}

/** A label: mostly host-name characters in either case, sometimes any octets. */
const label = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/).map((s) => [...Buffer.from(s)])
  },
  {
    weight: 1,
    arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 63 })
  }
)
/** A name as labels, from a few shared suffixes so that compression has something to point to. */
const name = fc
  .tuple(
    fc.array(label, { maxLength: 3 }),
    fc.constantFrom([], ['example', 'com'], ['f0', 'fleet', 'test'], ['Mailtrap', 'LIVE'])
  )
  .map(([head, tail]) => [...head, ...tail.map((l) => [...Buffer.from(l)])])

/** A name written to a message: whether to point at an earlier copy of its longest suffix. */
const placedName = fc.record({ labels: name, compress: fc.boolean() })
type PlacedName = { labels: number[][]; compress: boolean }

/** Record data: the kinds the decoder reads itself, and a few it hands to dns-packet. */
const rdata = fc.oneof(
  fc.record({
    kind: fc.constant('A' as const),
    bytes: fc.uint8Array({ minLength: 4, maxLength: 4 })
  }),
  fc.record({
    kind: fc.constant('AAAA' as const),
    bytes: fc.uint8Array({ minLength: 16, maxLength: 16 })
  }),
  fc.record({
    kind: fc.constantFrom('NS' as const, 'CNAME' as const, 'PTR' as const),
    target: placedName
  }),
  fc.record({
    kind: fc.constant('MX' as const),
    pref: fc.integer({ min: 0, max: 65535 }),
    target: placedName
  }),
  fc.record({
    kind: fc.constant('SRV' as const),
    nums: fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 3, maxLength: 3 }),
    target: placedName
  }),
  fc.record({
    kind: fc.constant('SOA' as const),
    mname: placedName,
    rname: placedName,
    nums: fc.array(fc.nat(), { minLength: 5, maxLength: 5 })
  }),
  fc.record({
    kind: fc.constantFrom('TXT' as const, 'SPF' as const),
    strings: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 })
  }),
  fc.record({
    kind: fc.constant('RAW' as const),
    type: fc.constantFrom(13, 43, 48, 257, 65280),
    bytes: fc.uint8Array({ maxLength: 12 })
  })
)
type Rdata = typeof rdata extends fc.Arbitrary<infer T> ? T : never

const TYPE_CODES = {
  A: 1,
  AAAA: 28,
  NS: 2,
  CNAME: 5,
  PTR: 12,
  MX: 15,
  SRV: 33,
  SOA: 6,
  TXT: 16,
  SPF: 99
}

const record = fc.record({ owner: placedName, ttl: fc.nat(), data: rdata })
const message = fc.record({
  id: fc.integer({ min: 0, max: 65535 }),
  flags: fc.integer({ min: 0, max: 65535 }).map((f) => f | 0x8000),
  questions: fc.array(fc.record({ name: placedName, type: fc.integer({ min: 0, max: 300 }) }), {
    maxLength: 2
  }),
  sections: fc.tuple(
    fc.array(record, { maxLength: 4 }),
    fc.array(record, { maxLength: 3 }),
    fc.array(record, { maxLength: 3 })
  ),
  opt: fc.option(fc.integer({ min: 0, max: 255 }))
})
type Message = typeof message extends fc.Arbitrary<infer T> ? T : never

/** Writes messages the way a server might, compressing names where asked. */
class Writer {
  bytes: number[] = []
  private suffixes = new Map<string, number>()

  u16(value: number): void {
    this.bytes.push(value >> 8, value & 0xff)
  }

  u32(value: number): void {
    this.u16(Math.floor(value / 65536) & 0xffff)
    this.u16(value & 0xffff)
  }

  name({ labels, compress }: PlacedName): void {
    for (let i = 0; i < labels.length; i++) {
      const key = JSON.stringify(
        labels.slice(i).map((l) => l.map((b) => (b >= 65 && b <= 90 ? b + 32 : b)))
      )
      const at = this.suffixes.get(key)
      if (compress && at !== undefined && at < 0x4000) {
        this.u16(0xc000 | at)
        return
      }
      if (!this.suffixes.has(key)) this.suffixes.set(key, this.bytes.length)
      const l = labels[i] as number[]
      this.bytes.push(l.length, ...l)
    }
    this.bytes.push(0)
  }

  rdata(data: Rdata): number {
    switch (data.kind) {
      case 'A':
      case 'AAAA':
        this.bytes.push(...data.bytes)
        return TYPE_CODES[data.kind]
      case 'NS':
      case 'CNAME':
      case 'PTR':
        this.name(data.target)
        return TYPE_CODES[data.kind]
      case 'MX':
        this.u16(data.pref)
        this.name(data.target)
        return 15
      case 'SRV':
        data.nums.forEach((n) => this.u16(n))
        this.name(data.target)
        return 33
      case 'SOA':
        this.name(data.mname)
        this.name(data.rname)
        data.nums.forEach((n) => this.u32(n))
        return 6
      case 'TXT':
      case 'SPF':
        for (const s of data.strings) this.bytes.push(s.length, ...s)
        return TYPE_CODES[data.kind]
      case 'RAW':
        this.bytes.push(...data.bytes)
        return data.type
    }
  }
}

function write(m: Message): Buffer {
  const w = new Writer()
  w.u16(m.id)
  w.u16(m.flags)
  w.u16(m.questions.length)
  m.sections.forEach((s, i) => w.u16(s.length + (i === 2 && m.opt !== null ? 1 : 0)))
  for (const q of m.questions) {
    w.name(q.name)
    w.u16(q.type)
    w.u16(1)
  }
  m.sections.forEach((records, i) => {
    if (i === 2 && m.opt !== null) {
      w.bytes.push(0, 0, 41, 0x04, 0xd0, m.opt, 0, 0, 0, 0, 0)
    }
    for (const r of records) {
      w.name(r.owner)
      const typeAt = w.bytes.length
      w.u16(0)
      w.u16(1)
      w.u32(r.ttl)
      const lengthAt = w.bytes.length
      w.u16(0)
      const type = w.rdata(r.data)
      const length = w.bytes.length - lengthAt - 2
      w.bytes.splice(typeAt, 2, type >> 8, type & 0xff)
      w.bytes.splice(lengthAt, 2, length >> 8, length & 0xff)
    }
  })
  return Buffer.from(w.bytes)
}

/** Overwritten bytes (a pointer now and then) and a cut, applied to a written message. */
const damage = fc.record({
  writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), {
    maxLength: 3
  }),
  cut: fc.option(fc.nat())
})

function damaged(buf: Buffer, d: typeof damage extends fc.Arbitrary<infer T> ? T : never): Buffer {
  const out = Buffer.from(buf)
  for (const [at, byte, pointer] of d.writes) {
    if (out.length <= 12) break
    const i = 12 + (at % (out.length - 12))
    out[i] = pointer ? 0xc0 | (byte & 0x3f) : byte
    if (pointer && i + 1 < out.length) out[i + 1] = at & 0xff
  }
  return d.cut === null ? out : out.subarray(0, d.cut % (out.length + 1))
}

describe('the lean decoder', () => {
  it('reads random messages with compression as the decoder it replaced did', () => {
    fc.assert(
      fc.property(message, (m) => {
        const buf = write(m)
        expect(outcome(() => decodeMessage(buf))).toBe(outcome(() => referenceDecodeMessage(buf)))
      }),
      { numRuns: 1500 }
    )
  })

  it('gives the same response or the same error on damaged and cut messages', () => {
    fc.assert(
      fc.property(message, damage, (m, d) => {
        const buf = damaged(write(m), d)
        expect(outcome(() => decodeMessage(buf))).toBe(outcome(() => referenceDecodeMessage(buf)))
      }),
      { numRuns: 3000 }
    )
  })

  it('answers a question, or not, or throws, as decodeMessage and answersQuestion do', () => {
    /** The question asked: often the message's own first one, as written or otherwise. */
    const asked = (buf: Buffer, pick: number, other: { name: string; type: string }) => {
      let first: { name: string; type: string } | undefined
      try {
        first = decodeMessage(buf).questions[0]
      } catch {
        first = undefined
      }
      if (first === undefined || pick === 2) return other
      return pick === 0 ? first : { name: first.name.toUpperCase(), type: first.type }
    }
    const other = fc.record({
      name: fc.constantFrom('example.com', 'f0.fleet.test', '', 'mailtrap.live', 'é.example'),
      type: fc.constantFrom('A', 'TXT', 'CNAME', 'TYPE0')
    })
    fc.assert(
      fc.property(message, damage, fc.boolean(), fc.nat(2), other, (m, d, cut, pick, o) => {
        const buf = cut ? damaged(write(m), d) : write(m)
        const question = asked(buf, pick, o)
        expect(outcome(() => decodeAnswer(buf, question) ?? 'none')).toBe(
          outcome(() => {
            const decoded = referenceDecodeMessage(buf)
            return answersQuestion(decoded, question) ? decoded.response : 'none'
          })
        )
      }),
      { numRuns: 3000 }
    )
  })

  it('reads names in random bytes as before, alone or several in one message', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        (bytes, offsets) => {
          const buf = Buffer.from(bytes)
          startMessage(buf)
          for (const offset of offsets.map((o) => o % buf.length)) {
            const expected = outcome(() => referenceDecodeName(buf, offset))
            expect(outcome(() => decodeName(buf, offset))).toBe(expected)
            // The cached reading of the message: a name read before is the same name again.
            expect(
              outcome(() => ({
                name: readName(buf, offset, true),
                end: decodeName(buf, offset).end
              }))
            ).toBe(expected)
          }
        }
      ),
      { numRuns: 3000 }
    )
  })

  it('keeps the compression-loop limit when a pointer reaches a name read before', () => {
    // A name at 12, then a chain of 128 pointers ending at it: 127 jumps are allowed, 128 not.
    const bytes = [...Buffer.alloc(12), 1, 0x61, 0]
    const chain: number[] = []
    for (let i = 0; i < 128; i++) {
      chain.push(bytes.length)
      const target = i === 0 ? 12 : (chain[i - 1] as number)
      bytes.push(0xc0 | (target >> 8), target & 0xff)
    }
    const buf = Buffer.from(bytes)
    startMessage(buf)
    // Read first from the start of the chain: cached as one jump away from its labels.
    expect(readName(buf, chain[0] as number, true)).toBe('a')
    for (const at of [chain[126] as number, chain[127] as number]) {
      expect(outcome(() => readName(buf, at, true))).toBe(
        outcome(() => referenceDecodeName(buf, at).name)
      )
    }
    expect(outcome(() => readName(buf, chain[127] as number, true))).toMatch(/compression loop/)
  })

  it('agrees with dns-packet on the names and addresses of plain answers', () => {
    const host = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,10}){0,3}$/)
    fc.assert(
      fc.property(
        host,
        fc.array(fc.tuple(host, fc.ipV4(), fc.nat({ max: 2 ** 31 - 1 })), { maxLength: 4 }),
        (qname, answers) => {
          const buf = dnsPacket.encode({
            type: 'response',
            id: 7,
            flags: dnsPacket.AUTHORITATIVE_ANSWER,
            questions: [{ name: qname, type: 'A' }],
            answers: answers.map(([n, ip, ttl]) => ({ name: n, type: 'A', ttl, data: ip }))
          })
          const ours = decodeMessage(buf)
          const theirs = dnsPacket.decode(buf)
          expect(ours.questions).toEqual(
            theirs.questions?.map((q) => ({ name: q.name, type: q.type }))
          )
          expect(ours.response.answers).toEqual(
            (theirs.answers ?? []).map((a) => ({
              name: a.name,
              type: a.type,
              ttl: (a as { ttl: number }).ttl,
              data: (a as { data: string }).data
            }))
          )
          expect(ours.response.flags.aa).toBe(true)
        }
      ),
      { numRuns: 500 }
    )
  })
})

describe('the lean encoder', () => {
  /** Names as users and the engine give them: any case, escapes, a trailing dot, non-ASCII. */
  const askedName = fc.oneof(
    fc.stringMatching(/^([a-zA-Z0-9_-]{1,20}\.){0,4}[a-zA-Z0-9-]{1,20}\.?$/),
    fc.stringMatching(/^([a-z]{1,5}(\\\.|\\\\|\\[0-2][0-9][0-9]|é)?\.?){1,4}$/),
    fc.string({ maxLength: 70 }),
    fc.constantFrom('', '.', 'a..b', 'a\\', `${'a'.repeat(64)}.b`)
  )
  const askedType = fc.oneof(
    fc.constantFrom('A', 'aaaa', 'TXT', 'Mx', 'CNAME', 'NS', 'SOA', 'TYPE16', 'type99', 'CAA'),
    fc.constantFrom('TYPE0', 'TYPE65536', 'NOPE', 'UNKNOWN_5'),
    fc.integer({ min: 1, max: 70000 }).map((n) => `TYPE${n}`)
  )
  const id = fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(-1, 65536, 1.5))

  it('writes the bytes, and refuses the questions, the encoder it replaced did', () => {
    fc.assert(
      fc.property(askedName, askedType, id, fc.boolean(), (name, type, id, rd) => {
        const options = { id, recursionDesired: rd }
        const asked = { name, type }
        const expected = outcome(() => [...referenceEncodeQuery(asked, options)])
        // Twice: the second time the name's wire form comes from the cache.
        expect(outcome(() => [...encodeQuery(asked, options)])).toBe(expected)
        expect(outcome(() => [...encodeQuery(asked, options)])).toBe(expected)
        const target = Buffer.alloc(400, 0xee)
        const framed = outcome(() => {
          const end = encodeFramedQuery(target, 7, asked, options) as number
          expect(target.readUInt16BE(7)).toBe(end - 9)
          return [...target.subarray(9, end)]
        })
        expect(framed).toBe(expected)
      }),
      { numRuns: 1500 }
    )
  })

  it('writes a name, or refuses it with the same words, as the name encoder it replaced did', () => {
    fc.assert(
      fc.property(askedName, (name) => {
        expect(outcome(() => [...encodeName(name)])).toBe(
          outcome(() => [...referenceEncodeName(name)])
        )
      }),
      { numRuns: 3000 }
    )
    // The longest plain names, either side of 255 octets, and a label either side of 63.
    const longest = [...Array.from({ length: 3 }, () => 'a'.repeat(63)), 'a'.repeat(61)].join('.')
    for (const name of [longest, `${longest}a`, `a${'b'.repeat(62)}.c`, `a${'b'.repeat(63)}.c`]) {
      expect(outcome(() => [...encodeName(name)])).toBe(
        outcome(() => [...referenceEncodeName(name)])
      )
    }
  })

  it('writes nothing when the query does not fit what is left of the buffer', () => {
    const target = Buffer.alloc(40, 0xee)
    const options = { id: 1, recursionDesired: true }
    expect(encodeFramedQuery(target, 0, { name: 'example.com', type: 'A' }, options)).toBeNull()
    expect(target.every((b) => b === 0xee)).toBe(true)
    expect(encodeFramedQuery(target, 0, { name: 'a', type: 'A' }, options)).toBe(2 + 12 + 3 + 15)
  })
})
