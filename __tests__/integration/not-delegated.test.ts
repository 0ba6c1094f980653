/**
 * Records on a DNS host the registry does not point at: the new host (pinned with
 * --authoritative) holds them, the cache follows the delegation to the old host. Knot on
 * 127.0.0.x stands in for both hosts and for the cache that sees the old one.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

const zone = (host: string, records: boolean, nsAlso?: string): string =>
  [
    '$ORIGIN shop.test.',
    '$TTL 3600',
    `@ IN SOA ns1.${host}.test. hostmaster 1 7200 900 1209600 300`,
    `@ IN NS ns1.${host}.test.`,
    nsAlso ? `@ IN NS ns1.${nsAlso}.test.` : '',
    ...(records
      ? [
          'mt07 IN CNAME smtp.mailtrap.live.',
          'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
          'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
          'mt-link IN CNAME t.mailtrap.live.',
          `_dmarc IN TXT "${DMARC}"`
        ]
      : []),
    ''
  ].join('\n')

describe('records on a host the registry does not delegate to', () => {
  const servers: KnotServer[] = []
  let config: string
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'not-delegated-'))
    config = join(dir, 'domains.yaml')
    await writeFile(config, 'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n')
  })
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  async function check(newZone: string, oldZone: string) {
    const fresh = await startKnot({ zones: { 'shop.test': newZone } }, { host: '127.0.0.2' })
    servers.push(fresh)
    const cache = await startKnot(
      { zones: { 'shop.test': oldZone } },
      { host: '127.0.0.3', port: fresh.port }
    )
    servers.push(cache)
    let stdout = ''
    const code = await main(
      [
        'check',
        '--config',
        config,
        '--format',
        'json',
        '--resolver',
        `cache=${cache.address}`,
        '--authoritative',
        fresh.address
      ],
      {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        color: false,
        now: () => new Date('2026-11-26T09:00:00Z')
      }
    )
    return { code, report: JSON.parse(stdout) as Report }
  }

  it('says not-delegated-here with the registrar fix, never propagating', async () => {
    const { code, report } = await check(zone('newhost', true), zone('oldhost', false))
    expect(code).toBe(1)
    const records = report.domains[0]!.records
    expect(records.map((r) => `${r.key} ${r.status} ${r.findings.map((f) => f.code)}`)).toEqual([
      'verification fail not-delegated-here',
      'dkim1 fail not-delegated-here',
      'dkim2 fail not-delegated-here',
      'link_verification fail not-delegated-here',
      'dmarc fail not-delegated-here'
    ])
    const [f] = records[1]!.findings
    expect(f!.resolvers).toEqual(['authoritative', 'cache'])
    expect(f!.message).toContain('the parent zone delegates shop.test to ns1.oldhost.test')
    expect(f!.hint).toBe(
      'shop.test is delegated to ns1.oldhost.test; the records are on ns1.newhost.test: change the name servers of shop.test at your registrar to ns1.newhost.test, or add the records at the host of ns1.oldhost.test.'
    )
  })

  it('still says propagating when the pinned server is one the zone is delegated to', async () => {
    const { report } = await check(
      zone('newhost', true, 'oldhost'),
      zone('oldhost', false, 'newhost')
    )
    const codes = report.domains[0]!.records.flatMap((r) => r.findings.map((f) => f.code))
    expect(new Set(codes)).toEqual(new Set(['propagating']))
  })
})

describe('a move between DNS hosts half done, found by discovery', () => {
  const servers: KnotServer[] = []
  afterAll(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  it('names the half-migrated delegation, not a zone transfer to fix', async () => {
    const host = (name: string, address: string): string =>
      [
        `$ORIGIN ${name}.test.`,
        '$TTL 3600',
        '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
        '@ IN NS ns1',
        `ns1 IN A ${address}`,
        ''
      ].join('\n')
    const fresh = zone('newhost', true, 'oldhost')
    const old = zone('newhost', false, 'oldhost')
    const newHost = await startKnot({ zones: { 'shop.test': fresh } }, { host: '127.0.0.2' })
    servers.push(newHost)
    const { port } = newHost
    servers.push(await startKnot({ zones: { 'shop.test': old } }, { host: '127.0.0.8', port }))
    // The cache: the delegation as the registry has it, and where each host's server is.
    const cache = await startKnot(
      {
        zones: {
          'shop.test': old,
          'newhost.test': host('newhost', '127.0.0.2'),
          'oldhost.test': host('oldhost', '127.0.0.8')
        }
      },
      { host: '127.0.0.3', port }
    )
    servers.push(cache)
    const dir = await mkdtemp(join(tmpdir(), 'half-'))
    const config = join(dir, 'domains.yaml')
    await writeFile(config, 'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n')
    let stdout = ''
    const code = await main(
      [
        'check',
        '--config',
        config,
        '--format',
        'json',
        '--resolver',
        'authoritative',
        '--resolver',
        `cache=${cache.address}`,
        '--authoritative-port',
        String(port)
      ],
      {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        color: false,
        now: () => new Date('2026-11-26T09:00:00Z')
      }
    )
    const report = JSON.parse(stdout) as Report
    expect(code).toBe(1)
    expect(report.domains[0]!.authoritative?.servers).toEqual([
      'ns1.newhost.test',
      'ns1.oldhost.test'
    ])
    const [f] = report.domains[0]!.records.find((r) => r.key === 'dkim1')!.findings
    expect(f).toMatchObject({ code: 'out-of-sync', severity: 'error' })
    expect(f!.message).toContain(
      'ns1.newhost.test hold the record, ns1.oldhost.test do not, so resolvers get either answer: a move between DNS hosts, half done.'
    )
    expect(f!.hint).toBe(
      "Finish the move: set the domain's name servers at your registrar (and the NS records in the zone) to ns1.newhost.test only, or add the records at the host of ns1.oldhost.test too."
    )
  })
})
