/**
 * The router across zone cuts as a port of the run: its servers of other zones are asked with
 * the run's query limits, and closed with the fleet, so no socket outlives the round. Knot on
 * 127.0.0.22 serves the domain and delegates `_domainkey` to a server that never answers.
 */
import dgram from 'node:dgram'
import { readdirSync, readlinkSync } from 'node:fs'
import { check } from '../../src/check.js'
import { loadConfig } from '../../src/config/load-config.js'
import { createOtherZonesFor } from '../../src/dns/authoritative.js'
import { buildResolvers, closeFleet } from '../../src/dns/resolvers.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const SHOP = [
  '$ORIGIN shop.test.',
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.22',
  'mt07 IN CNAME smtp.mailtrap.live.',
  '_domainkey IN NS ns-dk',
  'ns-dk IN A 127.0.0.25',
  ''
].join('\n')

/** Sockets this process holds open. */
function openSockets(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')
    } catch {
      return false
    }
  }).length
}

describe('the router across zone cuts, as a port', () => {
  let knot: KnotServer
  let silent: dgram.Socket
  beforeAll(async () => {
    knot = await startKnot({ zones: { 'shop.test': SHOP } }, { host: '127.0.0.22' })
    // The delegated child's server: it takes every question and answers none.
    silent = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(knot.port, '127.0.0.25', resolve))
  })
  afterAll(async () => {
    silent.close()
    await knot.stop()
  })

  it("asks other zones' servers with the run's limits and closes them with the fleet", async () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n',
      'domains.yaml'
    )
    const before = openSockets()
    const limits = { timeoutMs: 250, tries: 1 }
    const fleet = await buildResolvers({
      cli: ['authoritative'],
      config: undefined,
      authoritative: [knot.address],
      ...limits
    })
    const otherZones = createOtherZonesFor(fleet, limits)!
    const ports = { ...fleet, otherZones, now: () => new Date('2026-11-26T09:00:00Z') }
    try {
      const report = await check(config, ports)
      const dkim1 = report.domains[0]!.records.find((r) => r.key === 'dkim1')!
      const [lame] = dkim1.findings
      expect(lame).toMatchObject({ code: 'lame-server', resolvers: ['authoritative'] })
      expect(lame!.message).toMatch(/ns-dk\.shop\.test: .*no answer.* 250 ms/)
      expect(openSockets()).toBeGreaterThan(before)
    } finally {
      await closeFleet(fleet)
      await otherZones.close()
    }
    expect(openSockets()).toBe(before)
  })

  it('has nothing to route for a fleet of caches alone', async () => {
    const fleet = await buildResolvers({
      cli: [`cache=${knot.address}`],
      config: undefined,
      authoritative: []
    })
    expect(createOtherZonesFor(fleet)).toBeUndefined()
    await closeFleet(fleet)
  })
})
