// The engine asks a domain's records past the router first (src/check.ts,
// passingWithoutZoneCut): it relies on the router handing a plain answer back as it is. Held
// here for any answer isPlainPass accepts from an authoritative server: the same outcome
// object, nothing more asked, no other server credited with it.
import fc from 'fast-check'
import { acrossCuts, answeredBy, createOtherZones } from '../src/dns/authoritative.js'
import { isPlainPass } from '../src/diagnose/plain.js'
import type { DnsQuestion, DnsRecord, QueryOutcome, Resolver } from '../src/dns/types.js'
import { expandExpected } from '../src/records/expected.js'

const domain = fc.constantFrom('example.com', 'mail.example.co.uk', 'x-1.test')

/** The answer to the record's question, varied the ways that can make it not plain. */
const variation = fc.record({
  aa: fc.boolean(),
  otherValue: fc.boolean(),
  cname: fc.boolean(),
  extra: fc.boolean(),
  authority: fc.constantFrom('none', 'ns', 'soa'),
  ttl: fc.integer({ min: 0, max: 86_400 }),
  apexAbove: fc.boolean()
})

describe('the router and a plain answer', () => {
  it('hands a plain authoritative answer back as it is, asking nothing more', async () => {
    let plain = 0
    await fc.assert(
      fc.asyncProperty(
        domain,
        fc.constantFrom('verification', 'dkim1', 'dkim2', 'link_verification', 'dmarc'),
        variation,
        async (name, key, v) => {
          const { records } = expandExpected({
            name,
            zone: name,
            verification: 'mt07',
            tracking: true,
            records: {},
            line: 1
          })
          const expected = records.find((r) => r.key === key)!
          const question: DnsQuestion = { name: expected.name!, type: expected.type }
          const answers: DnsRecord[] = [
            {
              name: expected.name!,
              type: v.cname ? 'CNAME' : expected.type,
              data: v.otherValue ? `other.${name}` : expected.value,
              ttl: v.ttl
            }
          ]
          if (v.extra) answers.push({ name: `other.${name}`, type: 'TXT', data: 'x', ttl: 1 })
          const authority: DnsRecord[] =
            v.authority === 'ns'
              ? [{ name, type: 'NS', data: `ns1.elsewhere.test`, ttl: 60 }]
              : v.authority === 'soa'
                ? [{ name, type: 'SOA', data: `ns1.${name} h.${name} 1 2 3 4 5`, ttl: 60 }]
                : []
          const outcome: QueryOutcome = {
            ok: true,
            response: {
              rcode: 'NOERROR',
              flags: { aa: v.aa, tc: false, rd: false, ra: false },
              answers,
              authority
            }
          }
          const asked: DnsQuestion[] = []
          const server: Resolver = {
            name: 'authoritative',
            kind: 'authoritative',
            address: '127.0.0.1:53',
            query: (q) => {
              asked.push(q)
              return Promise.resolve(
                q === question
                  ? outcome
                  : {
                      ok: true,
                      response: {
                        rcode: 'NXDOMAIN',
                        flags: { aa: true, tc: false, rd: false, ra: false },
                        answers: [],
                        authority: []
                      }
                    }
              )
            },
            close: async () => {}
          }
          if (!isPlainPass(expected, outcome, 'authoritative')) return
          plain++
          const apex = v.apexAbove ? name.split('.').slice(1).join('.') : name
          const routed = acrossCuts(server, createOtherZones({}), apex)
          expect(await routed.query(question)).toBe(outcome)
          expect(asked).toEqual([question])
          expect(answeredBy(outcome)).toBeUndefined()
        }
      ),
      { numRuns: 1500 }
    )
    // Not vacuous: many inputs were plain.
    expect(plain).toBeGreaterThan(50)
  })
})
