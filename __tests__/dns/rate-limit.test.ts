/**
 * `--rate-limit` from the outside: which resolvers get which cap, and a capped resolver asking a
 * real Knot on loopback no faster than its cap. Timing is only ever bounded from below (N
 * questions at Q per second cannot all start sooner than (N - burst) / Q seconds), which holds on
 * a machine however loaded.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { loadConfig } from '../../src/config/load-config.js'
import { buildResolvers, closeFleet, ResolverSpecError } from '../../src/dns/resolvers.js'
import type { QueryMeter } from '../../src/dns/types.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const base = { cli: [], config: undefined, authoritative: [], systemServers: () => ['127.0.0.53'] }

/** Each resolver with its cap, as `name cap` (`-` for none); building sends nothing. */
async function caps(request: Partial<Parameters<typeof buildResolvers>[0]>): Promise<string[]> {
  const fleet = await buildResolvers({ ...base, ...request })
  await closeFleet(fleet)
  return fleet.resolvers.map((r) => `${r.name} ${r.rateLimit ?? '-'}`)
}

describe('which resolver gets which cap', () => {
  it('caps the public presets by default, and nothing the user points at', async () => {
    expect(
      await caps({
        cli: ['cloudflare', 'google', 'quad9', 'opendns', 'cloudflare-doh', 'google-doh'],
        authoritative: ['127.0.0.2']
      })
    ).toEqual([
      'cloudflare 100',
      'google 300',
      'quad9 100',
      'opendns 100',
      'cloudflare-doh 100',
      'google-doh 300',
      'authoritative -'
    ])
    expect(
      await caps({
        config: [{ name: 'google', address: '127.0.0.1:5300' }, '127.0.0.9', 'system']
      })
    ).toEqual(['google -', '127.0.0.9 -', 'system -'])
  })

  it('lets a cap for all replace the defaults, and a cap by name win over both', async () => {
    expect(
      await caps({
        cli: ['google', 'quad9', 'knot=127.0.0.1:5300', 'system'],
        authoritative: ['127.0.0.2', '127.0.0.3'],
        rateLimits: { all: 20, byName: { quad9: 0, 'authoritative-2': 3, system: 9 } }
      })
    ).toEqual([
      'google 20',
      'quad9 -',
      'knot 20',
      'system 9',
      'authoritative-1 20',
      'authoritative-2 3'
    ])
    expect(
      await caps({
        cli: ['system'],
        authoritative: ['127.0.0.2', '127.0.0.3'],
        systemServers: () => ['127.0.0.53', '127.0.0.54'],
        rateLimits: { byName: { system: 4, authoritative: 6 } }
      })
    ).toEqual(['system-1 4', 'system-2 4', 'authoritative-1 6', 'authoritative-2 6'])
  })

  it('takes a named config entry’s rate-limit, below a cap by name and above a cap for all', async () => {
    const config = [
      { name: 'corp', address: '127.0.0.10', 'rate-limit': 25 },
      { name: 'edge', doh: 'https://127.0.0.11/dns-query', 'rate-limit': 0 },
      { name: 'lab', address: '127.0.0.12', 'rate-limit': 8 }
    ]
    expect(await caps({ config })).toEqual(['corp 25', 'edge -', 'lab 8'])
    expect(await caps({ config, rateLimits: { all: 40, byName: { lab: 2 } } })).toEqual([
      'corp 25',
      'edge -',
      'lab 2'
    ])
  })

  it('reads rate-limit from domains.yaml, and refuses one below 0 at its line', () => {
    const yaml = (qps: string) =>
      `version: 1\ndefaults:\n  resolvers:\n    - name: corp\n      address: 127.0.0.10\n      rate-limit: ${qps}\ndomains: [example.com]\n`
    expect(loadConfig(yaml('12.5'), 'domains.yaml').resolvers).toEqual([
      { name: 'corp', address: '127.0.0.10', 'rate-limit': 12.5 }
    ])
    expect(() => loadConfig(yaml('-1'), 'domains.yaml')).toThrow(/domains\.yaml:6: /)
  })

  it('refuses a cap for a resolver the run does not have, naming the ones it has', async () => {
    const build = buildResolvers({
      ...base,
      cli: ['google', 'knot=127.0.0.1:5300'],
      rateLimits: { byName: { gogle: 5 } }
    })
    await expect(build).rejects.toThrow(ResolverSpecError)
    await expect(
      buildResolvers({ ...base, cli: ['google'], rateLimits: { byName: { gogle: 5 } } })
    ).rejects.toThrow('no resolver is named "gogle" (the resolvers are google)')
  })
})

describe('a capped resolver asking Knot', () => {
  let knot: KnotServer
  beforeAll(async () => {
    knot = await startKnot({
      zones: {
        'rate.test':
          '$ORIGIN rate.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n' +
          '@ IN NS ns1\nns1 IN A 127.0.0.1\n* IN TXT "hello"\n'
      }
    })
  })
  afterAll(() => knot?.stop())

  it('starts no more than burst + cap × elapsed questions, and answers every one', async () => {
    const qps = 50
    const burst = 5 // a tenth of a second's worth, as rate-cap.ts sizes it
    const n = 120
    const meter: QueryMeter = { asked: 0 }
    const started = performance.now()
    const fleet = await buildResolvers({
      ...base,
      cli: [`knot=${knot.address}`],
      rateLimits: { byName: { knot: qps } },
      meter
    })
    const [resolver] = fleet.resolvers
    const samples: { at: number; asked: number }[] = []
    const sampler = setInterval(() => {
      samples.push({ at: performance.now(), asked: meter.asked })
    }, 50)
    try {
      const outcomes = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          resolver!.query({ name: `q${i}.rate.test`, type: 'TXT' })
        )
      )
      const seconds = (performance.now() - started) / 1000
      expect(outcomes.filter((o) => o.ok && o.response.answers[0]?.data === 'hello')).toHaveLength(
        n
      )
      expect(meter.asked).toBe(n)
      expect(seconds).toBeGreaterThanOrEqual((n - burst) / qps)
      // Sampled along the way: never ahead of the cap (the bucket was made after `started`).
      expect(samples.length).toBeGreaterThan(10)
      for (const { at, asked } of samples) {
        expect(asked).toBeLessThanOrEqual(burst + (qps * (at - started)) / 1000)
      }
    } finally {
      clearInterval(sampler)
      await closeFleet(fleet)
    }
  })

  it('settles the questions still waiting for the cap when the resolver closes', async () => {
    const fleet = await buildResolvers({
      ...base,
      cli: [`knot=${knot.address}`],
      rateLimits: { all: 1 }
    })
    const [resolver] = fleet.resolvers
    const first = resolver!.query({ name: 'a.rate.test', type: 'TXT' })
    const waiting = resolver!.query({ name: 'b.rate.test', type: 'TXT' })
    await first
    await closeFleet(fleet)
    expect(await waiting).toEqual({
      ok: false,
      error: `knot (${knot.address}): closed before b.rate.test TXT was asked`
    })
  })
})
