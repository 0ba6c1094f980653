/**
 * The CLI's `--rate-limit` and progress line through main(), offline (zone files) so nothing is
 * asked: the flag's mistakes are usage errors, and the progress line is told of every domain
 * and ends with one final line on standard error while standard output keeps the report.
 */
import { describe, expect, it } from '@jest/globals'
import { main, type CliIo } from '../src/cli.js'
import type { ProgressPorts } from '../src/report/progress.js'

const offline = ['check', '--config', 'examples/domains.yaml', '--zone-dir', 'examples/zones']

/** Runs main() with a log-like standard error whose clock moves `stepMs` at each reading. */
async function run(args: string[], progress: Partial<ProgressPorts> | false = {}, stepMs = 0) {
  let out = ''
  let err = ''
  let now = 0
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    color: false,
    ...(progress === false
      ? {}
      : {
          progress: {
            tty: false,
            now: () => (now += stepMs),
            write: (t) => (err += t),
            every: () => () => {},
            ...progress
          }
        })
  }
  const code = await main(args, io)
  return { code, out, err }
}

describe('--rate-limit', () => {
  it.each([
    [['--rate-limit', 'fast'], '--rate-limit fast: give [NAME=]QPS'],
    [
      ['--resolver', 'google', '--rate-limit', 'google=-3'],
      '--rate-limit google=-3: give [NAME=]QPS'
    ]
  ])('refuses %j with exit 2', async (extra, message) => {
    const result = await run(['check', '--config', 'examples/domains.yaml', ...extra])
    expect(result.code).toBe(2)
    expect(result.err).toContain(message)
    expect(result.out).toBe('')
  })

  it('cannot be combined with --zone-dir, which asks no server', async () => {
    const result = await run([...offline, '--rate-limit', '5'])
    expect(result.code).toBe(2)
    expect(result.err).toContain(
      'cannot be combined with --resolver, --authoritative or --rate-limit'
    )
  })
})

describe('the progress line through main()', () => {
  it('ends a run over a second with one final line; standard output has the report', async () => {
    const result = await run([...offline, '--format', 'json', '--fail-on', 'never'], {}, 1000)
    expect(result.code).toBe(0)
    const { domains, pass, warn, fail, unknown } = JSON.parse(result.out).summary
    expect([domains, unknown]).toEqual([11, 0])
    expect(result.err).toMatch(
      new RegExp(`^checked 11 domains in \\d+\\.0s: ${pass} pass, ${warn} warn, ${fail} fail\\n$`)
    )
  })

  it('writes nothing more with --no-progress, nor when the CLI is given no terminal ports', async () => {
    const quiet = await run([...offline, '--format', 'json', '--no-progress'], {}, 400)
    const bare = await run([...offline, '--format', 'json'], false)
    expect(quiet.err).toBe('')
    expect(bare.err).toBe('')
    expect(JSON.parse(quiet.out).summary.domains).toBe(11)
  })
})
