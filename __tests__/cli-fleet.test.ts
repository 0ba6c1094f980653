/**
 * The CLI tells its caller when a run is a fleet's (a zone directory, or a config file of
 * FLEET_CONFIG_BYTES and more), before the run reads its config: the real CLI tunes V8's heap
 * then, and a one-domain check never loads what that takes (issue 12, start-up).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FLEET_CONFIG_BYTES, main, type CliIo } from '../src/cli.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-fleet-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A config of exactly `bytes` bytes that the config reader refuses: nothing is asked. */
async function refusedConfig(bytes: number): Promise<string> {
  const head = 'version: 99\n#'
  const file = join(dir, `refused-${bytes}.yaml`)
  await writeFile(file, head + 'x'.repeat(bytes - head.length - 1) + '\n')
  return file
}

/** Runs main(); resolves to the exit code, standard error and the calls of the fleet port. */
async function run(args: string[]) {
  let err = ''
  const calls: string[] = []
  const io: CliIo = {
    stdout: () => {},
    stderr: (t) => (err += t),
    color: false,
    fleet: () => {
      // Before the config is read: nothing on standard error yet.
      calls.push(err)
    }
  }
  const code = await main(args, io)
  return { code, err, calls }
}

describe('the fleet port', () => {
  it('is called for a config of FLEET_CONFIG_BYTES, before the config is read', async () => {
    const result = await run(['check', '--config', await refusedConfig(FLEET_CONFIG_BYTES)])
    expect(result.calls).toEqual([''])
    expect(result.code).toBe(2)
    expect(result.err).toContain('version')
  })

  it('is not called for a config one byte smaller', async () => {
    const result = await run(['check', '--config', await refusedConfig(FLEET_CONFIG_BYTES - 1)])
    expect(result.calls).toEqual([])
    expect(result.code).toBe(2)
    expect(result.err).toContain('version')
  })

  it('is not called when the config is missing (the run says so)', async () => {
    const result = await run(['check', '--config', join(dir, 'absent.yaml')])
    expect(result.calls).toEqual([])
    expect(result.code).toBe(2)
    expect(result.err).toContain('absent.yaml')
  })

  it('is called for zone files, whatever the config', async () => {
    const args = ['check', '--config', 'examples/domains.yaml', '--zone-dir', 'examples/zones']
    const result = await run([...args, '--fail-on', 'never'])
    expect(result.calls).toEqual([''])
    expect(result.code).toBe(0)
  })

  it('is not called for merge, nor for a usage error', async () => {
    expect((await run(['merge'])).calls).toEqual([])
    const big = await refusedConfig(FLEET_CONFIG_BYTES * 2)
    expect((await run(['check', '--config', big, '--tries', '0'])).calls).toEqual([])
  })
})
