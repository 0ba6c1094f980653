// The report of a plainly passing record (src/check-plain.ts) is built straight in the
// report's shape: held here to what the full path builds from the same answers (the
// diagnosis, then toObservationReport and the verdict of each, as check.ts's recordReport
// does), to the byte of its JSON.
import fc from 'fast-check'
import { memoized, plainReport } from '../src/check-plain.js'
import { diagnoseRecord } from '../src/diagnose/diagnose.js'
import { isPlainPass } from '../src/diagnose/plain.js'
import type { DiagnosisContext, Observation } from '../src/diagnose/types.js'
import type { DnsQuestion, QueryOutcome, Resolver, ResolverKind } from '../src/dns/types.js'
import { expandExpected, type ExpectedRecord } from '../src/records/expected.js'
import { reportFinding, wordsFor } from '../src/report/findings.js'
import { toObservationReport } from '../src/report/observations.js'
import type { RecordReport } from '../src/report/report.js'

const KINDS: ResolverKind[] = ['recursive', 'system', 'doh', 'authoritative']

/** What check.ts's recordReport builds from the full diagnosis of the same answers. */
function fullReport(
  expected: ExpectedRecord,
  observations: Observation[],
  context: DiagnosisContext
): RecordReport {
  const diagnosis = diagnoseRecord(expected, observations, context)
  const words = wordsFor(context.apex, undefined)
  return {
    key: expected.key,
    type: expected.type,
    name: expected.name,
    expected: expected.value,
    source: expected.source,
    status: diagnosis.status,
    checked: diagnosis.checked,
    findings: diagnosis.findings.map((f) => reportFinding(f, words)),
    observations: observations.map((o, i) => ({
      ...toObservationReport(o),
      verdict: diagnosis.verdicts[i] ?? 'unknown'
    }))
  }
}

const resolverOf = (name: string, kind: ResolverKind): Resolver => ({
  name,
  kind,
  address: '127.0.0.1:53',
  query: () => Promise.reject(new Error('not asked here')),
  close: async () => {}
})

describe('the report of a plainly passing record', () => {
  it('is what the full path reports from the same answers, to the byte', () => {
    let plain = 0
    fc.assert(
      fc.property(
        fc.constantFrom('example.com', 'mail.example.co.uk'),
        fc.constantFrom('verification', 'dkim1', 'dkim2', 'link_verification', 'dmarc'),
        fc.array(
          fc.record({
            kind: fc.constantFrom(...KINDS),
            ttl: fc.constantFrom(0, 300, 3600),
            aa: fc.boolean()
          }),
          { minLength: 1, maxLength: 4 }
        ),
        (name, key, answers) => {
          const { records } = expandExpected({
            name,
            zone: name,
            verification: 'mt07',
            tracking: true,
            records: {},
            line: 1
          })
          const expected = records.find((r) => r.key === key)!
          const question = { name: expected.name!, type: expected.type }
          const outcomes: QueryOutcome[] = answers.map((a) => ({
            ok: true,
            response: {
              rcode: 'NOERROR',
              flags: { aa: a.aa, tc: false, rd: false, ra: false },
              answers: [
                { name: expected.name!, type: expected.type, data: expected.value, ttl: a.ttl }
              ],
              authority: []
            }
          }))
          const resolvers = answers.map((a, i) => resolverOf(`r${i}`, a.kind))
          const report = plainReport(expected, resolvers, outcomes, wordsFor(name, undefined))
          const allPlain = outcomes.every((o, i) => isPlainPass(expected, o, answers[i]!.kind))
          expect(report !== undefined).toBe(allPlain)
          if (!report) return
          plain++
          const observations: Observation[] = outcomes.map((outcome, i) => ({
            resolver: resolvers[i]!.name,
            kind: resolvers[i]!.kind,
            question,
            outcome,
            probes: []
          }))
          const context: DiagnosisContext = { apex: name, siblings: records, now: new Date(0) }
          const full = fullReport(expected, observations, context)
          expect(JSON.stringify(report)).toBe(JSON.stringify(full))
          expect(report).toEqual(full)
        }
      ),
      { numRuns: 1000 }
    )
    expect(plain).toBeGreaterThan(100)
  })

  it('is no report when no resolver was asked', () => {
    const { records } = expandExpected({
      name: 'example.com',
      zone: 'example.com',
      verification: 'mt07',
      tracking: true,
      records: {},
      line: 1
    })
    expect(plainReport(records[0]!, [], [], wordsFor('example.com', undefined))).toBeUndefined()
  })
})

describe('a domain’s memo of a resolver', () => {
  it('asks each question once, by name and type, and passes everything else through', async () => {
    const asked: DnsQuestion[] = []
    const inner: Resolver = {
      ...resolverOf('a', 'recursive'),
      query: (q) => {
        asked.push(q)
        return Promise.resolve({ ok: false, error: `${q.type} ${q.name}` })
      }
    }
    const memo = memoized(inner)
    expect([memo.name, memo.kind, memo.address]).toEqual(['a', 'recursive', '127.0.0.1:53'])
    const a = memo.query({ name: 'x.test', type: 'CNAME' })
    expect(memo.query({ name: 'x.test', type: 'CNAME' })).toBe(a)
    const txt = memo.query({ name: 'x.test', type: 'TXT' })
    expect(txt).not.toBe(a)
    expect(await txt).toEqual({ ok: false, error: 'TXT x.test' })
    memo.query({ name: 'y.test', type: 'CNAME' })
    expect(asked.map((q) => `${q.type} ${q.name}`)).toEqual([
      'CNAME x.test',
      'TXT x.test',
      'CNAME y.test'
    ])
  })
})
