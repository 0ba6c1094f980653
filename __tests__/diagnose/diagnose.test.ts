import { diagnoseRecord as diagnoseWith, probesFor } from '../../src/diagnose/diagnose.js'
import type { DiagnosisContext, Observation } from '../../src/diagnose/types.js'
import { hintOf, messageOf } from '../support/words.js'
import type { DnsRecord, DnsResponse, QueryOutcome } from '../../src/dns/types.js'
import { expandExpected, type ExpectedRecord } from '../../src/records/expected.js'

const zone = 'example.com'
const expected = expandExpected({
  name: zone,
  zone,
  verification: 'mt07',
  tracking: true,
  records: {},
  line: 1
}).records
const byKey = (key: string): ExpectedRecord => expected.find((r) => r.key === key)!
const DMARC = byKey('dmarc').value
const context: DiagnosisContext = {
  apex: zone,
  siblings: expected,
  now: new Date(0)
}
const diagnoseRecord = (record: ExpectedRecord, observations: Observation[]) =>
  diagnoseWith(record, observations, context)

function answer(rcode: string, answers: Omit<DnsRecord, 'ttl'>[] = []): QueryOutcome {
  const response: DnsResponse = {
    rcode,
    flags: { aa: true, tc: false, rd: false, ra: false },
    answers: answers.map((a) => ({ ttl: 300, ...a })),
    authority: []
  }
  return { ok: true, response }
}

function observe(
  record: ExpectedRecord,
  main: QueryOutcome,
  probes: Record<string, QueryOutcome> = {},
  resolver = 'r1'
): Observation {
  return {
    resolver,
    kind: 'recursive',
    question: { name: record.name!, type: record.type },
    outcome: main,
    probes: probesFor(record, context, main).map((q) => ({
      question: q,
      outcome: probes[`${q.name} ${q.type}`] ?? answer('NXDOMAIN')
    }))
  }
}

const codes = (record: ExpectedRecord, observations: Observation[]): string[] =>
  diagnoseRecord(record, observations).findings.map((f) => f.code)

