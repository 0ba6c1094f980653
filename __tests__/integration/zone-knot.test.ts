/**
 * Zone files read offline as Knot loads and serves them: DNAME synthesis (RFC 6672), RFC 3597
 * generic data, a CNAME at the apex refused, and what Knot refuses but this reader accepts
 * with a warning (CRLF, a byte order mark, bytes outside ASCII, CLASS1).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { createWireResolver, type WireResolver } from '../../src/dns/wire-client.js'
import { ZoneFileError } from '../../src/dns/zone-file.js'
import { answerFromZones, createZoneFileResolver, loadZoneDir } from '../../src/dns/zone-source.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

const head = (zone: string): string[] => [
  `$ORIGIN ${zone}.`,
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns1',
  'ns1 IN A 192.0.2.53'
]

/** DKIM through a DNAME over _domainkey, generic data, and a DNAME inside the zone. */
const DNAME_ZONE = [
  ...head('dname.test'),
  'mt07 IN CNAME smtp.mailtrap.live.',
  '_domainkey 600 IN DNAME dkim.smtp.mailtrap.live.',
  'mt-link IN CNAME t.mailtrap.live.',
  `_dmarc IN TXT "${DMARC}"`,
  'alias 300 IN DNAME inner.dname.test.',
  'www.inner IN A 192.0.2.80',
  'txt.inner IN CNAME www.inner',
  'generic IN TYPE16 \\# 6 05 68 65 6c 6c 6f',
  'generic-a IN TYPE1 \\# 4 c0000201',
  'generic-cname IN CNAME \\# 11 01 61 07 65 78 61 6d 70 6c 65 00',
  'loop 300 IN DNAME loop2.dname.test.',
  'x.loop2 IN CNAME y.loop',
  ''
].join('\n')

let dir: string
let knot: KnotServer
let wire: WireResolver

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zone-knot-'))
  await mkdir(join(dir, 'zones'))
  await writeFile(join(dir, 'zones', 'dname.test.zone'), DNAME_ZONE)
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

describe('answers from a zone file are the answers Knot serves', () => {
  it.each([
    ['rwmt1._domainkey.dname.test', 'CNAME'],
    ['rwmt1._domainkey.dname.test', 'A'],
    ['rwmt2._domainkey.dname.test', 'TXT'],
    ['_domainkey.dname.test', 'DNAME'],
    ['_domainkey.dname.test', 'A'],
    ['a.b._domainkey.dname.test', 'CNAME'],
    ['www.alias.dname.test', 'A'],
    ['www.alias.dname.test', 'CNAME'],
    ['txt.alias.dname.test', 'A'],
    ['none.alias.dname.test', 'A'],
    ['alias.dname.test', 'A'],
    ['x.loop2.dname.test', 'A'],
    ['generic.dname.test', 'TXT'],
    ['generic-a.dname.test', 'A'],
    ['generic-cname.dname.test', 'CNAME']
  ])('%s %s', async (name, type) => {
    const zones = await loadZoneDir(join(dir, 'zones'))
    const offline = answerFromZones(zones, { name, type })
    const live = await wire.query({ name, type })
    if (!live.ok) throw new Error(live.error)
    expect(offline).toEqual({ ...live.response, flags: { ...live.response.flags, rd: false } })
  })

  it('synthesises the CNAME from the DNAME with its TTL', async () => {
    const zones = await loadZoneDir(join(dir, 'zones'))
    const answer = answerFromZones(zones, { name: 'rwmt1._domainkey.dname.test', type: 'CNAME' })
    expect(answer.answers.map((r) => [r.name, r.type, r.ttl, r.data])).toEqual([
      ['_domainkey.dname.test', 'DNAME', 600, 'dkim.smtp.mailtrap.live'],
      ['rwmt1._domainkey.dname.test', 'CNAME', 600, 'rwmt1.dkim.smtp.mailtrap.live']
    ])
  })

  it('passes DKIM through a DNAME offline as it does live', async () => {
    await writeFile(
      join(dir, 'domains.yaml'),
      'version: 1\ndomains:\n  - name: dname.test\n    verification: mt07\n'
    )
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
    const live = await run(['--resolver', `knot=${knot.address}`, '--authoritative', knot.address])
    const offline = await run(['--zone-dir', join(dir, 'zones')])
    expect(verdicts(live)).toMatchObject({ dkim1: 'pass', dkim2: 'pass' })
    expect(verdicts(offline)).toEqual(verdicts(live))
  })
})

