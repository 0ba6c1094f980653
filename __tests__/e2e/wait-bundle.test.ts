import { execFile, spawn } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startKnot } from '../support/knot.js'

const root = new URL('../..', import.meta.url).pathname
const cli = join(root, 'dist/cli.js')

const zone = (serial: number, dkim: boolean): string =>
  [
    '$TTL 60',
    `@ IN SOA ns1 hostmaster ${serial} 7200 900 1209600 30`,
    '@ IN NS ns1',
    'ns1 IN A 127.0.0.1',
    'mt07 IN CNAME smtp.mailtrap.live.',
    dkim ? 'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.' : '',
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    '_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100"',
    ''
  ].join('\n')

async function configFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wait-'))
  const file = join(dir, 'domains.yaml')
  await writeFile(file, 'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n')
  return file
}

describe('dist/cli.js wait', () => {
  it('returns 0 within seconds of the authoritative zone being fixed', async () => {
    const knot = await startKnot({ zones: { 'shop.test': zone(1, false) } })
    try {
      const config = await configFile()
      const child = spawn(
        process.execPath,
        [
          cli,
          'wait',
          '--config',
          config,
          '--resolver',
          `knot=${knot.address}`,
          '--authoritative',
          knot.address,
          '--timeout',
          '40s',
          '--interval',
          '1s'
        ],
        { cwd: root, env: { ...process.env, NO_COLOR: '1' } }
      )
      let stderr = ''
      let stdout = ''
      child.stdout.on('data', (d) => (stdout += d))
      const firstRound = new Promise<void>((resolve) =>
        child.stderr.on('data', (d) => {
          stderr += d
          if (stderr.includes('round 1')) resolve()
        })
      )
      const exited = new Promise<number>((resolve) =>
        child.on('exit', (code) => resolve(code ?? -1))
      )
      await firstRound
      expect(stderr).toContain(
        'round 1 (0s): 1 record not settled: shop.test DKIM 1 (missing); next check in 1s'
      )
      await knot.writeZone('shop.test', zone(2, true))
      await knot.reload('shop.test')
      const fixedAt = Date.now()
      const code = await exited
      expect(code).toBe(0)
      expect(Date.now() - fixedAt).toBeLessThan(5000)
      expect(stderr).toMatch(/round \d+ \(\d+s\): settled: nothing reaches --fail-on error/)
      expect(stdout).toContain('shop.test PASS')
    } finally {
      await knot.stop()
    }
  })

  it('makes every record unknown and exits 3 within 30 s when the only resolver is dead', async () => {
    const config = await configFile()
    const started = Date.now()
    const result = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [cli, 'check', '--config', config, '--resolver', 'dead=127.0.0.1:9', '--format', 'json'],
        (error, stdout) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout })
      )
    )
    expect(result.code).toBe(3)
    expect(Date.now() - started).toBeLessThan(30_000)
    const report = JSON.parse(result.stdout)
    expect(report.domains[0].records.map((r: { status: string }) => r.status)).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown'
    ])
  })
})
