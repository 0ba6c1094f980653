/**
 * A domain whose records all pass is not asked its SOA and NS (issue 12): two round trips and
 * two questions a domain saved. Every other domain is checked the full way, with the same
 * verdicts, findings and fixes as before. The examples' zone files answer, once as the offline
 * source (which always finds the zone cut) and once posing as a network resolver.
 */
import { readFile } from 'node:fs/promises'
import { check } from '../src/check.js'
import { loadConfig } from '../src/config/load-config.js'
import { createZoneFileResolver } from '../src/dns/zone-source.js'
import type { DnsQuestion, Resolver } from '../src/dns/types.js'

const now = () => new Date('2026-01-01T00:00:00Z')

async function reports() {
  const config = loadConfig(await readFile('examples/domains.yaml', 'utf8'), 'domains.yaml')
  const files = await createZoneFileResolver('examples/zones')
  const asked: DnsQuestion[] = []
  const network: Resolver = {
    name: 'zone-files',
    kind: 'recursive',
    address: 'examples/zones',
    close: async () => {},
    query: (q) => {
      asked.push(q)
      return files.query(q)
    }
  }
  const eager = await check(config, { resolvers: [files], now })
  const lazy = await check(config, { resolvers: [network], now })
  const lazyAsked = asked.splice(0)
  // Mailtrap's findings on a passing domain are worded for its DNS host: the cut is looked up.
  const withMailtrap = await check(config, {
    resolvers: [network],
    now,
    mailtrap: { domains: async () => [] }
  })
  return { eager, lazy, asked: lazyAsked, config, withMailtrap, mailtrapAsked: asked }
}

describe('the zone cut of a passing domain', () => {
  it('is not looked up; a domain with anything but a pass is checked as before', async () => {
    const { eager, lazy, asked, config, withMailtrap, mailtrapAsked } = await reports()
    // Every record passed, none with a probe: the apex decided nothing. (shortform.example
    // passes with a record it cannot check, whose fix is worded with the zone: not one.)
    const passing = eager.domains
      .filter((d) =>
        d.records.every((r) => r.status === 'pass' && r.observations.every((o) => !o.probes))
      )
      .map((d) => d.domain)
    expect(passing.length).toBeGreaterThan(0)
    expect(passing.length).toBeLessThan(eager.domains.length)
    const cutAsked = (domain: string) =>
      asked.some(
        (q) =>
          (q.type === 'SOA' || q.type === 'NS') &&
          (q.name === domain || q.name.endsWith(`.${domain}`))
      )
    for (const d of eager.domains) {
      expect([d.domain, cutAsked(d.domain)]).toEqual([d.domain, !passing.includes(d.domain)])
    }
    expect(lazy.summary).toEqual(eager.summary)
    expect(mailtrapAsked.some((q) => q.type === 'SOA' && q.name === passing[0])).toBe(true)
    expect(withMailtrap.domains.map((d) => [d.zone, d.nameServers])).toEqual(
      eager.domains.map((d) => [d.zone, d.nameServers])
    )
    for (const [i, d] of lazy.domains.entries()) {
      const before = eager.domains[i]!
      if (passing.includes(d.domain)) {
        expect(d.status).toBe('pass')
        expect(d.records).toEqual(before.records)
        // The config's zone, and no name servers: nothing asked for them.
        const zone = config.domains.find((c) => c.name === d.domain)!.zone
        expect([d.zone, d.nameServers, d.dnsHost]).toEqual([zone, [], null])
      } else {
        expect(d).toEqual(before)
      }
    }
  })
})