describe('diagnoseRecord', () => {
  const dkim1 = byKey('dkim1')
  const dmarc = byKey('dmarc')

  it('passes a CNAME whose target matches, with no finding', () => {
    const result = diagnoseRecord(dkim1, [
      observe(
        dkim1,
        answer('NOERROR', [
          { name: dkim1.name!, type: 'CNAME', data: 'rwmt1.dkim.smtp.mailtrap.live' }
        ])
      )
    ])
    expect(result).toEqual({ status: 'pass', checked: true, findings: [], verdicts: ['ok'] })
  })

  it('calls a plain NXDOMAIN missing, and says what to add', () => {
    const result = diagnoseRecord(dkim1, [observe(dkim1, answer('NXDOMAIN'))])
    expect(result.status).toBe('fail')
    expect(result.findings[0]).toMatchObject({
      code: 'missing',
      severity: 'error',
      resolvers: ['r1']
    })
    expect(hintOf(result.findings[0]!, zone)).toContain('rwmt1._domainkey')
  })

  it('finds a record at the doubled name', () => {
    const doubled = 'rwmt1._domainkey.example.com.example.com'
    expect(
      codes(dkim1, [
        observe(dkim1, answer('NXDOMAIN'), {
          [`${doubled} CNAME`]: answer('NOERROR', [
            { name: doubled, type: 'CNAME', data: 'rwmt1.dkim.smtp.mailtrap.live' }
          ])
        })
      ])
    ).toEqual(['doubled-name'])
  })

  it('recognises a target with the zone appended', () => {
    expect(
      codes(dkim1, [
        observe(
          dkim1,
          answer('NOERROR', [
            { name: dkim1.name!, type: 'CNAME', data: 'rwmt1.dkim.smtp.mailtrap.live.example.com' }
          ])
        )
      ])
    ).toEqual(['value-suffixed'])
  })

  it('calls another target wrong-value', () => {
    expect(
      codes(dkim1, [
        observe(
          dkim1,
          answer('NOERROR', [{ name: dkim1.name!, type: 'CNAME', data: 'dkim.other.net' }])
        )
      ])
    ).toEqual(['wrong-value'])
  })

  it('calls a TXT where a CNAME belongs wrong-type, an old DKIM key conflict, and A/AAAA proxied', () => {
    const txt = (data: string) => ({
      [`${dkim1.name} TXT`]: answer('NOERROR', [{ name: dkim1.name!, type: 'TXT', data }])
    })
    expect(codes(dkim1, [observe(dkim1, answer('NOERROR'), txt('hello'))])).toEqual(['wrong-type'])
    const typed = diagnoseRecord(dkim1, [observe(dkim1, answer('NXDOMAIN'), txt(dkim1.value))])
    expect(messageOf(typed.findings[0]!)).toContain('the target was entered as a TXT record')
    expect(codes(dkim1, [observe(dkim1, answer('NOERROR'), txt('v=DKIM1; k=rsa; p=abc'))])).toEqual(
      ['conflict']
    )
    const a = {
      [`${dkim1.name} A`]: answer('NOERROR', [{ name: dkim1.name!, type: 'A', data: '192.0.2.1' }])
    }
    expect(codes(dkim1, [observe(dkim1, answer('NOERROR'), a)])).toEqual(['proxied'])
  })

  it('never calls a timeout or SERVFAIL missing', () => {
    const result = diagnoseRecord(dkim1, [
      observe(dkim1, { ok: false, error: 'r1 (127.0.0.1:1): no answer' }),
      observe(dkim1, answer('SERVFAIL'), {}, 'r2')
    ])
    expect(result.status).toBe('unknown')
    expect(result.findings.map((f) => f.code)).toEqual(['unknown', 'unknown'])
  })

  it('merges the same finding from several resolvers into one naming them all', () => {
    const result = diagnoseRecord(dkim1, [
      observe(dkim1, answer('NXDOMAIN'), {}, 'a'),
      observe(dkim1, answer('NXDOMAIN'), {}, 'b')
    ])
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]!.resolvers).toEqual(['a', 'b'])
  })

  it('passes DMARC split into strings, reordered, in another case and spacing', () => {
    const text =
      'v=DMARC1;pct=100; RF=afrf; p=NONE; ruf=mailto:dmarc@smtp.mailtrap.live;rua=mailto:DMARC@smtp.mailtrap.live'
    expect(
      codes(dmarc, [
        observe(dmarc, answer('NOERROR', [{ name: dmarc.name!, type: 'TXT', data: text }]))
      ])
    ).toEqual([])
  })

  it('judges DMARC by RFC 7489 and RFC 9989: discarded records fail, written-out defaults pass', () => {
    const txt = (data: string) => answer('NOERROR', [{ name: dmarc.name!, type: 'TXT', data }])
    const judged = (data: string) => diagnoseRecord(dmarc, [observe(dmarc, txt(data))])
    expect(judged(` ${DMARC}`).findings.map((f) => f.code)).toEqual(['wrong-value'])
    expect(judged(`${DMARC}; t=n; psd=u`).findings).toEqual([])
    const cut = judged('v=DMARC1; p=no\nne; rua=mailto:dmarc@smtp.mailtrap.live').findings[0]!
    expect(cut.code).toBe('wrong-value')
    expect(messageOf(cut)).toContain('act as if it said p=none')
    const lenient = judged(`${DMARC}; ;`).findings[0]!
    expect(messageOf(lenient)).toMatch(/still apply it/)
  })

  it('gives the one merged SPF record as the fix, never a second record', () => {
    const spf = expandExpected({
      name: zone,
      zone,
      verification: 'mt07',
      tracking: true,
      records: { spf: { value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all' } },
      line: 1
    }).records.find((r) => r.key === 'spf')!
    const result = diagnoseWith(
      spf,
      [
        observe(
          spf,
          answer('NOERROR', [
            { name: zone, type: 'TXT', data: 'v=spf1 include:_spf.google.com ~all' }
          ])
        )
      ],
      context
    )
    expect(hintOf(result.findings[0]!, zone)).toContain(
      'v=spf1 include:_spf.google.com include:_spf.smtp.mailtrap.live ~all'
    )
  })

  it('finds quoted, duplicate and CNAME-at-_dmarc mistakes', () => {
    const txt = (...data: string[]) =>
      answer(
        'NOERROR',
        data.map((d) => ({ name: dmarc.name!, type: 'TXT', data: d }))
      )
    expect(codes(dmarc, [observe(dmarc, txt(`"${DMARC}"`))])).toEqual(['quoted-value'])
    expect(codes(dmarc, [observe(dmarc, txt(DMARC, 'v=DMARC1; p=reject'))])).toEqual(['duplicate'])
    expect(codes(dmarc, [observe(dmarc, txt('v=DMARC1; p=reject'))])).toEqual(['dmarc-differs'])
    expect(codes(dmarc, [observe(dmarc, txt('v=DMARC1; p=maybe'))])).toEqual(['wrong-value'])
    expect(
      codes(dmarc, [
        observe(
          dmarc,
          answer('NOERROR', [{ name: dmarc.name!, type: 'CNAME', data: 'dmarc.other.net' }])
        )
      ])
    ).toEqual(['wrong-type'])
  })

  it('keeps checking the other records when the verification host is unknown', () => {
    const records = expandExpected({
      name: zone,
      zone,
      tracking: false,
      records: {},
      line: 3
    }).records
    expect(records.map((r) => r.key)).toEqual(['verification', 'dkim1', 'dkim2', 'dmarc'])
    const result = diagnoseRecord(records[0]!, [])
    expect(result).toMatchObject({
      status: 'unknown',
      checked: false,
      findings: [{ code: 'unconfigured', severity: 'warning' }]
    })
  })

  it('asks no probe when the main answer settles the record, and follows a CNAME chain', () => {
    const cname = (data: string) => answer('NOERROR', [{ name: dkim1.name!, type: 'CNAME', data }])
    expect(probesFor(dkim1, context, cname(dkim1.value))).toEqual([])
    expect(probesFor(dkim1, context, cname(`${dkim1.value}.${zone}`))).toEqual([])
    expect(probesFor(dkim1, context, answer('SERVFAIL'))).toEqual([])
    expect(probesFor(dkim1, context, cname('x.y'))).toEqual([
      { name: '*._domainkey.example.com', type: 'CNAME' },
      { name: '*.example.com', type: 'CNAME' },
      { name: 'x.y', type: 'CNAME' }
    ])
    const hop = {
      question: { name: 'x.y', type: 'CNAME' },
      outcome: answer('NOERROR', [{ name: 'x.y', type: 'CNAME', data: dkim1.value }])
    }
    expect(probesFor(dkim1, context, cname('x.y'), [hop])).toEqual([])
    const chained = diagnoseRecord(dkim1, [{ ...observe(dkim1, cname('x.y')), probes: [hop] }])
    expect(chained).toMatchObject({ status: 'warn', findings: [{ code: 'cname-chain' }] })
    expect(probesFor(dmarc, context, answer('NXDOMAIN'))).toEqual([
      { name: '_dmarc.example.com.example.com', type: 'TXT' },
      { name: 'example.com', type: 'TXT' }
    ])
  })
})
