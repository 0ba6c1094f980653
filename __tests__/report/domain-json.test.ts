// A domain's line written by hand (src/report/domain-json.ts) is JSON.stringify's to the byte:
// for the shapes the engine builds, and for anything else, near them or not.
import fc from 'fast-check'
import { readFile } from 'node:fs/promises'
import { check } from '../../src/check.js'
import { loadConfig } from '../../src/config/load-config.js'
import { createZoneFileResolver } from '../../src/dns/zone-source.js'
import { domainJson } from '../../src/report/domain-json.js'

const examples = new URL('../../examples/', import.meta.url).pathname

/** Strings with what JSON escapes and what it does not: quotes, controls, lone surrogates. */
const text = fc.oneof(
  fc.constantFrom('a', 'pass', 'ok', 'NOERROR', 'CNAME', 'mt07.example.com', '', '"', '\\'),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u007f', '\ud800', '\udc00', '\u2028', 'é', '"') })
)

/** Values JSON.stringify writes whatever their kind (NaN as null). */
const plain = fc.oneof(
  { weight: 6, arbitrary: text },
  fc.constantFrom(true, false, null, 0, -0, 3600, 1e21, 0.5, NaN, -Infinity),
  fc.constant([]),
  fc.array(text, { maxLength: 2 })
)

/** Values it leaves out or rewrites: undefined, functions, toJSON. */
const odd = fc.constantFrom<unknown>(
  undefined,
  () => 1,
  { toJSON: () => 'x' },
  { toJSON: () => undefined },
  new Date(0),
  Object.assign([1], { toJSON: () => 2 }),
  Object.assign([], { toJSON: () => 2 })
)

/** What a field may hold: mostly plain values, now and then an odd one. */
const value = fc.oneof({ weight: 12, arbitrary: plain }, { weight: 1, arbitrary: odd })

/** An object with `keys`, usually in that order, sometimes one left out, one added or moved. */
function shaped<T>(keys: readonly string[], at: (key: string) => fc.Arbitrary<T>) {
  const change = fc.oneof(
    { weight: 20, arbitrary: fc.constant('as built') },
    fc.constantFrom('one less', 'one more', 'reordered', 'toJSON', 'class')
  )
  return fc
    .tuple(fc.tuple(...keys.map((k) => at(k))), change, fc.nat())
    .map(([values, change, n]) => {
      let entries: [string, unknown][] = keys.map((k, i) => [k, values[i]])
      const i = n % entries.length
      if (change === 'one less') entries.splice(i, 1)
      if (change === 'one more') entries.splice(i, 0, ['extra', 1])
      if (change === 'reordered') entries = [...entries.slice(i), ...entries.slice(0, i)]
      const object = Object.fromEntries(entries)
      if (change === 'toJSON') return { ...object, toJSON: () => ({ replaced: true }) }
      if (change === 'class') return Object.assign(new (class Shape {})(), object)
      return object
    })
}

/** An element of a list: mostly the shape asked for, now and then anything. */
const mostly = <T>(shape: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: shape }, { weight: 1, arbitrary: fc.oneof(value, odd) })

const answer = shaped(['name', 'type', 'data', 'ttl'], (k) =>
  k === 'ttl' ? fc.oneof(fc.constantFrom(0, 300, 3600), value) : value
)
const answers = mostly(fc.array(answer, { maxLength: 2 }))
const observation = mostly(
  fc.oneof(
    shaped(['resolver', 'rcode', 'answers', 'authoritative', 'verdict'], (k) =>
      k === 'answers' ? answers : value
    ),
    shaped(['resolver', 'rcode', 'answers', 'authoritative', 'server', 'verdict'], (k) =>
      k === 'answers' ? answers : value
    )
  )
)
/** Observations, some sharing one answer list as resolvers with the same TTL do. */
const observations = fc.oneof(
  { weight: 4, arbitrary: fc.array(observation, { maxLength: 4 }) },
  fc.tuple(answers, fc.array(text, { maxLength: 4 })).map(([shared, names]) =>
    names.map((resolver) => ({
      resolver,
      rcode: 'NOERROR',
      answers: shared,
      authoritative: true,
      verdict: 'ok'
    }))
  ),
  value
)
const record = mostly(
  shaped(
    ['key', 'type', 'name', 'expected', 'source', 'status', 'checked', 'findings', 'observations'],
    (k) => (k === 'observations' ? observations : value)
  )
)
const domain = shaped(
  ['domain', 'zone', 'line', 'status', 'records', 'findings', 'nameServers', 'dnsHost', 'mailtrap'],
  (k) => (k === 'records' ? mostly(fc.array(record, { maxLength: 3 })) : value)
)

describe('domainJson', () => {
  it("is JSON.stringify's text for any domain-like value", () => {
    fc.assert(
      fc.property(mostly(domain), (d) => {
        expect(domainJson(d)).toBe(JSON.stringify(d))
      }),
      { numRuns: 2000 }
    )
  })

  it("is JSON.stringify's text for any value at all", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        expect(domainJson(v)).toBe(JSON.stringify(v))
      })
    )
  })

  it("is JSON.stringify's text for the examples' domains, passing and failing", async () => {
    const config = loadConfig(
      await readFile(`${examples}domains.yaml`, 'utf8'),
      'examples/domains.yaml'
    )
    const report = await check(config, {
      resolvers: [await createZoneFileResolver(`${examples}zones`)],
      now: () => new Date('2026-11-26T08:00:00Z')
    })
    expect(new Set(report.domains.map((d) => d.status)).size).toBeGreaterThan(1)
    for (const d of report.domains) expect(domainJson(d)).toBe(JSON.stringify(d))
  })

  it('writes a repeated answer list once per record, the same text each time', () => {
    const shared = [{ name: 'a.example.com', type: 'CNAME', data: 'b.example.com', ttl: 300 }]
    const observation = (resolver: string) => ({
      resolver,
      rcode: 'NOERROR',
      answers: shared,
      authoritative: false,
      verdict: 'ok'
    })
    const d = {
      domain: 'example.com',
      zone: 'example.com',
      line: 3,
      status: 'pass',
      records: [
        {
          key: 'dkim1',
          type: 'CNAME',
          name: 'a.example.com',
          expected: 'b.example.com',
          source: 'default',
          status: 'pass',
          checked: true,
          findings: [],
          observations: [observation('a'), observation('b'), observation('c')]
        }
      ],
      findings: [],
      nameServers: [],
      dnsHost: null,
      mailtrap: null
    }
    expect(domainJson(d)).toBe(JSON.stringify(d))
  })
})
