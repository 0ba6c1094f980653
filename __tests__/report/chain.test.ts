/** The chain of a report's observation, from plain data: hop by hop, with who answered each. */
import { describe, expect, it } from '@jest/globals'
import type { DnsRecord, QueryOutcome } from '../../src/dns/types.js'
import { toObservationReport, type TracedObservation } from '../../src/report/observations.js'

const rec = (name: string, type: string, data: string, ttl = 300): DnsRecord => ({
  name,
  type,
  data,
  ttl
})
const answer = (rcode: string, answers: DnsRecord[]): QueryOutcome => ({
  ok: true,
  response: {
    rcode,
    flags: { aa: false, tc: false, rd: true, ra: true },
    answers,
    authority: []
  }
})

function observation(
  question: { name: string; type: string },
  outcome: QueryOutcome,
  probes: TracedObservation['probes'] = []
): TracedObservation {
  return { resolver: 'cache', kind: 'recursive', question, outcome, probes }
}

describe('chain', () => {
  it('reads a whole chain from one answer, down to the record at its end', () => {
    const o = observation(
      { name: '_dmarc.shop.test', type: 'TXT' },
      answer('NOERROR', [
        rec('_dmarc.shop.test', 'CNAME', 'a.vendor.test', 3600),
        rec('a.vendor.test', 'CNAME', 'b.vendor.test', 600),
        rec('b.vendor.test', 'TXT', 'v=DMARC1; p=none', 60)
      ])
    )
    expect(toObservationReport(o).chain).toEqual([
      {
        name: '_dmarc.shop.test',
        type: 'CNAME',
        ttl: 3600,
        data: 'a.vendor.test',
        server: 'cache'
      },
      { name: 'a.vendor.test', type: 'CNAME', ttl: 600, data: 'b.vendor.test', server: 'cache' },
      { name: 'b.vendor.test', type: 'TXT', ttl: 60, data: 'v=DMARC1; p=none', server: 'cache' }
    ])
  })

  it('follows the probes, names the server of another zone, and says how the end answered', () => {
    const hop = answer('NOERROR', [rec('x.links.test', 'CNAME', 'y.links.test')])
    const end = answer('NXDOMAIN', [])
    const o = observation(
      { name: 'mt-link.shop.test', type: 'CNAME' },
      answer('NOERROR', [rec('mt-link.shop.test', 'CNAME', 'x.links.test')]),
      [
        { question: { name: 'x.links.test', type: 'CNAME' }, outcome: hop },
        { question: { name: 'y.links.test', type: 'CNAME' }, outcome: end }
      ]
    )
    o.answeredBy = new Map([
      [hop, 'ns1.links.test'],
      [end, 'ns1.links.test']
    ])
    const report = toObservationReport(o)
    expect(report.chain).toEqual([
      { name: 'mt-link.shop.test', type: 'CNAME', ttl: 300, data: 'x.links.test', server: 'cache' },
      {
        name: 'x.links.test',
        type: 'CNAME',
        ttl: 300,
        data: 'y.links.test',
        server: 'ns1.links.test'
      },
      { name: 'y.links.test', type: 'CNAME', server: 'ns1.links.test', rcode: 'NXDOMAIN' }
    ])
    expect(report.probes!.map((p) => p.server)).toEqual(['ns1.links.test', 'ns1.links.test'])
  })

  it('shows no chain for a record that stands as it is, and shows a loop once', () => {
    const direct = observation(
      { name: 'mt-link.shop.test', type: 'CNAME' },
      answer('NOERROR', [rec('mt-link.shop.test', 'CNAME', 't.mailtrap.live')])
    )
    expect(toObservationReport(direct)).not.toHaveProperty('chain')
    const txt = observation(
      { name: '_dmarc.shop.test', type: 'TXT' },
      answer('NOERROR', [rec('_dmarc.shop.test', 'TXT', 'v=DMARC1; p=none')])
    )
    expect(toObservationReport(txt)).not.toHaveProperty('chain')
    const loop = observation(
      { name: 'a.shop.test', type: 'CNAME' },
      answer('NOERROR', [rec('a.shop.test', 'CNAME', 'b.shop.test')]),
      [
        {
          question: { name: 'b.shop.test', type: 'CNAME' },
          outcome: answer('NOERROR', [rec('b.shop.test', 'CNAME', 'a.shop.test')])
        }
      ]
    )
    expect(toObservationReport(loop).chain!.map((h) => `${h.name}>${h.data}`)).toEqual([
      'a.shop.test>b.shop.test',
      'b.shop.test>a.shop.test'
    ])
  })
})