describe('zones Knot refuses to load', () => {
  /** Starts Knot on one zone; resolves to the reason it refused, or undefined if it loaded. */
  async function knotRefusal(zone: string, text: string | Buffer): Promise<string | undefined> {
    const zoneDir = await mkdtemp(join(tmpdir(), 'zone-refused-'))
    try {
      await writeFile(join(zoneDir, `${zone}.zone`), text)
      const server = await startKnot({ zoneDir }).catch((e: Error) => e)
      if (server instanceof Error) return server.message
      await server.stop()
      return undefined
    } finally {
      await rm(zoneDir, { recursive: true, force: true })
    }
  }

  /** Loads one zone file offline; the error, or the warnings. */
  async function offline(zone: string, text: string | Buffer) {
    const zoneDir = await mkdtemp(join(tmpdir(), 'zone-offline-'))
    try {
      await writeFile(join(zoneDir, `${zone}.zone`), text)
      const resolver = await createZoneFileResolver(zoneDir).catch((e: unknown) => e)
      if (resolver instanceof ZoneFileError) {
        return { error: resolver.message.replace(zoneDir, 'DIR'), warnings: [] }
      }
      if (resolver instanceof Error) throw resolver
      const r = resolver as Awaited<ReturnType<typeof createZoneFileResolver>>
      const warnings = r.warnings.map((w) => ({ ...w, file: w.file.replace(zoneDir, 'DIR') }))
      return { error: undefined, warnings }
    } finally {
      await rm(zoneDir, { recursive: true, force: true })
    }
  }

  it('a CNAME at the apex: Knot refuses the zone, the offline reader too, with the line', async () => {
    const text = [...head('apex.test'), '@ IN CNAME elsewhere.example.', ''].join('\n')
    expect(await knotRefusal('apex.test', text)).toMatch(/another record exists beside CNAME/)
    expect((await offline('apex.test', text)).error).toBe(
      'DIR/apex.test.zone:6: a CNAME at the zone apex apex.test, beside its SOA and NS records: servers refuse such a zone'
    )
  })

  it('records below a DNAME: Knot refuses the zone, the offline reader too', async () => {
    const text = [...head('below.test'), 'dk IN DNAME x.example.', 'a.dk IN A 192.0.2.1', ''].join(
      '\n'
    )
    expect(await knotRefusal('below.test', text)).toMatch(/child record exists under DNAME/)
    expect((await offline('below.test', text)).error).toBe(
      'DIR/below.test.zone:7: a.dk.below.test is below the DNAME at dk.below.test: servers never answer it and refuse such a zone'
    )
  })

  it.each([
    [
      'CRLF line ends',
      [...head('w.test'), 'x IN TXT "a"', ''].join('\r\n'),
      /unsupported CRLF newline/,
      [{ line: 1, message: 'CRLF line ends, which Knot 3.x refuses: remove the CR bytes' }]
    ],
    [
      'a byte order mark',
      '\uFEFF' + [...head('w.test'), ''].join('\n'),
      /owner is invalid/,
      [
        {
          line: 1,
          message:
            'the file starts with a UTF-8 byte order mark, which Knot 3.x refuses: save it without one'
        }
      ]
    ],
    [
      'raw 8-bit bytes in a quoted string',
      Buffer.concat([
        Buffer.from([...head('w.test'), 'x IN TXT "caf'].join('\n')),
        Buffer.from([0xc3, 0xa9]),
        Buffer.from('"\ny IN TXT "\u00e9"\n')
      ]),
      /invalid text character/,
      [
        {
          line: 6,
          message:
            'a character outside ASCII in a quoted string, which Knot 3.x refuses: write its bytes as \\DDD escapes'
        }
      ]
    ],
    [
      'CLASS1',
      [...head('w.test'), 'y CLASS1 TXT "a"', ''].join('\n'),
      /unsupported record type/,
      [{ line: 6, message: 'class CLASS1 (RFC 3597 for IN), which Knot 3.x refuses: write IN' }]
    ]
  ])(
    '%s: Knot refuses, the offline reader accepts and warns',
    async (_what, text, knotSays, warnings) => {
      expect(await knotRefusal('w.test', text)).toMatch(knotSays)
      expect(await offline('w.test', text)).toEqual({
        error: undefined,
        warnings: warnings.map((w) => ({ file: 'DIR/w.test.zone', ...w }))
      })
    }
  )

  it('$INCLUDE is refused with its line', async () => {
    const text = [...head('inc.test'), '$INCLUDE /etc/hostname', ''].join('\n')
    expect((await offline('inc.test', text)).error).toBe(
      'DIR/inc.test.zone:6: $INCLUDE is not supported; put the records in this file'
    )
  })
})
