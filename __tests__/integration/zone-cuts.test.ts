/**
 * Names in other zones, answered by their own zone's servers: several Knot instances on
 * 127.0.0.x share one port and stand in for the domain's servers, a delegated child's, another
 * zone's and a DMARC vendor's; one more serving every zone stands in for a recursive cache.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const NOW = new Date('2026-11-26T09:00:00Z')
const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

/** shop.test: `_domainkey` delegated to ns-dk, tracking through links.test, DMARC at a vendor. */
const SHOP = (dkHost: string): string =>
  [
    '$ORIGIN shop.test.',
    '$TTL 3600',
    '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
    '@ IN NS ns1',
    'ns1 IN A 127.0.0.2',
    '_domainkey IN NS ns-dk',
    `ns-dk IN A ${dkHost}`,
    'mt07 IN CNAME smtp.mailtrap.live.',
    'mt-link IN CNAME shop.links.test.',
    '_dmarc IN CNAME shop-test.dmarc.vendor.test.',
    ''
  ].join('\n')

const DOMAINKEY = [
  '$ORIGIN _domainkey.shop.test.',
  '$TTL 3600',
  '@ IN SOA ns-dk.shop.test. hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns-dk.shop.test.',
  'rwmt1 IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
  'rwmt2 IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
  ''
].join('\n')

const LINKS = [
  '$ORIGIN links.test.',
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.6',
  'shop IN CNAME t.mailtrap.live.',
  ''
].join('\n')

const VENDOR = [
  '$ORIGIN vendor.test.',
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.7',
  `shop-test.dmarc IN TXT "${DMARC}"`,
  ''
].join('\n')

let config: string
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cuts-'))
  config = join(dir, 'domains.yaml')
  await writeFile(config, 'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n')
})

async function check(args: string[]): Promise<{ code: number; report: Report }> {
  let stdout = ''
  const code = await main(['check', '--config', config, '--format', 'json', ...args], {
    stdout: (t) => (stdout += t),
    stderr: () => undefined,
    color: false,
    now: () => NOW
  })
  return { code, report: JSON.parse(stdout) as Report }
}

const verdicts = (report: Report): string[] =>
  report.domains[0]!.records.map(
    (r) => `${r.key} ${r.status} ${r.findings.map((f) => `${f.code}[${f.resolvers}]`).join(',')}`
  )

describe('authority per zone, across zone cuts', () => {
  const servers: KnotServer[] = []
  let port = 0
  /** Starts the domain's, the other zones' and the cache's servers; `dk` serves _domainkey. */
  async function stage(dk: { host: string; serve: boolean | 'refuse' }): Promise<KnotServer> {
    const shop = await startKnot({ zones: { 'shop.test': SHOP(dk.host) } }, { host: '127.0.0.2' })
    port = shop.port
    servers.push(shop)
    const others: [string, Record<string, string>][] = [
      ['127.0.0.6', { 'links.test': LINKS }],
      ['127.0.0.7', { 'vendor.test': VENDOR }]
    ]
    if (dk.serve === true) others.push([dk.host, { '_domainkey.shop.test': DOMAINKEY }])
    if (dk.serve === 'refuse') others.push([dk.host, { 'links.test': LINKS }])
    for (const [host, zones] of others) servers.push(await startKnot({ zones }, { host, port }))
    // The cache: every zone as a resolver walking from the root would see it.
    const cache = await startKnot(
      {
        zones: {
          'shop.test': SHOP(dk.host),
          '_domainkey.shop.test': DOMAINKEY,
          'links.test': LINKS,
          'vendor.test': VENDOR
        }
      },
      { host: '127.0.0.3', port }
    )
    servers.push(cache)
    return cache
  }
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  it('follows the referral to the delegated _domainkey, and judges cross-zone chains at their end', async () => {
    const cache = await stage({ host: '127.0.0.5', serve: true })
    const { code, report } = await check([
      '--resolver',
      `cache=${cache.address}`,
      '--authoritative',
      `127.0.0.2:${port}`
    ])
    expect(verdicts(report)).toEqual([
      'verification pass ',
      'dkim1 pass ',
      'dkim2 pass ',
      'link_verification warn cname-chain[authoritative,cache]',
      'dmarc warn cname-chain[authoritative,cache]'
    ])
    expect(code).toBe(0)
    const dkim1 = report.domains[0]!.records.find((r) => r.key === 'dkim1')!
    expect(dkim1.observations.map((o) => [o.resolver, o.verdict, o.authoritative])).toEqual([
      ['cache', 'ok', true],
      ['authoritative', 'ok', true]
    ])
  })

  it('follows the referral without a cache, through the address the parent zone holds', async () => {
    await stage({ host: '127.0.0.5', serve: true })
    const { report } = await check([
      '--resolver',
      'authoritative',
      '--authoritative',
      `127.0.0.2:${port}`
    ])
    expect(verdicts(report).slice(0, 3)).toEqual([
      'verification pass ',
      'dkim1 pass ',
      'dkim2 pass '
    ])
  })

  it('names the lame _domainkey delegation, and lets the caches decide the records', async () => {
    const cache = await stage({ host: '127.0.0.5', serve: false })
    const { code, report } = await check([
      '--resolver',
      `cache=${cache.address}`,
      '--authoritative',
      `127.0.0.2:${port}`,
      '--query-timeout',
      '300',
      '--tries',
      '1'
    ])
    expect(code).toBe(0)
    expect(verdicts(report).slice(1, 3)).toEqual([
      'dkim1 warn lame-server[authoritative]',
      'dkim2 warn lame-server[authoritative]'
    ])
    const [lame] = report.domains[0]!.records[1]!.findings
    expect(lame!.message).toMatch(
      /^authoritative refers rwmt1\._domainkey\.shop\.test to _domainkey\.shop\.test, delegated to ns-dk\.shop\.test, which do not serve it \(ns-dk\.shop\.test: .*no answer.*\): a lame delegation/
    )
    expect(lame!.message).not.toMatch(/hold/)
    expect(lame!.hint).toContain('Make ns-dk.shop.test serve _domainkey.shop.test')
  })

  it('names a child server that refuses the delegated zone', async () => {
    const cache = await stage({ host: '127.0.0.5', serve: 'refuse' })
    const { code, report } = await check([
      '--resolver',
      `cache=${cache.address}`,
      '--authoritative',
      `127.0.0.2:${port}`
    ])
    expect(code).toBe(0)
    const [lame] = report.domains[0]!.records[1]!.findings
    expect(lame).toMatchObject({ code: 'lame-server', resolvers: ['authoritative'] })
    expect(lame!.message).toContain(
      'which do not serve it (ns-dk.shop.test: REFUSED without the authoritative (AA) flag)'
    )
  })

  it('reaches the same verdicts with the servers discovered from SOA and NS', async () => {
    const cache = await stage({ host: '127.0.0.5', serve: true })
    const { code, report } = await check([
      '--resolver',
      'authoritative',
      '--resolver',
      `cache=${cache.address}`,
      '--authoritative-port',
      String(port)
    ])
    expect(report.domains[0]!.authoritative).toEqual({
      zone: 'shop.test',
      servers: ['ns1.shop.test']
    })
    expect(verdicts(report)).toEqual([
      'verification pass ',
      'dkim1 pass ',
      'dkim2 pass ',
      'link_verification warn cname-chain[ns1.shop.test,cache]',
      'dmarc warn cname-chain[ns1.shop.test,cache]'
    ])
    expect(code).toBe(0)
  })
})
