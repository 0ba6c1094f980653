/**
 * The built bundle from the outside: the progress line on a pseudo-terminal (`script`), the one
 * final line in a log with standard output left to the report, and the shape of dist/ itself:
 * one shared bundle under 2 MB, of which the CLI loads nothing of GitHub's and `--help` loads
 * almost nothing.
 */
import { execFile } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { root, runCli } from '../support/run-bundle.js'

const CLEAR = '\r\u001b[K'

/** A UDP port on loopback that takes every question and answers none. */
let silent: dgram.Socket
let dir: string
let config: string
let dead: string

beforeAll(async () => {
  silent = dgram.createSocket('udp4')
  await new Promise<void>((done) => silent.bind(0, '127.0.0.1', done))
  dead = `dead=127.0.0.1:${silent.address().port}`
  dir = await mkdtemp(join(tmpdir(), 'progress-'))
  config = join(dir, 'domains.yaml')
  await writeFile(config, 'version: 1\ndomains:\n  - example.test\n')
})
afterAll(async () => {
  silent?.close()
  await rm(dir, { recursive: true, force: true })
})

/** A check that takes at least `ms` (one question to a server that never answers). */
const slowCheck = (ms: number) => [
  'check',
  '--config',
  config,
  '--resolver',
  dead,
  '--query-timeout',
  String(ms),
  '--tries',
  '1'
]

/** The final line, with the questions once the engine counts them. */
const FINAL = /checked 1 domain in \d+\.\ds: 1 unknown(; \d+ questions?, \d+ q\/s)?/

describe('the progress line of dist/cli.js', () => {
  it('in a log: standard output holds the JSON report alone, standard error one final line', async () => {
    const run = await runCli([...slowCheck(1200), '--format', 'json'])
    expect(run.code).toBe(3)
    expect(JSON.parse(run.stdout).summary).toEqual({
      domains: 1,
      pass: 0,
      warn: 0,
      fail: 0,
      unknown: 1
    })
    expect(run.stderr).toMatch(new RegExp(`^${FINAL.source}\\n$`))
  })

  it('says nothing with --no-progress', async () => {
    const run = await runCli([...slowCheck(1200), '--format', 'json', '--no-progress'])
    expect(run.code).toBe(3)
    expect(run.stderr).toBe('')
  })

  it('on a terminal: redrawn in place after a second, then replaced by the final line', async () => {
    const report = join(dir, 'report.json')
    const command = [
      process.execPath,
      join(root, 'dist/cli.js'),
      ...slowCheck(3000),
      '--format',
      'json',
      '--output',
      report
    ]
      .map((arg) => `'${arg}'`)
      .join(' ')
    // script(1) runs the command on a pseudo-terminal and copies what it writes (\n becomes \r\n).
    const screen = await new Promise<string>((done, fail) => {
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        { cwd: root, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 50_000 },
        (error, stdout) => (error && error.code !== 3 ? fail(error) : done(stdout))
      )
    })
    const redraws = screen.split(CLEAR).length - 1
    // Drawn from 1 s to 3 s, four times a second (at least twice even on a slow machine), then
    // cleared once more for the final line.
    expect(redraws).toBeGreaterThanOrEqual(3)
    expect(screen.startsWith(CLEAR)).toBe(true)
    expect(screen.slice(CLEAR.length)).toMatch(/^checking(: 0 domains done| 0\/1 domain)/)
    expect(screen).not.toContain('\n\r\u001b[Kchecking')
    const last = screen.slice(screen.lastIndexOf(CLEAR) + CLEAR.length)
    expect(last).toMatch(new RegExp(`^${FINAL.source}\\r\\nreport written to ${report}\\r\\n$`))
    expect(JSON.parse(await readFile(report, 'utf8')).summary.unknown).toBe(1)
  })
})

describe('dist/', () => {
  /** The files of dist/ a run of dist/cli.js or dist/index.js loads, in order. */
  async function loaded(args: string[], entry = 'dist/cli.js'): Promise<string[]> {
    const hook =
      'data:text/javascript,' +
      encodeURIComponent(
        "import { register } from 'node:module';" +
          "register('data:text/javascript,' + encodeURIComponent(" +
          // Written at once to fd 2: the hooks run on a thread of their own, whose buffered
          // stderr a process that exits at once (--help) may never flush.
          "`import { writeSync } from 'node:fs'; export async function load(url, context, next) {" +
          " if (url.includes('/dist/')) writeSync(2, 'LOADED ' + url.split('/dist/')[1] + '\\\\n');" +
          ' return next(url, context) }`))'
      )
    const stderr = await new Promise<string>((done) => {
      execFile(
        process.execPath,
        ['--import', hook, join(root, entry), ...args],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 50_000 },
        (_error, _stdout, stderr) => done(stderr)
      )
    })
    return [...stderr.matchAll(/^LOADED (.+)$/gm)].map((m) => m[1]!)
  }

  /** GitHub's code and the action's own: Octokit's user agent, the job summary's variable. */
  const GITHUB = /@octokit|GITHUB_STEP_SUMMARY/

  it('holds one bundle the action and the CLI share, under 2 MB', async () => {
    const files = await readdir(join(root, 'dist'))
    const sizes = await Promise.all(files.map((f) => stat(join(root, 'dist', f))))
    expect(sizes.every((s) => s.isFile())).toBe(true)
    expect(sizes.reduce((n, s) => n + s.size, 0)).toBeLessThanOrEqual(2_000_000)
  })

  it('the CLI loads nothing of GitHub’s; the action does, from files of its own', async () => {
    const cli = await loaded([...slowCheck(100), '--format', 'json'])
    const action = await loaded([], 'dist/index.js')
    expect(cli.slice(0, 2)).toEqual(['cli.js', 'bundle.js'])
    expect(action.slice(0, 2)).toEqual(['index.js', 'bundle.js'])
    const text = (file: string) => readFile(join(root, 'dist', file), 'utf8')
    for (const file of cli) expect(await text(file)).not.toMatch(GITHUB)
    const github = []
    for (const file of action) if (GITHUB.test(await text(file))) github.push(file)
    expect(github.length).toBeGreaterThan(0)
    // And they share the engine: most of the bytes the CLI loads, the action loads too.
    const bytes = async (files: string[]) => {
      const sizes = await Promise.all(files.map((f) => stat(join(root, 'dist', f))))
      return sizes.reduce((n, s) => n + s.size, 0)
    }
    const shared = await bytes(cli.filter((f) => action.includes(f)))
    expect(shared).toBeGreaterThan((await bytes(cli)) / 2)
  })

  it('--help and --version load the two small entry files and one chunk of the CLI', async () => {
    for (const flag of ['--help', '--version']) {
      const files = await loaded([flag])
      expect(files).toHaveLength(3)
      const sizes = await Promise.all(files.map((f) => stat(join(root, 'dist', f))))
      expect(sizes.reduce((n, s) => n + s.size, 0)).toBeLessThan(30_000)
    }
  })
})
