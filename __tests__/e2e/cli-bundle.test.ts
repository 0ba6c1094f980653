import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startKnot, type KnotServer } from '../support/knot.js'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname
const cli = join(root, 'dist/cli.js')

interface Result {
  code: number
  stdout: string
  stderr: string
}

/** Run the committed CLI bundle as a user would. */
async function runCli(args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' }
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

type Verdicts = Record<string, string>

function verdicts(report: {
  domains: {
    domain: string
    records: { key: string; status: string; findings: { code: string }[] }[]
  }[]
}): Verdicts {
  const out: Verdicts = {}
  for (const d of report.domains) {
    for (const r of d.records)
      out[`${d.domain} ${r.key}`] = `${r.status} ${r.findings.map((f) => f.code).join(',')}`
  }
  return out
}

describe('dist/cli.js', () => {
  let offline: Result
  beforeAll(async () => {
    offline = await runCli([
      'check',
      '--config',
      'examples/domains.yaml',
      '--zone-dir',
      'examples/zones',
      '--format',
      'json'
    ])
  })

  it('checks the examples offline and reports the JSON contract with the expected diagnoses', () => {
    expect(offline.code).toBe(1)
    const report = JSON.parse(offline.stdout)
    expect(report.schemaVersion).toBe(1)
    expect(report.summary).toEqual({ domains: 11, pass: 1, warn: 3, fail: 7, unknown: 0 })
    expect(verdicts(report)).toMatchObject({
      'healthy.example dmarc': 'pass ',
      'doubled.example dkim1': 'fail doubled-name',
      'suffixed.example dkim2': 'fail value-suffixed',
      'quoted.example dmarc': 'fail quoted-value',
      'twodmarc.example dmarc': 'fail duplicate',
      'leftover.example dkim1': 'fail conflict',
      'strict.example dmarc': 'warn dmarc-differs',
      'chained.example link_verification': 'warn cname-chain',
      'leftover.example link_verification': 'fail missing',
      'proxied.example link_verification': 'fail proxied',
      'mail.parent.example verification': 'fail wrong-value',
      'mail.parent.example dkim1': 'pass ',
      'mail.parent.example dmarc': 'pass ',
      'shortform.example verification': 'unknown unconfigured',
      'shortform.example dkim1': 'pass '
    })
    const record = report.domains[1].records[1]
    expect(record).toMatchObject({
      key: 'dkim1',
      type: 'CNAME',
      name: 'rwmt1._domainkey.doubled.example',
      expected: 'rwmt1.dkim.smtp.mailtrap.live',
      status: 'fail'
    })
    expect(record.findings[0]).toMatchObject({
      code: 'doubled-name',
      severity: 'error',
      resolvers: ['zone-files']
    })
    expect(record.observations[0]).toMatchObject({
      resolver: 'zone-files',
      rcode: 'NXDOMAIN',
      answers: []
    })
    expect(report.domains[0].mailtrap).toBeNull()
  })

  it('gives the same verdict for every record when Knot serves the same zones', async () => {
    const knot: KnotServer = await startKnot({ zoneDir: join(root, 'examples/zones') })
    try {
      const live = await runCli([
        'check',
        '--config',
        'examples/domains.yaml',
        '--format',
        'json',
        '--resolver',
        `knot=${knot.address}`,
        '--authoritative',
        knot.address
      ])
      expect(live.code).toBe(1)
      const report = JSON.parse(live.stdout)
      expect(verdicts(report)).toEqual(verdicts(JSON.parse(offline.stdout)))
      const resolvers = report.domains[0].records[1].observations.map(
        (o: { resolver: string }) => o.resolver
      )
      expect(resolvers).toEqual(['knot', 'authoritative'])
    } finally {
      await knot.stop()
    }
  })

  it('runs the demo as the README says and exits 0', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'demo'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' }
    })
    expect(stdout).toContain('doubled.example FAIL')
    expect(stdout).toContain('11 domains: 1 pass, 3 warn, 7 fail')
    expect(stdout).not.toMatch(/undefined|null|NaN|\[object/)
  })

  it('exits 2 with file:line and no stack trace on a broken domains.yaml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'))
    const file = join(dir, 'domains.yaml')
    await writeFile(file, 'version: 1\ndomains:\n  - name: example.com\n    trackng: false\n')
    const result = await runCli(['check', '--config', file, '--zone-dir', 'examples/zones'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `Invalid config in ${file}:\n${file}:4: unknown key "trackng" in domains[0]\n`
    )
  })

  it('exits 2 on a zone file error, naming the file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zones-'))
    await writeFile(
      join(dir, 'healthy.example.zone'),
      '$TTL 3600\n@ IN SOA ns1 host 1 2 3 4 5\n@ IN NS ns1\nbad IN TXT "unterminated\n'
    )
    const result = await runCli(['check', '--config', 'examples/domains.yaml', '--zone-dir', dir])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`healthy\\.example\\.zone:4: `))
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2, naming the domain and its line, when no zone file holds a domain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zones-'))
    await writeFile(join(dir, 'healthy.example.zone'), '@ IN SOA ns1 host 1 2 3 4 5\n@ IN NS ns1\n')
    const result = await runCli([
      'check',
      '--config',
      'examples/domains.yaml',
      '--zone-dir',
      dir,
      '--domain',
      'doubled.example'
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `${dir}: no zone file holds doubled.example (examples/domains.yaml:13): add ${dir}/doubled.example.zone\n`
    )
  })

  it.each([
    [
      ['--zone-dir', 'examples/zones', '--resolver', 'x=127.0.0.1'],
      'cannot be combined with --resolver'
    ],
    [['--interval', '1s'], '--timeout and --interval belong to wait'],
    [
      ['--output', '/nonexistent/dir/report.json', '--zone-dir', 'examples/zones'],
      'cannot write the report to /nonexistent/dir/report.json: ENOENT'
    ]
  ])('exits 2 on %j', async (args, message) => {
    const result = await runCli(['check', '--config', 'examples/domains.yaml', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
  })

  it('exits 2 on a wait interval of 0', async () => {
    const result = await runCli([
      'wait',
      '--config',
      'examples/domains.yaml',
      '--zone-dir',
      'examples/zones',
      '--interval',
      '0'
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--interval must be longer than 0')
  })

  it('exits 2 on a bad flag and prints usage', async () => {
    const result = await runCli(['check', '--format', 'yaml'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--format must be one of text, json, markdown')
    expect(result.stderr).toContain('Usage: mailtrap-dns-verify check')
  })

  it('exits 3 when the only resolver never answers, and never says missing', async () => {
    const result = await runCli([
      'check',
      '--config',
      'examples/domains.yaml',
      '--domain',
      'healthy.example',
      '--resolver',
      'dead=127.0.0.1:9',
      '--query-timeout',
      '200',
      '--format',
      'json'
    ])
    expect(result.code).toBe(3)
    const report = JSON.parse(result.stdout)
    expect(report.summary.unknown).toBe(1)
    const codes = report.domains[0].records.flatMap((r: { findings: { code: string }[] }) =>
      r.findings.map((f) => f.code)
    )
    expect(new Set(codes)).toEqual(new Set(['unknown']))
  })

  it('writes the report to --output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'out-'))
    const out = join(dir, 'report.md')
    const result = await runCli([
      'check',
      '--config',
      'examples/domains.yaml',
      '--zone-dir',
      'examples/zones',
      '--format',
      'markdown',
      '--output',
      out
    ])
    expect(result.code).toBe(1)
    const md = await readFile(out, 'utf8')
    expect(md).toContain('| Domain | Status |')
    expect(md).toContain('doubled-name')
  })

  it('writes the JSON report to --output as it checks: a line a domain, in the config’s order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'out-'))
    const out = join(dir, 'report.json')
    const args = ['check', '--config', 'examples/domains.yaml', '--zone-dir', 'examples/zones']
    const result = await runCli([...args, '--format', 'json', '--output', out])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`report written to ${out}`)
    const text = await readFile(out, 'utf8')
    const lines = text.split('\n')
    const domainLines = lines.filter((l) => l.startsWith('    {"domain":'))
    const stdout = await runCli([...args, '--format', 'json'])
    const report = JSON.parse(stdout.stdout) as { domains: { domain: string }[]; summary: object }
    expect({ ...JSON.parse(text), generatedAt: 'x' }).toEqual({ ...report, generatedAt: 'x' })
    expect(
      domainLines.map((l) => (JSON.parse(l.replace(/,$/, '')) as { domain: string }).domain)
    ).toEqual(report.domains.map((d) => d.domain))
    // The summary is known at the end: it follows the domains.
    expect(lines.findIndex((l) => l.startsWith('  "summary"'))).toBeGreaterThan(
      lines.indexOf('  ],')
    )
    await rm(dir, { recursive: true, force: true })
  })

  it('stops writing, without a stack trace, when its reader goes away (| head), and still exits with the verdict', async () => {
    // The examples fail (1), and pass with --fail-on never (0): the code is the verdict's, not
    // the 1 of a crash.
    for (const [format, failOn, verdict] of [
      ['text', 'error', offline.code],
      ['json', 'error', offline.code],
      ['json', 'never', 0]
    ] as const) {
      const args = [cli, ...['check', '--config', 'examples/domains.yaml', '--fail-on', failOn]]
      args.push('--zone-dir', 'examples/zones', '--format', format)
      const child = spawn(process.execPath, args, {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      // Closed before Node has started: every write of the report meets a broken pipe.
      child.stdout.destroy()
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect({ format, failOn, code, stderr }).toEqual({
        format,
        failOn,
        code: verdict,
        stderr: ''
      })
    }
  })

  it('prints its version and help', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
    expect((await runCli(['--version'])).stdout).toBe(`${pkg.version}\n`)
    expect((await runCli(['--help'])).stdout).toContain('Exit codes: 0 pass')
  })
})
