import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { startKnot, type KnotServer } from '../support/knot.js'

/**
 * Real-world mistakes, one zone each, served by Knot and read offline from the same zone files:
 * every record must get the diagnosis a DNS admin would give it, the same from both sources.
 */
type Key = 'verification' | 'dkim1' | 'dkim2' | 'link_verification' | 'dmarc' | 'spf'

const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'
const STANDARD: Record<Exclude<Key, 'spf'>, string[]> = {
  verification: ['mt07 IN CNAME smtp.mailtrap.live.'],
  dkim1: ['rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.'],
  dkim2: ['rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.'],
  link_verification: ['mt-link IN CNAME t.mailtrap.live.'],
  dmarc: [`_dmarc IN TXT "${DMARC}"`]
}

interface Scenario {
  /** The sending domain; also its zone unless `zone` says otherwise. */
  domain: string
  zone?: string
  /** Records replacing the standard ones, by key (relative to the zone's origin). */
  records?: Partial<Record<Key | 'extra', string[]>>
  /** Extra YAML under the domain's entry. */
  config?: string
  /** Expected `status codes` per record; unlisted records must pass with no finding. */
  expect: Partial<Record<Key, string>>
  /** What the message must say, for the first finding of a record. */
  says?: Partial<Record<Key, string>>
}

