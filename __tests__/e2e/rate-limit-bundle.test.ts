/**
 * `--rate-limit` and the progress line of the built CLI against a fleet on a real Knot (loopback):
 * a capped resolver is asked no faster than its cap, which only ever bounds the run's time from
 * below (Q questions at R per second cannot all start sooner than (Q - burst) / R seconds).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { rm } from 'node:fs/promises'
import { writeFleet, type FleetFiles } from '../support/fleet-files.js'
import { startKnot, type KnotServer } from '../support/knot.js'
import { runCli } from '../support/run-bundle.js'

const DOMAINS = 40
let knot: KnotServer
let fleet: FleetFiles

beforeAll(async () => {
  fleet = await writeFleet(
    Array.from({ length: DOMAINS }, (_, i) => ({ name: `d${i}.rate.test`, state: 'healthy' }))
  )
  knot = await startKnot({ zoneDir: fleet.zoneDir })
})
afterAll(async () => {
  await knot?.stop()
  if (fleet) await rm(fleet.dir, { recursive: true, force: true })
})

const check = (...extra: string[]) => [
  'check',
  '--config',
  fleet.config,
  '--resolver',
  `knot=${knot.address}`,
  '--authoritative',
  knot.address,
  '--format',
  'json',
  ...extra
]

describe('dist/cli.js --rate-limit', () => {
  it('asks a capped resolver no faster than its cap, and every domain still passes', async () => {
    const qps = 50
    const burst = 5 // a tenth of a second's worth (rate-cap.ts)
    const run = await runCli(check('--rate-limit', `knot=${qps}`))
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).summary.pass).toBe(DOMAINS)
    // Each domain asks knot at least its five records.
    const asked = 5 * DOMAINS
    expect(run.ms / 1000).toBeGreaterThanOrEqual((asked - burst) / qps)
    // The final line counts the questions of both resolvers.
    const line = run.stderr.match(
      /^checked 40 domains in \S+: 40 pass; ([\d,]+) questions, \d+ q\/s$/m
    )
    expect(line).not.toBeNull()
    expect(Number(line![1]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(2 * asked)
  })

  it('refuses a cap for a resolver the run does not have', async () => {
    const run = await runCli(check('--rate-limit', 'knto=5'))
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'rate limit knto=…: no resolver is named "knto" (the resolvers are authoritative, knot)'
    )
  })
})
