/**
 * CNAME chains across zones, reported hop by hop, and delegations half moved between hosts.
 * Knot on 127.0.0.x (one port) stands in for the domain's server, a delegated child's (reached
 * through the glue of the referral), another zone's, a DMARC vendor's, and a cache that serves
 * every zone.
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
const SOA = '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300'

/**
 * shop.test: `_domainkey` delegated to a DNS host elsewhere (no glue), tracking through the
 * child track.shop.test (glue below the cut), verification through links.test, DMARC at a
 * vendor whose name is itself a CNAME into links.test (two zones crossed).
 */
const SHOP = [
  '$ORIGIN shop.test.',
  '$TTL 3600',
  SOA,
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.2',
  'mt07 IN CNAME verify.links.test.',
  '_domainkey IN NS ns1.dkhost.test.',
  'mt-link 300 IN CNAME t.track.shop.test.',
  'track IN NS ns1.track',
  'ns1.track IN A 127.0.0.6',
  '_dmarc IN CNAME shop-test.dmarc.vendor.test.',
  ''
].join('\n')

const TRACK = [
  '$ORIGIN track.shop.test.',
  '$TTL 3600',
  SOA,
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.6',
  't 600 IN CNAME t.mailtrap.live.',
  ''
].join('\n')

const DOMAINKEY = [
  '$ORIGIN _domainkey.shop.test.',
  '$TTL 3600',
  '@ IN SOA ns1.dkhost.test. hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1.dkhost.test.',
  'rwmt1 IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
  'rwmt2 IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
  ''
].join('\n')

const DKHOST = [
  '$ORIGIN dkhost.test.',
  '$TTL 3600',
  SOA,
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.9',
  ''
].join('\n')

const LINKS = ['$ORIGIN links.test.', '$TTL 3600', SOA, '@ IN NS ns1', 'ns1 IN A 127.0.0.8']
  .concat(['verify IN CNAME smtp.mailtrap.live.', `shop-test 900 IN TXT "${DMARC}"`, ''])
  .join('\n')

const VENDOR = ['$ORIGIN vendor.test.', '$TTL 3600', SOA, '@ IN NS ns1', 'ns1 IN A 127.0.0.7']
  .concat(['shop-test.dmarc 600 IN CNAME shop-test.links.test.', ''])
  .join('\n')

let config: string
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chains-'))
  config = join(dir, 'domains.yaml')
  await writeFile(config, 'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n')
})

async function run(
  format: string,
  args: string[],
  domains = config
): Promise<{ code: number; out: string }> {
  let out = ''
  const code = await main(['check', '--config', domains, '--format', format, ...args], {
    stdout: (t) => (out += t),
    stderr: () => undefined,
    color: false,
    now: () => NOW
  })
  return { code, out }
}

const verdicts = (report: Report): string[] =>
  report.domains[0]!.records.map(
    (r) => `${r.key} ${r.status} ${r.findings.map((f) => `${f.code}[${f.resolvers}]`).join(',')}`
  )
const record = (report: Report, key: string) =>
  report.domains[0]!.records.find((r) => r.key === key)!
const chainOf = (report: Report, key: string, resolver: string) =>
  record(report, key).observations.find((o) => o.resolver === resolver)?.chain

