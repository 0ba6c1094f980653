// The plain-pass shortcut (src/diagnose/plain.ts) held to the full diagnosis: whatever answers
// it calls plain, probesFor asks nothing more and diagnoseRecord passes the record with no
// finding, exactly as plainDiagnosis says. Inputs are the expected records mutated the ways
// servers and users vary them (case, trailing dot, AA bit, TTLs, kinds, types, extra records).
import fc from 'fast-check'
import { diagnoseRecord, probesFor } from '../../src/diagnose/diagnose.js'
import { isPlainPass, plainDiagnosis } from '../../src/diagnose/plain.js'
import type { DiagnosisContext, Observation } from '../../src/diagnose/types.js'
import type { DnsRecord, QueryOutcome, ResolverKind } from '../../src/dns/types.js'
import { expandExpected } from '../../src/records/expected.js'

const KINDS: ResolverKind[] = ['recursive', 'system', 'doh', 'authoritative', 'zone-files']

const domain = fc.constantFrom('example.com', 'mail.example.co.uk', 'x-1.test')
const dmarcValue = fc.constantFrom(
  undefined,
  'v=DMARC1; p=reject; rua=mailto:d@example.com',
  'v=DMARC1; p=none',
  'v=DMARC1;p=quarantine;pct=50',
  'p=none; v=DMARC1',
  'v=DMARC1; p=bogus',
  'v=DMARC1'
)

/** True now and then: each variation alone, so that plain answers are common too. */
const rare = fc.integer({ min: 0, max: 9 }).map((n) => n === 0)

/** One answer built from the expected record, varied. */
const variation = fc.record({
  upper: rare,
  dot: rare,
  otherType: rare,
  otherName: rare,
  otherValue: rare,
  extra: rare,
  aa: fc.boolean(),
  ttl: fc.integer({ min: 0, max: 86_400 }),
  rcode: fc.constantFrom('NOERROR', 'NOERROR', 'NOERROR', 'NOERROR', 'NXDOMAIN', 'SERVFAIL'),
  kind: fc.constantFrom(...KINDS),
  error: rare
})

type Variation = typeof variation extends fc.Arbitrary<infer V> ? V : never

function outcomeOf(name: string, type: string, value: string, v: Variation): QueryOutcome {
  if (v.error && v.otherValue) return { ok: false, error: 'r1 (127.0.0.1): timed out' }
  let data = v.otherValue ? `x${value}` : value
  if (type === 'CNAME') data = (v.upper ? data.toUpperCase() : data) + (v.dot ? '.' : '')
  const answers: DnsRecord[] = [
    {
      name: v.otherName ? `a.${name}` : name,
      type: v.otherType ? (type === 'CNAME' ? 'TXT' : 'CNAME') : type,
      data,
      ttl: v.ttl
    }
  ]
  if (v.extra) answers.push({ name, type: 'TXT', data: 'v=spf1 -all', ttl: v.ttl })
  return {
    ok: true,
    response: {
      rcode: v.rcode,
      flags: { aa: v.aa, tc: false, rd: true, ra: true },
      answers,
      authority: []
    }
  }
}

describe('the plain pass', () => {
  it('is exactly what the full diagnosis passes without a finding or a probe', () => {
    let plain = 0
    let runs = 0
    fc.assert(
      fc.property(
        domain,
        dmarcValue,
        fc.constantFrom('verification', 'dkim1', 'dkim2', 'link_verification', 'dmarc'),
        fc.array(variation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        (name, dmarc, key, variations, now) => {
          runs++
          const { records } = expandExpected({
            name,
            zone: name,
            verification: 'mt07',
            tracking: true,
            records: dmarc ? { dmarc: { value: dmarc } } : {},
            line: 1
          })
          const expected = records.find((r) => r.key === key)!
          const context: DiagnosisContext = { apex: name, siblings: records, now: new Date(now) }
          const observations: Observation[] = variations.map((v, i) => {
            const outcome = outcomeOf(expected.name!, expected.type, expected.value, v)
            return {
              resolver: `r${i}`,
              kind: v.kind,
              question: { name: expected.name!, type: expected.type },
              outcome,
              probes: []
            }
          })
          const plainEach = observations.map((o) => isPlainPass(expected, o.outcome, o.kind))
          for (const [i, o] of observations.entries()) {
            if (plainEach[i]) expect(probesFor(expected, context, o.outcome)).toEqual([])
          }
          if (plainEach.every(Boolean)) {
            plain++
            expect(diagnoseRecord(expected, observations, context)).toEqual(
              plainDiagnosis(observations.length)
            )
          }
        }
      ),
      { numRuns: 3000 }
    )
    // Not vacuous: a good share of the inputs were plain.
    expect(plain).toBeGreaterThan(runs / 20)
  })

  it('is not claimed for a record without a known name, a generic key or a malformed DMARC text', () => {
    const { records } = expandExpected({
      name: 'example.com',
      zone: 'example.com',
      verification: 'mt07',
      tracking: true,
      records: { dmarc: { value: 'v=DMARC1; p=bogus' } },
      line: 1
    })
    const dmarc = records.find((r) => r.key === 'dmarc')!
    const ok = (data: string): QueryOutcome => ({
      ok: true,
      response: {
        rcode: 'NOERROR',
        flags: { aa: true, tc: false, rd: false, ra: false },
        answers: [{ name: dmarc.name!, type: 'TXT', data, ttl: 300 }],
        authority: []
      }
    })
    expect(isPlainPass(dmarc, ok(dmarc.value), 'authoritative')).toBe(false)
    expect(isPlainPass({ ...dmarc, key: 'spf' }, ok(dmarc.value), 'recursive')).toBe(false)
    expect(isPlainPass({ ...dmarc, name: null }, ok(dmarc.value), 'recursive')).toBe(false)
  })
})
