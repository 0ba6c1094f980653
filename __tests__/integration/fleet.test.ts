import dgram from 'node:dgram'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { startDohRelay } from '../support/doh-relay.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const NOW = new Date('2026-11-26T09:00:00Z')

/** The zone `shop.test` at a serial; `fresh` has every record right, the old one does not. */
function zone(serial: number, fresh: boolean): string {
  return [
    '$ORIGIN shop.test.',
    '$TTL 3600',
    `@ IN SOA ns1 hostmaster ${serial} 7200 900 1209600 300`,
    '@ IN NS ns1',
    '@ IN NS ns2',
    '@ IN NS ns3',
    'ns1 IN A 127.0.0.2',
    'ns2 IN A 127.0.0.3',
    'ns3 IN A 127.0.0.4',
    'mt07 IN CNAME smtp.mailtrap.live.',
    fresh ? 'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.' : '',
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    fresh
      ? '_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100"'
      : '_dmarc 1800 IN TXT "v=DMARC1; p=reject; rua=mailto:old@shop.test"',
    ''
  ].join('\n')
}

let config: string
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-'))
  config = join(dir, 'domains.yaml')
  await writeFile(config, 'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n')
})

async function check(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(['check', '--config', config, '--format', 'json', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
    now: () => NOW
  })
  return { code, report: stdout ? (JSON.parse(stdout) as Report) : (undefined as never), stderr }
}

function byKey(report: Report, key: string) {
  return report.domains[0]!.records.find((r) => r.key === key)!
}

describe('the fleet against Knot on loopback', () => {
  const servers: KnotServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  it('says propagating, with the expiry time, when the authoritative server is right and a cache is stale', async () => {
    const fresh = await startKnot({ zones: { 'shop.test': zone(2, true) } }, { host: '127.0.0.2' })
    const stale = await startKnot({ zones: { 'shop.test': zone(1, false) } }, { host: '127.0.0.3' })
    servers.push(fresh, stale)
    const args = ['--resolver', `stale=${stale.address}`, '--authoritative', fresh.address]
    const { code, report } = await check(args)
    expect(code).toBe(0)
    expect(byKey(report, 'dkim1')).toMatchObject({
      status: 'warn',
      findings: [
        { code: 'propagating', resolvers: ['stale'], expiresAt: '2026-11-26T09:05:00.000Z' }
      ]
    })
    expect(byKey(report, 'dmarc').findings[0]).toMatchObject({
      code: 'propagating',
      expiresAt: '2026-11-26T09:30:00.000Z'
    })
    expect(byKey(report, 'dkim1').observations.map((o) => [o.resolver, o.verdict])).toEqual([
      ['stale', 'missing'],
      ['authoritative', 'ok']
    ])
    expect(byKey(report, 'dkim2')).toMatchObject({ status: 'pass', findings: [] })
    expect((await check([...args, '--fail-on', 'warning'])).code).toBe(1)
  })

  it('reports the mistake itself when the authoritative server is wrong', async () => {
    const stale = await startKnot({ zones: { 'shop.test': zone(1, false) } })
    servers.push(stale)
    const { code, report } = await check([
      '--resolver',
      `cache=${stale.address}`,
      '--authoritative',
      stale.address
    ])
    expect(code).toBe(1)
    expect(byKey(report, 'dkim1').findings).toEqual([
      expect.objectContaining({ code: 'missing', resolvers: ['authoritative', 'cache'] })
    ])
  })

  it('discovers the zone servers from SOA and NS, and names the out-of-sync and the lame one', async () => {
    const fresh = await startKnot({ zones: { 'shop.test': zone(2, true) } }, { host: '127.0.0.2' })
    const stale = await startKnot(
      { zones: { 'shop.test': zone(1, false) } },
      { host: '127.0.0.3', port: fresh.port }
    )
    servers.push(fresh, stale)
    // ns3 (127.0.0.4) has no server at all.
    const { code, report } = await check([
      '--resolver',
      'authoritative',
      '--resolver',
      `via=${fresh.address}`,
      '--authoritative-port',
      String(fresh.port),
      '--query-timeout',
      '300',
      '--tries',
      '1'
    ])
    expect(code).toBe(1)
    expect(report.domains[0]!.authoritative).toEqual({
      zone: 'shop.test',
      servers: ['ns1.shop.test', 'ns2.shop.test', 'ns3.shop.test']
    })
    expect(report.resolvers.map((r) => `${r.name} ${r.kind} ${r.address}`)).toEqual([
      `ns1.shop.test authoritative 127.0.0.2:${fresh.port}`,
      `ns2.shop.test authoritative 127.0.0.3:${fresh.port}`,
      `ns3.shop.test authoritative 127.0.0.4:${fresh.port}`,
      `via recursive ${fresh.address}`
    ])
    const dkim1 = byKey(report, 'dkim1')
    expect(dkim1.status).toBe('fail')
    expect(dkim1.findings.map((f) => [f.code, f.severity, f.resolvers])).toEqual([
      ['lame-server', 'warning', ['ns3.shop.test']],
      ['out-of-sync', 'error', ['ns1.shop.test', 'ns2.shop.test']]
    ])
    expect(byKey(report, 'dkim2').findings.map((f) => f.code)).toEqual(['lame-server'])
    expect(byKey(report, 'dkim2').status).toBe('warn')
  })

  it('gives unknown and exit 3, never missing, when the only resolver answers garbage', async () => {
    const junk = dgram.createSocket('udp4')
    junk.on('message', (_msg, rinfo) =>
      junk.send(Buffer.from('not dns at all'), rinfo.port, rinfo.address)
    )
    await new Promise<void>((resolve) => junk.bind(0, '127.0.0.1', resolve))
    try {
      const { code, report } = await check(['--resolver', `junk=127.0.0.1:${junk.address().port}`])
      expect(code).toBe(3)
      const codes = report.domains[0]!.records.flatMap((r) => r.findings.map((f) => f.code))
      expect(new Set(codes)).toEqual(new Set(['unknown']))
      expect(byKey(report, 'dkim1').findings[0]!.message).toContain('not a DNS message')
    } finally {
      junk.close()
    }
  })

  it('asks a DNS-over-HTTPS endpoint over undici and reaches the same verdicts', async () => {
    const fresh = await startKnot({ zones: { 'shop.test': zone(1, false) } })
    servers.push(fresh)
    const relay = await startDohRelay({ host: fresh.host, port: fresh.port })
    try {
      const viaDoh = await check(['--resolver', `corp=${relay.url}`])
      const viaUdp = await check(['--resolver', `corp=${fresh.address}`])
      expect(viaDoh.code).toBe(1)
      expect(relay.requests()).toBeGreaterThan(0)
      const verdicts = (r: Report) =>
        r.domains[0]!.records.map((x) => `${x.key} ${x.status} ${x.findings.map((f) => f.code)}`)
      expect(verdicts(viaDoh.report)).toEqual(verdicts(viaUdp.report))
      expect(viaDoh.report.resolvers).toEqual([{ name: 'corp', kind: 'doh', address: relay.url }])
    } finally {
      await relay.close()
    }
  })
})
