/** A referral's glue: read from the additional section of a referral, and of nothing else. */
import dnsPacket from 'dns-packet'
import { describe, expect, it } from '@jest/globals'
import { decodeResponse } from '../../src/dns/codec.js'

const ns = (name: string, data: string) => ({ name, type: 'NS' as const, ttl: 3600, data })
const a = (name: string, data: string) => ({ name, type: 'A' as const, ttl: 3600, data })
const aaaa = (name: string, data: string) => ({ name, type: 'AAAA' as const, ttl: 3600, data })
const opt = { name: '.', type: 'OPT' as const, udpPayloadSize: 1232 } as unknown as dnsPacket.Answer

function response(flags: number, packet: Partial<dnsPacket.Packet>): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: 7,
    flags,
    questions: [{ name: 't.track.shop.test', type: 'CNAME' }],
    ...packet
  } as dnsPacket.Packet)
}

describe('glue', () => {
  it('keeps the A and AAAA records of a referral, and nothing else of its additional section', () => {
    const decoded = decodeResponse(
      response(0, {
        authorities: [ns('track.shop.test', 'ns1.track.shop.test')],
        additionals: [
          a('ns1.track.shop.test', '127.0.0.6'),
          aaaa('ns1.track.shop.test', '::1'),
          { name: 'ns1.track.shop.test', type: 'TXT', ttl: 1, data: 'not glue' },
          opt
        ]
      })
    )
    expect(decoded.additional).toEqual([
      { name: 'ns1.track.shop.test', type: 'A', ttl: 3600, data: '127.0.0.6' },
      { name: 'ns1.track.shop.test', type: 'AAAA', ttl: 3600, data: '::1' }
    ])
  })

  it('reads no additional section for an answer, an authoritative reply or a referral without glue', () => {
    const glue = [a('ns1.shop.test', '127.0.0.2'), opt]
    const answer = decodeResponse(
      response(dnsPacket.AUTHORITATIVE_ANSWER, {
        answers: [{ name: 't.track.shop.test', type: 'CNAME', ttl: 60, data: 't.mailtrap.live' }],
        authorities: [ns('shop.test', 'ns1.shop.test')],
        additionals: glue
      })
    )
    const authoritative = decodeResponse(
      response(dnsPacket.AUTHORITATIVE_ANSWER, {
        authorities: [ns('shop.test', 'ns1.shop.test')],
        additionals: glue
      })
    )
    const bare = decodeResponse(
      response(0, { authorities: [ns('track.shop.test', 'ns.elsewhere.test')], additionals: [opt] })
    )
    for (const decoded of [answer, authoritative, bare]) {
      expect(decoded).not.toHaveProperty('additional')
    }
  })
})