const SCENARIOS: Scenario[] = [
  {
    domain: 'healthy.test',
    records: {
      dkim1: ['RWMT1._DOMAINKEY IN CNAME RWMT1.DKIM.SMTP.MAILTRAP.LIVE.'],
      dmarc: [
        '_dmarc IN TXT "v=DMARC1;pct=100; RF=afrf;" "p=none; ruf=mailto:dmarc@smtp.mailtrap.live; rua=mailto:DMARC@smtp.mailtrap.live"',
        '_dmarc IN A 192.0.2.80'
      ]
    },
    expect: {}
  },
  { domain: 'missing.test', records: { dkim1: [] }, expect: { dkim1: 'fail missing' } },
  {
    domain: 'typo.test',
    records: { dkim1: ['rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.com.'] },
    expect: { dkim1: 'fail wrong-value' }
  },
  {
    domain: 'swapped.test',
    records: {
      dkim1: ['rwmt1._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.'],
      dkim2: ['rwmt2._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.']
    },
    expect: { dkim1: 'fail wrong-value', dkim2: 'fail wrong-value' },
    says: { dkim1: 'the two records are swapped' }
  },
  {
    domain: 'astext.test',
    records: { dkim1: ['rwmt1._domainkey IN TXT "rwmt1.dkim.smtp.mailtrap.live"'] },
    expect: { dkim1: 'fail wrong-type' },
    says: { dkim1: 'the target was entered as a TXT record' }
  },
  {
    domain: 'dmarccname.test',
    records: { dmarc: ['_dmarc IN CNAME dmarc.provider.example.'] },
    expect: { dmarc: 'fail wrong-type' }
  },
  {
    domain: 'doubled.test',
    records: {
      dkim1: ['rwmt1._domainkey.doubled.test IN CNAME rwmt1.dkim.smtp.mailtrap.live.'],
      dmarc: [`_dmarc.doubled.test IN TXT "${DMARC}"`]
    },
    expect: { dkim1: 'fail doubled-name', dmarc: 'fail doubled-name' },
    says: { dkim1: 'rwmt1._domainkey.doubled.test.doubled.test' }
  },
  {
    domain: 'mail.parent.test',
    zone: 'parent.test',
    records: {
      // typed into the parent.test zone's name field in full: the zone is appended to it
      dkim2: [
        'rwmt2._domainkey.mail.parent.test.parent.test. IN CNAME rwmt2.dkim.smtp.mailtrap.live.'
      ]
    },
    expect: { dkim2: 'fail doubled-name' },
    says: { dkim2: 'rwmt2._domainkey.mail.parent.test.parent.test' }
  },
  {
    domain: 'suffixed.test',
    records: { dkim2: ['rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live'] },
    expect: { dkim2: 'fail value-suffixed' }
  },
  {
    domain: 'quoted.test',
    records: { dmarc: [`_dmarc IN TXT "\\"${DMARC}\\""`] },
    expect: { dmarc: 'fail quoted-value' }
  },
  {
    domain: 'proxied.test',
    records: { link_verification: ['mt-link IN A 192.0.2.10', 'mt-link IN AAAA 2001:db8::10'] },
    expect: { link_verification: 'fail proxied' }
  },
  {
    domain: 'twodmarc.test',
    records: { dmarc: [`_dmarc IN TXT "${DMARC}"`, '_dmarc IN TXT "v=DMARC1; p=reject"'] },
    expect: { dmarc: 'fail duplicate' }
  },
  {
    domain: 'twospf.test',
    config: '    records:\n      spf: {}\n',
    records: {
      extra: [
        '@ IN TXT "v=spf1 include:_spf.smtp.mailtrap.live ~all"',
        '@ IN TXT "v=spf1 include:_spf.google.com ~all"'
      ]
    },
    expect: { spf: 'fail duplicate' }
  },
  {
    domain: 'spf.test',
    config: '    records:\n      spf: {}\n',
    records: {
      extra: ['@ IN TXT "v=spf1 include:_spf.google.com include:_spf.smtp.mailtrap.live -all"']
    },
    expect: {}
  },
  {
    domain: 'oldkey.test',
    records: {
      dkim1: [
        'rwmt1._domainkey IN TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1"'
      ]
    },
    expect: { dkim1: 'fail conflict' }
  },
  {
    domain: 'sendgrid.test',
    records: { dkim2: ['rwmt2._domainkey IN CNAME s2.domainkey.u1234.wl.sendgrid.net.'] },
    expect: { dkim2: 'fail conflict' },
    says: { dkim2: 'a record of SendGrid' }
  },
  {
    domain: 'swappedsuffixed.test',
    records: { dkim1: ['rwmt1._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live'] },
    expect: { dkim1: 'fail wrong-value' },
    says: { dkim1: 'the two records are swapped, and the zone was appended to the target' }
  },
  {
    domain: 'loop.test',
    records: { dkim1: ['rwmt1._domainkey IN CNAME loop1', 'loop1 IN CNAME rwmt1._domainkey'] },
    expect: { dkim1: 'fail wrong-value' },
    says: { dkim1: 'a loop, which resolvers answer with SERVFAIL' }
  },
  {
    domain: 'strict.test',
    records: { dmarc: ['_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@smtp.mailtrap.live"'] },
    expect: { dmarc: 'warn dmarc-differs' },
    says: { dmarc: 'p is reject where Mailtrap expects none; ruf is missing' }
  },
  {
    domain: 'malformed.test',
    records: { dmarc: ['_dmarc IN TXT "p=none; v=DMARC1; pct=150"'] },
    expect: { dmarc: 'fail wrong-value' },
    says: { dmarc: 'it must start with v=DMARC1' }
  },
  {
    domain: 'apexdmarc.test',
    records: { dmarc: [`@ IN TXT "${DMARC}"`] },
    expect: { dmarc: 'fail missing' },
    says: { dmarc: 'a DMARC record sits at apexdmarc.test itself' }
  },
  {
    domain: 'chained.test',
    records: { link_verification: ['mt-link IN CNAME links', 'links IN CNAME t.mailtrap.live.'] },
    expect: { link_verification: 'warn cname-chain' }
  },
  {
    domain: 'wildcname.test',
    // the wildcard answers for mt-link; rwmt1._domainkey sits below an existing _domainkey, so
    // no wildcard reaches it, but one does answer for its doubled name: still a plain miss
    records: { dkim1: [], link_verification: [], extra: ['* IN CNAME www.other.example.'] },
    expect: { dkim1: 'fail missing', link_verification: 'fail missing' },
    says: {
      dkim1: 'rwmt1._domainkey.wildcname.test does not exist (NXDOMAIN)',
      link_verification: 'the wildcard *.wildcname.test answers for it (CNAME www.other.example)'
    }
  },
  {
    domain: 'wildaddress.test',
    records: { link_verification: [], extra: ['* IN A 192.0.2.80'] },
    expect: { link_verification: 'fail missing' },
    says: { link_verification: 'the wildcard *.wildaddress.test answers for it (A 192.0.2.80)' }
  },
  {
    domain: 'wilddmarc.test',
    records: { dmarc: [], extra: ['* IN TXT "v=DMARC1; p=reject"'] },
    expect: { dmarc: 'warn dmarc-differs' },
    says: {
      dmarc:
        'It comes from the wildcard *.wilddmarc.test: there is no TXT record at _dmarc.wilddmarc.test itself.'
    }
  },
  {
    domain: 'dmarcdelegated.test',
    records: { dmarc: ['_dmarc IN CNAME dm', `dm IN TXT "${DMARC}"`] },
    expect: { dmarc: 'warn cname-chain' }
  },
  {
    domain: 'dmarcdelegatedstrict.test',
    records: { dmarc: ['_dmarc IN CNAME dm', 'dm IN TXT "v=DMARC1; p=reject"'] },
    expect: { dmarc: 'warn dmarc-differs' },
    says: { dmarc: '_dmarc.dmarcdelegatedstrict.test is a CNAME to dm.dmarcdelegatedstrict.test: ' }
  },
  {
    domain: 'mail.sub.test',
    zone: 'sub.test',
    records: {
      dmarc: [`@ IN TXT "${DMARC}"`],
      extra: ['sub.test. IN TXT "v=DMARC1; p=reject"']
    },
    expect: { dmarc: 'fail missing' },
    says: { dmarc: 'a DMARC record sits at mail.sub.test itself' }
  },
  {
    domain: 'spdefault.test',
    records: { dmarc: [`_dmarc IN TXT "${DMARC}; sp=none"`] },
    expect: {}
  },
  {
    domain: 'notracking.test',
    config: '    tracking: false\n',
    records: { link_verification: [] },
    expect: {}
  }
]

