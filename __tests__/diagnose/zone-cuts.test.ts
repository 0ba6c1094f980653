import { diagnoseRecord, probesFor } from '../../src/diagnose/diagnose.js'
import type { DiagnosisContext, Observation, Probe } from '../../src/diagnose/types.js'
import type { DnsRecord, QueryOutcome, ResolverKind } from '../../src/dns/types.js'
import { expandExpected } from '../../src/records/expected.js'
import { hintOf, messageOf } from '../support/words.js'

const zone = 'example.com'
const records = expandExpected({ name: zone, zone, tracking: true, records: {}, line: 1 }).records
const dkim1 = records.find((r) => r.key === 'dkim1')!
const link = records.find((r) => r.key === 'link_verification')!
const now = new Date('2026-11-26T08:00:00Z')
const context: DiagnosisContext = { apex: zone, siblings: records, now }
const soa: DnsRecord = { name: zone, type: 'SOA', ttl: 300, data: 'ns1.example.com. h 1 2 3 4 300' }

function outcome(rcode: string, answers: DnsRecord[], aa: boolean, authority: DnsRecord[] = []) {
  const response = { rcode, flags: { aa, tc: false, rd: false, ra: !aa }, answers, authority }
  return { ok: true, response } as QueryOutcome
}
const cname = (name: string, data: string): DnsRecord => ({ name, type: 'CNAME', ttl: 300, data })

/** An observation whose probes are answered by `answer`, round after round, as observe() does. */
function observe(
  expected: typeof dkim1,
  resolver: string,
  kind: ResolverKind,
  main: QueryOutcome,
  answer: (name: string, type: string) => QueryOutcome,
  extra: Partial<Observation> = {}
): Observation {
  const probes: Probe[] = []
  for (let round = 0; round < 10; round++) {
    const next = probesFor(expected, context, main, probes)
    if (next.length === 0) break
    probes.push(...next.map((q) => ({ question: q, outcome: answer(q.name, q.type) })))
  }
  const question = { name: expected.name!, type: expected.type }
  return { resolver, kind, question, outcome: main, probes, ...extra }
}

const nx = (): QueryOutcome => outcome('NXDOMAIN', [], true, [soa])
const refused = (): QueryOutcome => outcome('REFUSED', [], false)

describe('names in other zones', () => {
  it('lets a referral that could not be followed yield to the caches', () => {
    const ns: DnsRecord = { name: `_domainkey.${zone}`, type: 'NS', ttl: 300, data: 'ns.dk.net' }
    const referral = outcome('NOERROR', [], false, [ns])
    const result = diagnoseRecord(
      dkim1,
      [
        observe(dkim1, 'pinned', 'authoritative', referral, nx),
        observe(
          dkim1,
          'cf',
          'recursive',
          outcome('NOERROR', [cname(dkim1.name!, dkim1.value)], false),
          nx
        )
      ],
      context
    )
    expect(result).toMatchObject({ status: 'pass', findings: [] })
  })

  it('does not take a hop the authoritative server refuses for the end of the chain', () => {
    const main = outcome('NOERROR', [cname(link.name!, 'go.links.net')], true)
    const viaCache = (name: string, type: string): QueryOutcome =>
      name === 'go.links.net' && type === 'CNAME'
        ? outcome('NOERROR', [cname('go.links.net', link.value)], false)
        : nx()
    const result = diagnoseRecord(
      link,
      [
        observe(link, 'pinned', 'authoritative', main, (n) =>
          n === 'go.links.net' ? refused() : nx()
        ),
        observe(
          link,
          'cf',
          'recursive',
          outcome('NOERROR', [cname(link.name!, 'go.links.net')], false),
          viaCache
        )
      ],
      context
    )
    expect(result.findings.map((f) => [f.code, f.resolvers])).toEqual([['cname-chain', ['cf']]])
  })

  it('keeps the authoritative verdict when the caches reach the same one', () => {
    const main = outcome('NOERROR', [cname(link.name!, 'go.links.net')], true)
    const result = diagnoseRecord(
      link,
      [
        observe(link, 'pinned', 'authoritative', main, (n) =>
          n === 'go.links.net' ? refused() : nx()
        ),
        observe(
          link,
          'cf',
          'recursive',
          outcome('NOERROR', [cname(link.name!, 'go.links.net')], false),
          (n) => (n === 'go.links.net' ? outcome('NXDOMAIN', [], false) : nx())
        )
      ],
      context
    )
    expect(result.findings.map((f) => [f.code, f.resolvers])).toEqual([
      ['wrong-value', ['pinned', 'cf']]
    ])
  })

  it('says not-delegated-here, not propagating, when the right server is not the delegated one', () => {
    const delegation = {
      zone,
      delegatedTo: ['ns1.oldhost.net'],
      heldBy: ['ns1.newhost.net', 'ns2.newhost.net']
    }
    const right = outcome('NOERROR', [cname(dkim1.name!, dkim1.value)], true)
    const result = diagnoseRecord(
      dkim1,
      [
        observe(dkim1, 'pinned', 'authoritative', right, nx, { undelegated: delegation }),
        observe(dkim1, 'cf', 'recursive', outcome('NXDOMAIN', [], false, [soa]), nx)
      ],
      context
    )
    expect(result.status).toBe('fail')
    expect(result.findings.map((f) => [f.code, f.severity, f.resolvers])).toEqual([
      ['not-delegated-here', 'error', ['pinned', 'cf']]
    ])
    expect(hintOf(result.findings[0]!, zone)).toBe(
      'example.com is delegated to ns1.oldhost.net; the records are on ns1.newhost.net, ns2.newhost.net: change the name servers of example.com at your registrar to ns1.newhost.net, ns2.newhost.net, or add the records at the host of ns1.oldhost.net.'
    )
  })

  it('names the lame child servers of a delegation, and never says they hold the records', () => {
    const ns: DnsRecord = { name: `_domainkey.${zone}`, type: 'NS', ttl: 300, data: 'ns.dk.net' }
    const lameDelegation = {
      cut: `_domainkey.${zone}`,
      servers: [{ server: 'ns.dk.net', why: 'REFUSED without the authoritative (AA) flag' }]
    }
    const result = diagnoseRecord(
      dkim1,
      [
        observe(dkim1, 'pinned', 'authoritative', outcome('NOERROR', [], false, [ns]), nx, {
          lameDelegation
        })
      ],
      context
    )
    expect(result.status).toBe('unknown')
    expect(result.findings.map((f) => [f.code, f.resolvers])).toEqual([['lame-server', ['pinned']]])
    expect(messageOf(result.findings[0]!)).toBe(
      `pinned refers ${dkim1.name} to _domainkey.example.com, delegated to ns.dk.net, which do not serve it (ns.dk.net: REFUSED without the authoritative (AA) flag): a lame delegation, so nothing below _domainkey.example.com resolves.`
    )
  })
})

describe('a refused hop does not hide a change', () => {
  it('keeps the authoritative verdict when its own record differs from the stale caches', () => {
    const main = outcome('NOERROR', [cname(link.name!, 'go.links.net')], true)
    const result = diagnoseRecord(
      link,
      [
        observe(link, 'pinned', 'authoritative', main, (n) =>
          n === 'go.links.net' ? refused() : nx()
        ),
        observe(
          link,
          'cf',
          'recursive',
          outcome('NOERROR', [cname(link.name!, link.value)], false),
          nx
        )
      ],
      context
    )
    expect(result.status).toBe('fail')
    expect(result.findings.map((f) => [f.code, f.resolvers])).toEqual([['wrong-value', ['pinned']]])
  })
})
