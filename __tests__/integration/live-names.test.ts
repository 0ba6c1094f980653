/**
 * Names keep their label boundaries from the wire to the verdict: a CNAME target whose one
 * label holds escaped dots (`rwmt1\.dkim\.smtp\.mailtrap\.live.`, a single label under the root)
 * is not `rwmt1.dkim.smtp.mailtrap.live`, whether Knot serves it or the zone file is read.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { createWireResolver, type WireResolver } from '../../src/dns/wire-client.js'
import { createZoneFileResolver } from '../../src/dns/zone-source.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

const ZONE = [
  '$ORIGIN escdot.test.',
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1',
  'ns1 IN A 192.0.2.53',
  'mt07 IN CNAME smtp.mailtrap.live.',
  'rwmt1._domainkey IN CNAME rwmt1\\.dkim\\.smtp\\.mailtrap\\.live.',
  'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
  'mt-link IN CNAME t.mailtrap.live.',
  `_dmarc IN TXT "${DMARC}"`,
  // Other bytes the zone reader escapes: a space, a backslash, an octet above 0x7e.
  'odd IN CNAME a\\032b\\\\c\\200.Example.',
  'Dotted\\.Owner IN TXT "one label"',
  ''
].join('\n')

let dir: string
let knot: KnotServer
let wire: WireResolver

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'live-names-'))
  await mkdir(join(dir, 'zones'))
  await writeFile(join(dir, 'zones', 'escdot.test.zone'), ZONE)
  await writeFile(
    join(dir, 'domains.yaml'),
    'version: 1\ndomains:\n  - name: escdot.test\n    verification: mt07\n'
  )
  knot = await startKnot({ zoneDir: join(dir, 'zones') })
  wire = createWireResolver({
    name: 'knot',
    kind: 'authoritative',
    host: knot.host,
    port: knot.port,
    recursionDesired: false
  })
})

afterAll(async () => {
  await wire?.close()
  await knot?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('names with escaped dots and other special octets', () => {
  it('reads the same from Knot as from the zone file, label boundaries kept', async () => {
    const files = await createZoneFileResolver(join(dir, 'zones'))
    const questions = [
      { name: 'rwmt1._domainkey.escdot.test', type: 'CNAME' },
      { name: 'odd.escdot.test', type: 'CNAME' },
      // Asked in the escaped form: one label `dotted.owner`.
      { name: 'dotted\\.owner.escdot.test', type: 'TXT' }
    ]
    for (const question of questions) {
      const live = await wire.query(question)
      const offline = await files.query(question)
      if (!live.ok || !offline.ok) throw new Error(`no answer for ${question.name}`)
      expect(live.response.answers).toEqual(offline.response.answers)
    }
    const dkim = await wire.query(questions[0]!)
    expect(dkim.ok && dkim.response.answers[0]?.data).toBe('rwmt1\\.dkim\\.smtp\\.mailtrap\\.live')
    const odd = await wire.query(questions[1]!)
    expect(odd.ok && odd.response.answers[0]?.data).toBe('a\\032b\\\\c\\200.example')
    const owner = await wire.query(questions[2]!)
    expect(owner.ok && owner.response.answers[0]?.name).toBe('dotted\\.owner.escdot.test')
    // Three labels, not one: that name does not exist.
    const split = await wire.query({ name: 'dotted.owner.escdot.test', type: 'TXT' })
    expect(split.ok && split.response.rcode).toBe('NXDOMAIN')
    await files.close()
  })

  it('is wrong-value live as it is offline, the other records passing', async () => {
    const run = async (args: string[]): Promise<Report> => {
      let out = ''
      await main(['check', '--config', join(dir, 'domains.yaml'), '--format', 'json', ...args], {
        stdout: (t) => (out += t),
        stderr: () => {},
        color: false,
        now: () => new Date('2026-11-26T10:00:00Z')
      })
      return JSON.parse(out) as Report
    }
    const verdicts = (report: Report) =>
      Object.fromEntries(
        report.domains[0]!.records.map((r) => [
          r.key,
          `${r.status} ${[...new Set(r.findings.map((f) => f.code))].join(',')}`.trim()
        ])
      )
    const offline = await run(['--zone-dir', join(dir, 'zones')])
    const live = await run(['--resolver', `knot=${knot.address}`, '--authoritative', knot.address])
    expect(verdicts(offline)).toEqual({
      verification: 'pass',
      dkim1: 'fail wrong-value',
      dkim2: 'pass',
      link_verification: 'pass',
      dmarc: 'pass'
    })
    expect(verdicts(live)).toEqual(verdicts(offline))
  })
})