function zoneFile(s: Scenario): string {
  const zone = s.zone ?? s.domain
  const origin = s.domain
  const records = Object.entries(STANDARD).flatMap(
    ([key, lines]) => s.records?.[key as Key] ?? lines
  )
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 3600',
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 7200 900 1209600 300`,
    `@ IN NS ns1.${zone}.`,
    `ns1.${zone}. IN A 192.0.2.53`,
    `$ORIGIN ${origin}.`,
    ...records,
    ...(s.records?.extra ?? []),
    ''
  ].join('\n')
}

const CONFIG = [
  'version: 1',
  'domains:',
  ...SCENARIOS.map((s) => `  - name: ${s.domain}\n    verification: mt07\n${s.config ?? ''}`)
].join('\n')

let dir: string
let knot: KnotServer
let offline: Report
let live: Report

async function run(args: string[]): Promise<Report> {
  let out = ''
  await main(['check', '--config', join(dir, 'domains.yaml'), '--format', 'json', ...args], {
    stdout: (t) => (out += t),
    stderr: () => {},
    color: false,
    now: () => new Date('2026-11-26T10:00:00Z')
  })
  return JSON.parse(out) as Report
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenarios-'))
  await writeFile(join(dir, 'domains.yaml'), CONFIG)
  const zones: Record<string, string> = {}
  for (const s of SCENARIOS) zones[s.zone ?? s.domain] = zoneFile(s)
  const { mkdir } = await import('node:fs/promises')
  await mkdir(join(dir, 'zones'))
  for (const [zone, text] of Object.entries(zones))
    await writeFile(join(dir, 'zones', `${zone}.zone`), text)
  knot = await startKnot({ zones })
  offline = await run(['--zone-dir', join(dir, 'zones')])
  live = await run(['--resolver', `knot=${knot.address}`, '--authoritative', knot.address])
})

afterAll(async () => {
  await knot?.stop()
})

function verdicts(report: Report, domain: string): Record<string, string> {
  const d = report.domains.find((x) => x.domain === domain)!
  return Object.fromEntries(
    d.records.map((r) => [
      r.key,
      `${r.status} ${[...new Set(r.findings.map((f) => f.code))].join(',')}`.trim()
    ])
  )
}

describe.each(SCENARIOS.map((s) => [s.domain, s] as const))('%s', (domain, scenario) => {
  it('gets the diagnosis a DNS admin would give, offline and from Knot alike', () => {
    const expected = Object.fromEntries(
      Object.keys(verdicts(offline, domain)).map((key) => [
        key,
        scenario.expect[key as Key] ?? 'pass'
      ])
    )
    expect(verdicts(offline, domain)).toEqual(expected)
    expect(verdicts(live, domain)).toEqual(expected)
    for (const [key, text] of Object.entries(scenario.says ?? {})) {
      const record = offline.domains
        .find((d) => d.domain === domain)!
        .records.find((r) => r.key === key)!
      expect(record.findings[0]!.message).toContain(text)
    }
  })

  it('gives the same findings, word for word, from Knot as offline', () => {
    const words = (report: Report) =>
      report.domains
        .find((d) => d.domain === domain)!
        .records.map((r) => r.findings.map((f) => [f.code, f.severity, f.message, f.hint]))
    expect(words(live)).toEqual(words(offline))
  })
})

describe('a CNAME beside other data (offline only: Knot refuses to load such a zone)', () => {
  it('is a conflict', async () => {
    const zones = join(dir, 'conflict')
    const { mkdir } = await import('node:fs/promises')
    await mkdir(zones, { recursive: true })
    await writeFile(
      join(zones, 'conflict.test.zone'),
      zoneFile({
        domain: 'conflict.test',
        records: { dkim1: [...STANDARD.dkim1, 'rwmt1._domainkey IN TXT "v=DKIM1; p=old"'] },
        expect: {}
      })
    )
    await writeFile(
      join(dir, 'conflict.yaml'),
      'version: 1\ndomains:\n  - name: conflict.test\n    verification: mt07\n'
    )
    let out = ''
    await main(
      ['check', '--config', join(dir, 'conflict.yaml'), '--zone-dir', zones, '--format', 'json'],
      {
        stdout: (t) => (out += t),
        stderr: () => {},
        color: false
      }
    )
    expect(verdicts(JSON.parse(out), 'conflict.test').dkim1).toBe('fail conflict')
  })
})
