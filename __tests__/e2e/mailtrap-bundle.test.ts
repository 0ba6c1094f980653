import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Report } from '../../src/report/report.js'
import { startFakeMailtrap, type FakeMailtrap } from '../support/fake-mailtrap.js'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname
const TOKEN = 'mt-secret-7f3a9c1d2e4b5a6f8091a2b3c4d5e6f7'
const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

/** Zones as the DNS admin left them, for the domains of the fixture account. */
const ZONES: Record<string, string> = {
  // acme-mail.test: everything right (Mailtrap has not seen it yet); news.: DKIM 1 deleted since.
  'acme-mail.test': [
    '$TTL 3600',
    '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
    '@ IN NS ns1',
    'ns1 IN A 192.0.2.53',
    'mt42 IN CNAME smtp.mailtrap.live.',
    'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    `_dmarc IN TXT "${DMARC}"`,
    '$ORIGIN news.acme-mail.test.',
    'mt07 IN CNAME smtp.mailtrap.live.',
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    `_dmarc IN TXT "${DMARC}"`,
    '$ORIGIN billing.acme-mail.test.',
    'mt84 IN CNAME smtp.mailtrap.live.',
    'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    `_dmarc IN TXT "${DMARC}"`,
    ''
  ].join('\n'),
  // An older domain whose SPF record was added twice.
  'legacy-acme.test': [
    '$TTL 3600',
    '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
    '@ IN NS ns1',
    'ns1 IN A 192.0.2.53',
    '@ IN TXT "v=spf1 include:_spf.smtp.mailtrap.live ~all"',
    '@ IN TXT "v=spf1 include:_spf.google.com ~all"',
    've6wza2rbpe60x7z IN CNAME smtp.mailtrap.live.',
    'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    `_dmarc IN TXT "${DMARC}"`,
    ''
  ].join('\n'),
  'other.test':
    '$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n'
}

const CONFIG = `version: 1
domains:
  - acme-mail.test
  - name: news.acme-mail.test
    zone: acme-mail.test
  - name: billing.acme-mail.test
    zone: acme-mail.test
    verification: mt85
  - legacy-acme.test
  - other.test
`

let dir: string
let mailtrap: FakeMailtrap

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailtrap-e2e-'))
  await mkdir(join(dir, 'zones'))
  for (const [zone, text] of Object.entries(ZONES))
    await writeFile(join(dir, 'zones', `${zone}.zone`), text)
  await writeFile(join(dir, 'domains.yaml'), CONFIG)
  mailtrap = await startFakeMailtrap({ token: TOKEN })
})

afterAll(async () => {
  await mailtrap?.close()
})

async function cli(args: string[], env: Record<string, string> = {}, command = 'check') {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        join(root, 'dist/cli.js'),
        command,
        '--config',
        join(dir, 'domains.yaml'),
        '--zone-dir',
        join(dir, 'zones'),
        ...args
      ],
      {
        env: { PATH: process.env.PATH ?? '', MAILTRAP_API_TOKEN: TOKEN, NO_COLOR: '1', ...env }
      }
    )
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

function record(report: Report, domain: string, key: string) {
  return report.domains.find((d) => d.domain === domain)!.records.find((r) => r.key === key)!
}

