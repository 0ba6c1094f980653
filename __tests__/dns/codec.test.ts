/** The DNS message codec, fed bytes made by dns-packet: no sockets. */
import dnsPacket from 'dns-packet'
import { describe, expect, it } from '@jest/globals'
import { decodeMessage, decodeResponse, encodeQuery } from '../../src/dns/codec.js'

describe('encodeQuery and decodeResponse', () => {
  it('encodes the question with RD as asked and an EDNS0 OPT of 1232 bytes', () => {
    const packet = dnsPacket.decode(
      encodeQuery({ name: 'Example.COM.', type: 'TXT' }, { id: 4242, recursionDesired: true })
    )
    expect(packet.id).toBe(4242)
    expect(packet.flag_rd).toBe(true)
    expect(packet.flag_qr).toBe(false)
    expect(packet.questions).toEqual([{ name: 'example.com', type: 'TXT', class: 'IN' }])
    expect(packet.additionals).toEqual([
      expect.objectContaining({ type: 'OPT', name: '.', udpPayloadSize: 1232 })
    ])
    const plain = dnsPacket.decode(
      encodeQuery({ name: 'example.com', type: 'TYPE65' }, { id: 1, recursionDesired: false })
    )
    expect(plain.flag_rd).toBe(false)
    expect(plain.questions?.[0]?.type).toBe('UNKNOWN_65')
  })

  it('writes the same bytes dns-packet writes for the same query', () => {
    for (const [name, type, rd] of [
      ['Example.COM.', 'TXT', true],
      ['rwmt1._domainkey.example.com', 'CNAME', false],
      ['', 'NS', false],
      ['x.example', 'TYPE65', true]
    ] as const) {
      const ours = encodeQuery({ name, type }, { id: 513, recursionDesired: rd })
      const theirs = dnsPacket.encode({
        type: 'query',
        id: 513,
        flags: rd ? dnsPacket.RECURSION_DESIRED : 0,
        questions: [
          {
            name: name.toLowerCase().replace(/\.$/, '') || '.',
            type: (type === 'TYPE65' ? 'UNKNOWN_65' : type) as dnsPacket.RecordType,
            class: 'IN'
          }
        ],
        additionals: [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: 1232,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: []
          }
        ]
      })
      expect(ours.toString('hex')).toBe(theirs.toString('hex'))
    }
  })

  it('reads compressed names, the extended rcode and every section', () => {
    const buf = dnsPacket.encode({
      type: 'response',
      id: 7,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.TRUNCATED_RESPONSE,
      questions: [{ name: 'www.example.com', type: 'A' }],
      answers: [
        { name: 'www.example.com', type: 'CNAME', ttl: 5, data: 'Web.Example.com' },
        { name: 'web.example.com', type: 'A', ttl: 6, data: '192.0.2.1' },
        { name: 'web.example.com', type: 'AAAA', ttl: 6, data: '2001:DB8:0:0:0:0:0:1' },
        { name: 'example.com', type: 'MX', ttl: 7, data: { preference: 0, exchange: '.' } }
      ],
      authorities: [
        {
          name: 'example.com',
          type: 'SOA',
          ttl: 8,
          data: {
            mname: 'ns1.example.com',
            rname: 'h.example.com',
            serial: 1,
            refresh: 2,
            retry: 3,
            expire: 4,
            minimum: 5
          }
        }
      ],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 1,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: []
        }
      ]
    })
    const decoded = decodeMessage(buf)
    expect(decoded.id).toBe(7)
    expect(decoded.questions).toEqual([{ name: 'www.example.com', type: 'A' }])
    // Extended rcode 1 (upper bits) and 0 (header): 16, BADVERS.
    expect(decoded.response.rcode).toBe('BADVERS')
    expect(decoded.response.flags).toEqual({ aa: true, tc: true, rd: false, ra: false })
    expect(decoded.response.answers.map((a) => [a.name, a.type, a.ttl, a.data])).toEqual([
      ['www.example.com', 'CNAME', 5, 'web.example.com'],
      ['web.example.com', 'A', 6, '192.0.2.1'],
      ['web.example.com', 'AAAA', 6, '2001:db8::1'],
      ['example.com', 'MX', 7, '0 .']
    ])
    expect(decoded.response.authority[0]?.data).toBe('ns1.example.com h.example.com 1 2 3 4 5')
  })

  it('throws on a message cut short or a record that overruns it', () => {
    const buf = dnsPacket.encode({
      type: 'response',
      id: 1,
      questions: [{ name: 'example.com', type: 'TXT' }],
      answers: [{ name: 'example.com', type: 'TXT', ttl: 1, data: ['hello'] }]
    })
    expect(() => decodeResponse(buf.subarray(0, buf.length - 2))).toThrow(/cannot decode it/)
    const overrun = Buffer.from(buf)
    overrun[overrun.length - 6] = 9 // the string's length, past the record's data
    expect(() => decodeResponse(overrun)).toThrow(/strings overrun/)
  })

  it('throws on bytes that are not a DNS response', () => {
    expect(() => decodeResponse(Buffer.from('hello'))).toThrow(/shorter than a DNS header/)
    expect(() => decodeResponse(Buffer.from('this is certainly not DNS'))).toThrow(/cannot decode/)
    const query = encodeQuery({ name: 'example.com', type: 'A' }, { id: 1, recursionDesired: true })
    expect(() => decodeResponse(query)).toThrow(/QR bit clear/)
  })

  it('gives other types a readable text and unknown rcodes and types a mnemonic', () => {
    const buf = dnsPacket.encode({
      type: 'response',
      id: 1,
      flags: 12,
      questions: [{ name: 'example.com', type: 'A' }],
      answers: [
        {
          name: 'Example.com.',
          type: 'SRV',
          ttl: 1,
          data: { priority: 1, weight: 2, port: 443, target: 'Host.Example.' }
        },
        {
          name: 'example.com',
          type: 'CAA',
          ttl: 1,
          data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' }
        },
        {
          name: 'example.com',
          type: 'UNKNOWN_65' as dnsPacket.OtherRecordType,
          ttl: 1,
          data: Buffer.from([1, 2])
        }
      ]
    })
    const response = decodeResponse(buf)
    expect(response.rcode).toBe('RCODE12')
    expect(response.answers.map((a) => [a.name, a.type, a.data])).toEqual([
      ['example.com', 'SRV', '1 2 443 host.example'],
      ['example.com', 'CAA', '0 issue "letsencrypt.org"'],
      ['example.com', 'TYPE65', '\\# 2 0102']
    ])
  })
})
