import { diagnoseRecord, probesFor } from '../../src/diagnose/diagnose.js'
import type { DiagnosisContext, Observation } from '../../src/diagnose/types.js'
import { messageOf } from '../support/words.js'
import type { DnsRecord, QueryOutcome, ResolverKind } from '../../src/dns/types.js'
import { expandExpected } from '../../src/records/expected.js'

const zone = 'example.com'
const dkim1 = expandExpected({ name: zone, zone, tracking: true, records: {}, line: 1 }).records[1]!
const now = new Date('2026-11-26T08:00:00Z')
const soa: DnsRecord = { name: zone, type: 'SOA', ttl: 300, data: 'ns1.example.com. h 1 2 3 4 300' }

function outcome(
  rcode: string,
  answers: DnsRecord[],
  aa: boolean,
  authority: DnsRecord[] = []
): QueryOutcome {
  return {
    ok: true,
    response: { rcode, flags: { aa, tc: false, rd: false, ra: !aa }, answers, authority }
  }
}
const right = (ttl = 3600): DnsRecord => ({
  name: dkim1.name!,
  type: 'CNAME',
  ttl,
  data: dkim1.value
})
const other = (ttl = 1800): DnsRecord => ({
  name: dkim1.name!,
  type: 'CNAME',
  ttl,
  data: 'old.provider.net'
})

function obs(resolver: string, kind: ResolverKind, main: QueryOutcome): Observation {
  return {
    resolver,
    kind,
    question: { name: dkim1.name!, type: 'CNAME' },
    outcome: main,
    probes: probesFor(dkim1, context, main).map((q) => ({
      question: q,
      outcome: outcome('NXDOMAIN', [], true, [soa])
    }))
  }
}

const context: DiagnosisContext = { apex: zone, siblings: [dkim1], now }
const judge = (...observations: Observation[]) => diagnoseRecord(dkim1, observations, context)

describe('one verdict per record across the fleet', () => {
  it('passes when the authoritative answer and every cache agree', () => {
    const result = judge(
      obs('ns1', 'authoritative', outcome('NOERROR', [right()], true)),
      obs('cf', 'recursive', outcome('NOERROR', [right(120)], false))
    )
    expect(result).toMatchObject({ status: 'pass', findings: [], verdicts: ['ok', 'ok'] })
  })

  it('says propagating, with the time the last stale answer expires, when only caches are wrong', () => {
    const result = judge(
      obs('ns1', 'authoritative', outcome('NOERROR', [right()], true)),
      obs('cf', 'recursive', outcome('NOERROR', [other(1800)], false)),
      obs('google', 'recursive', outcome('NXDOMAIN', [], false, [{ ...soa, ttl: 240 }])),
      obs('quad9', 'recursive', outcome('NOERROR', [right(60)], false))
    )
    expect(result.status).toBe('warn')
    expect(result.verdicts).toEqual(['ok', 'wrong-value', 'missing', 'ok'])
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]).toMatchObject({
      code: 'propagating',
      severity: 'warning',
      resolvers: ['cf', 'google'],
      expiresAt: '2026-11-26T08:30:00.000Z'
    })
    expect(messageOf(result.findings[0]!)).toContain('until 2026-11-26 08:30 UTC')
  })

  it('takes the negative-cache TTL of the SOA for a cached miss', () => {
    const result = judge(
      obs('ns1', 'authoritative', outcome('NOERROR', [right()], true)),
      obs('google', 'recursive', outcome('NXDOMAIN', [], false, [{ ...soa, ttl: 240 }]))
    )
    expect(result.findings[0]!.expiresAt).toBe('2026-11-26T08:04:00.000Z')
  })

  it('reports the authoritative mistake, naming the caches that show the same', () => {
    const result = judge(
      obs('ns1', 'authoritative', outcome('NOERROR', [other()], true)),
      obs('cf', 'recursive', outcome('NOERROR', [other()], false)),
      obs('google', 'recursive', outcome('NOERROR', [right()], false))
    )
    expect(result.status).toBe('fail')
    expect(result.findings).toEqual([
      expect.objectContaining({ code: 'wrong-value', resolvers: ['ns1', 'cf'] })
    ])
  })

  it('says out-of-sync (an error: the fix is the transfer) when the zone servers disagree, lame-server for one without authority', () => {
    const result = judge(
      obs('ns1', 'authoritative', outcome('NOERROR', [right()], true)),
      obs('ns2', 'authoritative', outcome('NXDOMAIN', [], true, [soa])),
      obs('ns3', 'authoritative', outcome('REFUSED', [], false)),
      {
        ...obs('ns4', 'authoritative', { ok: false, error: 'ns4 (127.0.0.4:53): no answer' }),
        listed: true
      },
      obs('pinned', 'authoritative', { ok: false, error: 'pinned (127.0.0.9:53): no answer' })
    )
    expect(result.status).toBe('fail')
    expect(result.findings.map((f) => [f.code, f.severity, f.resolvers])).toEqual([
      ['lame-server', 'warning', ['ns3', 'ns4']],
      ['out-of-sync', 'error', ['ns1', 'ns2']],
      ['unknown', 'warning', ['pinned']]
    ])
  })

  it('calls a referral no help, not lame: the name is delegated elsewhere', () => {
    const ns: DnsRecord = { name: dkim1.name!, type: 'NS', ttl: 300, data: 'ns.elsewhere.example' }
    const result = judge(obs('knot', 'authoritative', outcome('NOERROR', [], false, [ns])))
    expect(result.status).toBe('unknown')
    expect(result.findings.map((f) => f.code)).toEqual(['unknown'])
    expect(messageOf(result.findings[0]!)).toBe(
      `knot does not hold this name: it refers the question to ns.elsewhere.example, the servers ${dkim1.name} is delegated to.`
    )
  })

  it('says inconsistent when caches disagree and no authoritative answer settles it', () => {
    const result = judge(
      obs('cf', 'recursive', outcome('NOERROR', [right()], false)),
      obs('google', 'recursive', outcome('NXDOMAIN', [], false, [soa]))
    )
    expect(result.status).toBe('warn')
    expect(result.findings).toEqual([
      expect.objectContaining({ code: 'inconsistent', resolvers: ['cf', 'google'] })
    ])
  })

  it('is unknown, never missing, when nothing answers conclusively', () => {
    const result = judge(
      obs('cf', 'recursive', { ok: false, error: 'cf: no answer' }),
      obs('google', 'recursive', outcome('SERVFAIL', [], false)),
      obs('ns1', 'authoritative', outcome('REFUSED', [], false))
    )
    expect(result.status).toBe('unknown')
    expect(result.findings.map((f) => f.code).sort()).toEqual(['lame-server', 'unknown', 'unknown'])
  })

  it('lets one dead cache beside a right answer warn, not fail', () => {
    const result = judge(
      obs('ns1', 'authoritative', outcome('NOERROR', [right()], true)),
      obs('dead', 'recursive', { ok: false, error: 'dead: no answer' })
    )
    expect(result).toMatchObject({
      status: 'warn',
      findings: [{ code: 'unknown', resolvers: ['dead'] }]
    })
  })
})
