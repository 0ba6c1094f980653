import { execFile } from 'node:child_process'
import dgram from 'node:dgram'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

describe('dist/cli.js --deadline', () => {
  it('gives up on a server that never answers at the deadline: exit 3, bounded time', async () => {
    const silent = dgram.createSocket('udp4')
    await new Promise<void>((done) => silent.bind(0, '127.0.0.1', done))
    const port = (silent.address() as { port: number }).port
    const started = Date.now()
    const result = await run(
      process.execPath,
      [
        join(root, 'dist/cli.js'),
        'check',
        '--config',
        join(root, 'examples/domains.yaml'),
        '--resolver',
        `silent=127.0.0.1:${port}`,
        '--query-timeout',
        '20000',
        '--tries',
        '3',
        '--deadline',
        '1s'
      ],
      { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } }
    ).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e
    )
    silent.close()
    // Without the deadline this takes 60 s (20 s × 3 tries); loose bound for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(result.code).toBe(3)
    expect(result.stdout).toContain('The deadline passed')
  })
})
