/**
 * Answers synthesised from a wildcard, in every probe: the record is missing and the fix adds
 * it; nothing stands at the name to delete. Served by Knot on loopback.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

/** A key-revocation wildcard under _domainkey, and a wildcard TXT over the whole zone. */
const SHOP = [
  '$ORIGIN shop.test.',
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.1',
  'mt07 IN CNAME smtp.mailtrap.live.',
  '*._domainkey IN TXT "v=DKIM1; p="',
  'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
  '* IN TXT "some text for every name"',
  `_dmarc IN TXT "${DMARC}"`,
  ''
].join('\n')

/** A wildcard CNAME answers for the missing _dmarc. */
const TWO = [
  '$ORIGIN two.test.',
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.1',
  'mt08 IN CNAME smtp.mailtrap.live.',
  'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
  'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
  'mt-link IN CNAME t.mailtrap.live.',
  '* IN CNAME parking.example.',
  ''
].join('\n')

describe('wildcards in probes', () => {
  let knot: KnotServer
  let config: string
  beforeAll(async () => {
    knot = await startKnot({ zones: { 'shop.test': SHOP, 'two.test': TWO } })
    const dir = await mkdtemp(join(tmpdir(), 'wildcards-'))
    config = join(dir, 'domains.yaml')
    await writeFile(
      config,
      [
        'version: 1',
        'domains:',
        '  - name: shop.test',
        '    verification: mt07',
        '  - name: two.test',
        '    verification: mt08',
        ''
      ].join('\n')
    )
  })
  afterAll(async () => {
    await knot.stop()
  })

  async function check(): Promise<Report> {
    let stdout = ''
    await main(
      [
        'check',
        '--config',
        config,
        '--format',
        'json',
        '--resolver',
        `cache=${knot.address}`,
        '--authoritative',
        knot.address
      ],
      {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        color: false,
        now: () => new Date('2026-11-26T09:00:00Z')
      }
    )
    return JSON.parse(stdout) as Report
  }

  const record = (report: Report, domain: string, key: string) =>
    report.domains.find((d) => d.domain === domain)!.records.find((r) => r.key === key)!

  it('calls a DKIM CNAME answered by a *._domainkey TXT missing, with nothing to delete', async () => {
    const dkim1 = record(await check(), 'shop.test', 'dkim1')
    expect(dkim1.findings).toHaveLength(1)
    const [f] = dkim1.findings
    expect(f).toMatchObject({ code: 'missing', resolvers: ['authoritative', 'cache'] })
    expect(f!.message).toContain('the wildcard *._domainkey.shop.test answers for it')
    expect(f!.hint).not.toMatch(/delete/i)
    expect(f!.hint).toContain('rwmt1.dkim.smtp.mailtrap.live')
  })

  it('calls a CNAME answered by a zone-wide wildcard TXT missing, not wrong-type', async () => {
    const link = record(await check(), 'shop.test', 'link_verification')
    expect(link.findings.map((f) => f.code)).toEqual(['missing'])
    expect(link.findings[0]!.message).toContain('the wildcard *.shop.test answers for it')
    expect(link.findings[0]!.hint).not.toMatch(/delete/i)
  })

  it('calls a DMARC TXT answered by a wildcard CNAME missing, not "delete the CNAME"', async () => {
    const dmarc = record(await check(), 'two.test', 'dmarc')
    expect(dmarc.findings.map((f) => f.code)).toEqual(['missing'])
    expect(dmarc.findings[0]!.message).toContain('the wildcard *.two.test answers for it')
    expect(dmarc.findings[0]!.hint).not.toMatch(/delete/i)
  })
})