describe('dist/cli.js with a Mailtrap token (a fake Mailtrap API on loopback)', () => {
  it("takes the expected records from the API and compares Mailtrap's own status with DNS", async () => {
    const result = await cli([
      '--format',
      'json',
      '--mailtrap-url',
      mailtrap.url,
      '--mailtrap-account',
      '31001'
    ])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout) as Report

    // The verification host comes from the API: mt42, which no config names.
    expect(record(report, 'acme-mail.test', 'verification')).toMatchObject({
      name: 'mt42.acme-mail.test',
      source: 'mailtrap',
      status: 'warn',
      findings: [{ code: 'mailtrap-status', severity: 'warning', resolvers: ['mailtrap'] }]
    })
    // The API's partial DMARC entry (key and name only) falls back to Mailtrap's default value.
    expect(record(report, 'acme-mail.test', 'dmarc')).toMatchObject({
      source: 'default',
      expected: DMARC
    })
    expect(report.domains[0]!.mailtrap).toEqual({
      id: 870001,
      complianceStatus: 'unverified_dns',
      canSend: false,
      dnsVerified: false,
      dnsVerifiedAt: null
    })

    // Mailtrap passed DKIM 1 last time; it has been deleted since.
    expect(record(report, 'news.acme-mail.test', 'dkim1').findings.map((f) => f.code)).toEqual([
      'missing',
      'mailtrap-status'
    ])

    // domains.yaml pins mt85; the API says mt84, which is what gets checked.
    const verification = record(report, 'billing.acme-mail.test', 'verification')
    expect(verification).toMatchObject({ name: 'mt84.billing.acme-mail.test', source: 'mailtrap' })
    expect(verification.findings.map((f) => f.code)).toEqual(['config-drift', 'mailtrap-status'])
    expect(verification.findings[0]!.message).toContain(
      "the host mt85, where Mailtrap's API has mt84"
    )

    // The SPF record only the API knows of, at the apex, twice.
    expect(record(report, 'legacy-acme.test', 'spf')).toMatchObject({
      name: 'legacy-acme.test',
      status: 'fail',
      findings: [{ code: 'duplicate' }, { code: 'mailtrap-status' }]
    })

    const other = report.domains.find((d) => d.domain === 'other.test')!
    expect(other.mailtrap).toEqual({ found: false })
    expect(other).toMatchObject({
      status: 'fail',
      findings: [{ code: 'mailtrap-status', severity: 'error' }]
    })
    expect(other.findings[0]!.message).toBe(
      'other.test is not a sending domain of the Mailtrap account: Mailtrap will not send for it.'
    )
    // Only compliant domains may send: a warning that says the next step.
    expect(report.domains[0]!.findings).toEqual([
      expect.objectContaining({
        code: 'mailtrap-status',
        severity: 'warning',
        message:
          "Mailtrap's compliance status of acme-mail.test is unverified_dns: only compliant domains may send."
      })
    ])
    expect(report.domains.find((d) => d.domain === 'legacy-acme.test')!.findings).toEqual([])
    expect(result.stdout + result.stderr).not.toContain(TOKEN)
    expect(mailtrap.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
  })

  it('says the token was refused, exits 2, and never prints the token', async () => {
    const result = await cli(['--mailtrap-url', mailtrap.url], {
      MAILTRAP_API_TOKEN: 'wrong-token-0123456789abcdef'
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'Mailtrap refused the API token (401 on GET /api/domains): check the token and its access\n'
    )
    expect(result.stdout + result.stderr).not.toContain('wrong-token')
  })

  it('asks which account when the token reaches several on the account-scoped paths', async () => {
    const accountOnly = await startFakeMailtrap({ token: TOKEN, families: 'account' })
    const result = await cli(['--mailtrap-url', accountOnly.url]).finally(() => accountOnly.close())
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      'the token reaches 2 accounts: Acme Mail (31001), Acme Staging (31002)'
    )
  })

  it('goes on without Mailtrap, saying why, when the API cannot be reached', async () => {
    const result = await cli([
      '--format',
      'json',
      '--mailtrap-url',
      'http://127.0.0.1:9',
      '--mailtrap-account',
      '31001'
    ])
    const report = JSON.parse(result.stdout) as Report
    expect(report.domains[0]!.mailtrap).toEqual({
      error: expect.stringContaining('cannot reach http://127.0.0.1:9')
    })
    expect(record(report, 'acme-mail.test', 'verification')).toMatchObject({
      name: null,
      checked: false
    })
  })

  it('writes the Mailtrap column into the Markdown report', async () => {
    const out = join(dir, 'report.md')
    await cli([
      '--format',
      'markdown',
      '--output',
      out,
      '--mailtrap-url',
      mailtrap.url,
      '--mailtrap-account',
      '31001'
    ])
    const md = await readFile(out, 'utf8')
    expect(md).toContain('| Mailtrap |')
    expect(md).toContain('❌ unverified&#95;dns, DNS not verified')
    expect(md).toContain('✅ compliant, DNS verified')
  })

  describe('the verified gate', () => {
    // DNS findings aside (--fail-on never): the gate stands on Mailtrap's word alone.
    const gate = [
      '--require-verified',
      '--fail-on',
      'never',
      '--mailtrap-url',
      '',
      '--mailtrap-account',
      '31001'
    ]
    const withUrl = () => gate.map((a) => (a === '' ? mailtrap.url : a))

    it('passes the verified, compliant domain and sets it apart from the unverified one', async () => {
      const ok = await cli([...withUrl(), '--domain', 'news.acme-mail.test', '--format', 'json'])
      expect(ok.code).toBe(0)
      const bad = await cli([...withUrl(), '--domain', 'acme-mail.test', '--format', 'json'])
      expect(bad.code).toBe(1)
      const report = JSON.parse(bad.stdout) as Report
      expect(report.domains[0]!.findings.map((f) => f.detail.kind)).toEqual(
        expect.arrayContaining(['not-verified', 'compliance'])
      )
      expect(ok.stdout + ok.stderr + bad.stdout + bad.stderr).not.toContain(TOKEN)
    })

    it('is inconclusive (exit 3), never a pass, when the API answers 500', async () => {
      mailtrap.failNext(500, { error: 'boom' }, {}, 20)
      const result = await cli([...withUrl(), '--domain', 'news.acme-mail.test'])
      expect(result.code).toBe(3)
      expect(result.stdout).toContain("Mailtrap's API could not be asked")
    }, 120_000)

    it('counts an unreachable API as a warning under --fail-on warning', async () => {
      const result = await cli([
        '--mailtrap-url',
        'http://127.0.0.1:9',
        '--mailtrap-account',
        '31001',
        '--domain',
        'news.acme-mail.test',
        '--fail-on',
        'warning'
      ])
      expect(result.code).toBe(1)
    })

    it('waits --until-verified, saying what it waits for, and asks Mailtrap no more often than --mailtrap-interval', async () => {
      // acme-mail.test: its DNS is right, but Mailtrap has not verified it: wait goes on until
      // the time is up, a line a round, and Mailtrap is read again only after the interval.
      // A fake of its own: no answer staged by another test reaches this one.
      const own = await startFakeMailtrap({ token: TOKEN })
      const waitFor = async (interval: string) => {
        const before = own.requests.length
        const result = await cli(
          [
            ...gate.map((a) => (a === '' ? own.url : a)),
            '--until-verified',
            '--domain',
            'acme-mail.test',
            '--timeout',
            '3s',
            '--interval',
            '1s',
            '--mailtrap-interval',
            interval
          ],
          {},
          'wait'
        )
        const asked = own.requests
          .slice(before)
          .filter((r) => r.method === 'GET' && /acme-mail|domains/.test(r.path)).length
        return { ...result, asked }
      }
      try {
        const rare = await waitFor('1h')
        expect(rare.code).toBe(1)
        const lines = rare.stderr.split('\n').filter((l) => l.startsWith('DNS is right everywhere'))
        expect(lines.length).toBeGreaterThanOrEqual(2)
        expect(lines[0]).toMatch(
          /^DNS is right everywhere; Mailtrap last read \d\d:\d\d UTC; 1 domain\(s\) not verified and compliant \(acme-mail\.test\)\. Mailtrap re-checks about hourly/
        )
        const often = await waitFor('1s')
        expect(often.code).toBe(1)
        // Read once an hour: only the first round asked; every second: each round asked again.
        expect(often.asked).toBeGreaterThan(rare.asked)
        expect(rare.stderr + often.stderr + rare.stdout + often.stdout).not.toContain(TOKEN)
      } finally {
        await own.close()
      }
    }, 60_000)

    it('needs a token', async () => {
      const result = await cli(['--require-verified'], { MAILTRAP_API_TOKEN: '' })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('needs Mailtrap')
    })
  })

  describe('create, opt-in', () => {
    it('adds a domain the account lacks with --create (POST on the path family in use)', async () => {
      const fresh = await startFakeMailtrap({ token: TOKEN })
      try {
        const result = await cli([
          '--mailtrap-url',
          fresh.url,
          '--mailtrap-account',
          '31001',
          '--domain',
          'other.test',
          '--create',
          '--format',
          'json'
        ])
        const posts = fresh.requests.filter((r) => r.method === 'POST')
        expect(posts).toHaveLength(1)
        expect(posts[0]!.path).toBe('/api/domains')
        const report = JSON.parse(result.stdout) as Report
        expect(report.domains[0]!.mailtrap).toMatchObject({ dnsVerified: false })
        // The records to publish are listed: the domain's records are all checked.
        expect(report.domains[0]!.records.map((r) => r.key)).toContain('dkim1')
        expect(result.stdout + result.stderr).not.toContain(TOKEN)
      } finally {
        await fresh.close()
      }
    })

    it('leaves no report cut short when a run stops part-way (a token that may not create)', async () => {
      const readOnly = await startFakeMailtrap({ token: TOKEN, readOnly: true })
      const out = join(dir, 'stopped.json')
      try {
        const args = ['--mailtrap-url', readOnly.url, '--mailtrap-account', '31001']
        const create = ['--domain', 'other.test', '--create', '--format', 'json']
        const toStdout = await cli([...args, ...create])
        expect(toStdout.code).toBe(2)
        // The report's head went out before the run stopped: standard error says it is cut short.
        expect(toStdout.stdout).toContain('"schemaVersion": 1')
        expect(toStdout.stderr).toContain('the JSON report is incomplete: the run stopped')
        const toFile = await cli([...args, ...create, '--output', out])
        expect(toFile.code).toBe(2)
        expect(toFile.stderr).not.toContain('report written')
        const left = (await readdir(dir)).filter((f) => f.startsWith('stopped.json'))
        expect(left).toEqual([])
        expect(toStdout.stderr + toFile.stderr).not.toContain(TOKEN)
      } finally {
        await readOnly.close()
      }
    })

    it('never creates without the opt-in', async () => {
      const fresh = await startFakeMailtrap({ token: TOKEN })
      try {
        await cli([
          '--mailtrap-url',
          fresh.url,
          '--mailtrap-account',
          '31001',
          '--domain',
          'other.test'
        ])
        expect(fresh.requests.filter((r) => r.method === 'POST')).toEqual([])
      } finally {
        await fresh.close()
      }
    })
  })

  it('says which API path family it uses under --verbose, and nothing of the sort without', async () => {
    const fresh = await startFakeMailtrap({ token: TOKEN })
    try {
      const args = ['--mailtrap-url', fresh.url, '--mailtrap-account', '31001']
      const verbose = await cli([...args, '--verbose'])
      expect(verbose.stderr).toContain("Mailtrap API: using the spec's paths (/api/domains)")
      const quiet = await cli(args)
      expect(quiet.stderr).not.toContain('Mailtrap API:')
      expect(verbose.stdout + verbose.stderr).not.toContain(TOKEN)
    } finally {
      await fresh.close()
    }
  })
})