describe('CNAME chains across zones, hop by hop', () => {
  const servers: KnotServer[] = []
  let port = 0
  let cache: KnotServer
  beforeAll(async () => {
    const shop = await startKnot({ zones: { 'shop.test': SHOP } }, { host: '127.0.0.2' })
    servers.push(shop)
    port = shop.port
    const others: [string, Record<string, string>][] = [
      ['127.0.0.6', { 'track.shop.test': TRACK }],
      ['127.0.0.7', { 'vendor.test': VENDOR }],
      ['127.0.0.8', { 'links.test': LINKS }],
      ['127.0.0.9', { 'dkhost.test': DKHOST, '_domainkey.shop.test': DOMAINKEY }]
    ]
    for (const [host, zones] of others) servers.push(await startKnot({ zones }, { host, port }))
    cache = await startKnot(
      {
        zones: {
          'shop.test': SHOP,
          'track.shop.test': TRACK,
          'vendor.test': VENDOR,
          'links.test': LINKS,
          'dkhost.test': DKHOST,
          '_domainkey.shop.test': DOMAINKEY
        }
      },
      { host: '127.0.0.3', port }
    )
    servers.push(cache)
  })
  afterAll(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  it('with only --authoritative, follows the referral through its glue and never takes a refusal for the end', async () => {
    const args = ['--resolver', 'authoritative', '--authoritative', `127.0.0.2:${port}`]
    const { code, out } = await run('json', args)
    const report = JSON.parse(out) as Report
    expect(verdicts(report)).toEqual([
      'verification unknown unknown[authoritative]',
      'dkim1 unknown unknown[authoritative]',
      'dkim2 unknown unknown[authoritative]',
      'link_verification warn cname-chain[authoritative]',
      'dmarc unknown unknown[authoritative]'
    ])
    expect(code).toBe(3)
    // The child's server was reached through the glue the referral carried.
    expect(chainOf(report, 'link_verification', 'authoritative')).toEqual([
      {
        name: 'mt-link.shop.test',
        type: 'CNAME',
        ttl: 300,
        data: 't.track.shop.test',
        server: 'authoritative'
      },
      {
        name: 't.track.shop.test',
        type: 'CNAME',
        ttl: 600,
        data: 't.mailtrap.live',
        server: 'ns1.track.shop.test'
      }
    ])
    // A chain into a zone nothing could ask is a finding of its own, not a silent resolver: the
    // server answered, and its answer is kept as it gave it.
    const [verification] = record(report, 'verification').findings
    const refused = (name: string): string =>
      `${name} is outside shop.test, which authoritative serves (it answered REFUSED), and no resolver was given to find the servers of its own zone`
    expect(verification!.detail).toEqual({
      kind: 'chain-unfollowed',
      name: 'mt07.shop.test',
      end: 'verify.links.test',
      why: refused('verify.links.test')
    })
    expect(verification!.message).toBe(
      `The CNAME chain at mt07.shop.test leaves the zone at verify.links.test, and nothing could ask that zone's servers: ${refused('verify.links.test')}. Where the chain ends is not known, so neither is the record.`
    )
    expect(verification!.fix.map((s) => s.action)).toEqual(['follow-chain', 'set-value'])
    expect(verification!.hint).toBe(
      "Add a cache resolver (--resolver) so the chain can be followed, then run the check again. Or, right whatever the chain ends in, point the CNAME straight at Mailtrap's target. Edit the CNAME at mt07 and enter target smtp.mailtrap.live. (with the trailing dot, if the DNS host appends the zone to targets without one)."
    )
    const [main] = record(report, 'verification').observations
    expect(main).toMatchObject({
      rcode: 'NOERROR',
      answers: [{ name: 'mt07.shop.test', type: 'CNAME', data: 'verify.links.test' }]
    })
    expect(main!.error).toBeUndefined()
    expect(chainOf(report, 'verification', 'authoritative')).toEqual([
      {
        name: 'mt07.shop.test',
        type: 'CNAME',
        ttl: 3600,
        data: 'verify.links.test',
        server: 'authoritative'
      },
      {
        name: 'verify.links.test',
        type: 'CNAME',
        server: 'authoritative',
        rcode: null,
        error: refused('verify.links.test')
      }
    ])
    // A delegation to a host elsewhere, without glue: not lame, only not to be followed here.
    expect(record(report, 'dkim1').findings[0]!.message).toBe(
      'rwmt1._domainkey.shop.test is delegated to ns1.dkhost.test (the servers of _domainkey.shop.test), whose addresses authoritative does not give, and no resolver was given to look them up'
    )
    const [dmarc] = record(report, 'dmarc').findings
    expect(dmarc!.detail).toEqual({
      kind: 'chain-unfollowed',
      name: '_dmarc.shop.test',
      end: 'shop-test.dmarc.vendor.test',
      why: refused('shop-test.dmarc.vendor.test')
    })
    // A TXT record has no target to point straight at: following the chain is the one fix.
    expect(dmarc!.hint).toBe(
      'Add a cache resolver (--resolver) so the chain can be followed, then run the check again.'
    )
    // The chain as far as it went, its end the question nothing could be asked.
    expect(chainOf(report, 'dmarc', 'authoritative')).toEqual([
      {
        name: '_dmarc.shop.test',
        type: 'CNAME',
        ttl: 3600,
        data: 'shop-test.dmarc.vendor.test',
        server: 'authoritative'
      },
      {
        name: 'shop-test.dmarc.vendor.test',
        type: 'TXT',
        server: 'authoritative',
        rcode: null,
        error: refused('shop-test.dmarc.vendor.test')
      }
    ])
    const text = await run('text', args)
    expect(text.out).toContain(
      `unknown [authoritative]: The CNAME chain at _dmarc.shop.test leaves the zone at shop-test.dmarc.vendor.test`
    )
    expect(text.out).toContain(
      'chain (authoritative): _dmarc.shop.test CNAME shop-test.dmarc.vendor.test (TTL 3600, authoritative) → shop-test.dmarc.vendor.test TXT: no answer (authoritative)'
    )
    expect(text.out).toContain(
      'chain (authoritative): mt-link.shop.test CNAME t.track.shop.test (TTL 300, authoritative) → t.track.shop.test CNAME t.mailtrap.live (TTL 600, ns1.track.shop.test)'
    )
    expect(text.out).toContain(
      'fix: Add a cache resolver (--resolver) so the chain can be followed'
    )
    // The server answered every question of the chains: the silence line names it only for the
    // two DKIM records behind a delegation it cannot follow, never "not followed to its end".
    expect(text.out).not.toContain('not followed to its end')
    expect(text.out).toContain('no answer from authoritative for 2 records: rwmt1._domainkey')
  })

  it('with a cache, judges each chain at its end and shows who answered each hop', async () => {
    const args = ['--resolver', `cache=${cache.address}`, '--authoritative', `127.0.0.2:${port}`]
    const { code, out } = await run('json', args)
    const report = JSON.parse(out) as Report
    expect(verdicts(report)).toEqual([
      'verification warn cname-chain[authoritative,cache]',
      'dkim1 pass ',
      'dkim2 pass ',
      'link_verification warn cname-chain[authoritative,cache]',
      // The Knot standing in for a cache does not chase a CNAME out of its zones as a
      // recursive resolver does: its own verdict stops at the vendor's CNAME, and the
      // authoritative answer, followed through both zones, settles the record.
      'dmarc warn cname-chain[authoritative]'
    ])
    expect(code).toBe(0)
    expect(chainOf(report, 'dmarc', 'authoritative')).toEqual([
      {
        name: '_dmarc.shop.test',
        type: 'CNAME',
        ttl: 3600,
        data: 'shop-test.dmarc.vendor.test',
        server: 'authoritative'
      },
      {
        name: 'shop-test.dmarc.vendor.test',
        type: 'CNAME',
        ttl: 600,
        data: 'shop-test.links.test',
        server: 'ns1.vendor.test'
      },
      { name: 'shop-test.links.test', type: 'TXT', ttl: 900, data: DMARC, server: 'ns1.links.test' }
    ])
    expect(chainOf(report, 'verification', 'authoritative')!.map((h) => h.server)).toEqual([
      'authoritative',
      'ns1.links.test'
    ])
    expect(chainOf(report, 'dmarc', 'cache')!.map((h) => `${h.type} ${h.server}`)).toEqual([
      'CNAME cache',
      'CNAME cache'
    ])
    // A record right as it stands has no chain to show; the child's server answered it.
    expect(chainOf(report, 'dkim1', 'authoritative')).toBeUndefined()
    const dkim1 = record(report, 'dkim1').observations.find((o) => o.resolver === 'authoritative')
    expect(dkim1).toMatchObject({ server: 'ns1.dkhost.test', verdict: 'ok', authoritative: true })
    const markdown = await run('markdown', args)
    expect(markdown.out).toContain(
      '  - Chain (authoritative): <code>&#95;dmarc.shop.test CNAME shop-test.dmarc.vendor.test</code> (TTL 3600, authoritative) → <code>shop-test.dmarc.vendor.test CNAME shop-test.links.test</code> (TTL 600, ns1.vendor.test) → <code>shop-test.links.test TXT &#34;v=DMARC1;'
    )
    expect(markdown.out).toMatch(/pct=100&#34;<\/code> \(TTL 900, ns1\.links\.test\)/)
  })
  it('reaches the same chains with the servers discovered from SOA and NS', async () => {
    const args = [
      '--resolver',
      'authoritative',
      '--resolver',
      `cache=${cache.address}`,
      '--authoritative-port',
      String(port)
    ]
    const { code, out } = await run('json', args)
    const report = JSON.parse(out) as Report
    expect(verdicts(report)).toEqual([
      'verification warn cname-chain[ns1.shop.test,cache]',
      'dkim1 pass ',
      'dkim2 pass ',
      'link_verification warn cname-chain[ns1.shop.test,cache]',
      'dmarc warn cname-chain[ns1.shop.test]'
    ])
    expect(code).toBe(0)
    const servers = (key: string) => chainOf(report, key, 'ns1.shop.test')!.map((h) => h.server)
    expect(servers('verification')).toEqual(['ns1.shop.test', 'ns1.links.test'])
    expect(servers('link_verification')).toEqual(['ns1.shop.test', 'ns1.track.shop.test'])
    expect(servers('dmarc')).toEqual(['ns1.shop.test', 'ns1.vendor.test', 'ns1.links.test'])
  })
})

/** shop.test as one host's copy: its NS set, and the records or none. */
const hostZone = (nameServers: string[], records: boolean): string =>
  [
    '$ORIGIN shop.test.',
    '$TTL 3600',
    '@ IN SOA ns1.newhost.test. hostmaster 1 7200 900 1209600 300',
    ...nameServers.map((ns) => `@ IN NS ${ns}.`),
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

describe('a delegation moved between hosts only in part, with the new host pinned', () => {
  const servers: KnotServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  /** The pinned new host's copy, and the cache's view (the delegation, the old host's data). */
  async function check(pinned: string, seen: string): Promise<{ code: number; report: Report }> {
    const fresh = await startKnot({ zones: { 'shop.test': pinned } }, { host: '127.0.0.12' })
    servers.push(fresh)
    const cache = await startKnot(
      { zones: { 'shop.test': seen } },
      { host: '127.0.0.13', port: fresh.port }
    )
    servers.push(cache)
    const args = ['--resolver', `cache=${cache.address}`, '--authoritative', fresh.address]
    const { code, out } = await run('json', args)
    return { code, report: JSON.parse(out) as Report }
  }

  it('names a parent that still delegates to the old host too, with the registrar fix', async () => {
    const { code, report } = await check(
      hostZone(['ns1.newhost.test'], true),
      hostZone(['ns1.newhost.test', 'ns1.oldhost.test'], false)
    )
    expect(code).toBe(1)
    const codes = report.domains[0]!.records.map((r) => r.findings.map((f) => f.code).join())
    expect(new Set(codes)).toEqual(new Set(['not-delegated-here']))
    const [f] = record(report, 'dkim1').findings
    expect(f!.severity).toBe('error')
    expect(f!.message).toContain(
      'is right on the server asked, whose copy of shop.test lists ns1.newhost.test, but the parent zone still delegates shop.test to ns1.oldhost.test as well; resolvers get another answer'
    )
    expect(f!.message).toContain('a move between DNS hosts, half done. This will not propagate.')
    expect(f!.hint).toBe(
      'Finish the move: set the name servers of shop.test at your registrar to ns1.newhost.test only; or add the records at the host of ns1.oldhost.test too.'
    )
  })

  it("names an old host left in the zone's own NS records", async () => {
    const { code, report } = await check(
      hostZone(['ns1.newhost.test', 'ns1.oldhost.test'], true),
      hostZone(['ns1.newhost.test'], false)
    )
    expect(code).toBe(1)
    const [f] = record(report, 'dmarc').findings
    expect(f!.code).toBe('not-delegated-here')
    expect(f!.message).toContain(
      'the NS records of shop.test also list ns1.oldhost.test, which the parent zone does not delegate to'
    )
    expect(f!.hint).toBe(
      'Finish the move: remove ns1.oldhost.test from the NS records of shop.test; or add the records at the host of ns1.oldhost.test too.'
    )
  })
})

/** flat.test: every record in the zone but two, which are CNAMEs into zones only caches reach. */
const FLAT = [
  '$ORIGIN flat.test.',
  '$TTL 3600',
  SOA,
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.2',
  'mt07 IN CNAME verify.links.test.',
  'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
  'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
  'mt-link IN CNAME t.mailtrap.live.',
  '_dmarc IN CNAME flat-test.dmarc.vendor.test.',
  ''
].join('\n')

describe('a chain no server can be asked to follow, with only --authoritative', () => {
  let flat: KnotServer
  let flatConfig: string
  beforeAll(async () => {
    flat = await startKnot({ zones: { 'flat.test': FLAT } }, { host: '127.0.0.2' })
    const dir = await mkdtemp(join(tmpdir(), 'chains-flat-'))
    flatConfig = join(dir, 'domains.yaml')
    const yaml = 'version: 1\ndomains:\n  - name: flat.test\n    verification: mt07\n'
    await writeFile(flatConfig, yaml)
  })
  afterAll(async () => {
    await flat.stop()
  })

  it('is a finding of its own, and the server that answered is not called silent', async () => {
    const args = ['--resolver', 'authoritative', '--authoritative', `127.0.0.2:${flat.port}`]
    const report = JSON.parse((await run('json', args, flatConfig)).out) as Report
    expect(verdicts(report)).toEqual([
      'verification unknown unknown[authoritative]',
      'dkim1 pass ',
      'dkim2 pass ',
      'link_verification pass ',
      'dmarc unknown unknown[authoritative]'
    ])
    expect(record(report, 'dmarc').findings[0]!.detail).toMatchObject({
      kind: 'chain-unfollowed',
      end: 'flat-test.dmarc.vendor.test'
    })
    const text = await run('text', args, flatConfig)
    expect(text.code).toBe(3)
    expect(text.out).toContain(
      'unknown [authoritative]: The CNAME chain at mt07.flat.test leaves the zone at verify.links.test'
    )
    expect(text.out).toContain('fix: Add a cache resolver (--resolver)')
    expect(text.out).not.toContain('no answer from')
    expect(text.out).not.toContain('reachable from here')
    const markdown = await run('markdown', args, flatConfig)
    expect(markdown.out).toContain('leaves the zone at flat-test.dmarc.vendor.test')
    expect(markdown.out).not.toContain('Resolvers that did not answer')
    expect(markdown.out).not.toContain('reachable from here')
  })
})
