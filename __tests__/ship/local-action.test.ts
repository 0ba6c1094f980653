import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify, stripVTControlCharacters } from 'node:util'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

describe('npm run local-action', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-action-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('runs the action from src/run.ts with the inputs of .env.example, offline, once', async () => {
    // .env.example as a contributor copies it, with the runner's files in a folder of our own.
    const env = (await readFile(join(root, '.env.example'), 'utf8'))
      .replace(/^RUNNER_TEMP=.*$/m, `RUNNER_TEMP=${dir}`)
      .replace(/^GITHUB_STEP_SUMMARY=.*$/m, `GITHUB_STEP_SUMMARY=${join(dir, 'summary.md')}`)
    await writeFile(join(dir, '.env'), env)
    const { stdout } = await run(
      join(root, 'node_modules/.bin/local-action'),
      ['.', 'src/run.ts', join(dir, '.env')],
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' } }
    )
    // run() is called once, by local-action: src/run.ts does nothing when imported.
    expect(stdout.match(/::set-output name=status::/g)).toHaveLength(1)
    expect(stdout).toContain('::set-output name=status::fail')
    expect(stdout).toContain('::set-output name=exit-code::0')
    expect(stripVTControlCharacters(stdout)).toContain(
      '11 domains: 1 pass, 3 warn, 7 fail, 0 unknown (resolvers: zone-files)'
    )
    const report = JSON.parse(await readFile(join(dir, 'mailtrap-dns-verify-report.json'), 'utf8'))
    expect(report.summary).toMatchObject({ domains: 11, pass: 1, warn: 3, fail: 7 })
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('doubled.example')
  }, 180_000)
})
