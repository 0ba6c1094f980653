import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventEnv, runAction, runCli, webhookExample } from '../support/action-runner.js'
import { startFakeGitHub } from '../support/fake-github.js'
import { writeFleet, type FleetFiles, type ZoneState } from '../support/fleet-files.js'

// Shards on a matrix, with the built bundles (dist/cli.js and dist/index.js, which the global
// setup rebuilds when stale): `shard: k/n` runs cover every domain exactly
// once, and merging their JSON reports (CLI `merge`, action `mode: merge`) gives what one
// unsharded run gives, field by field, but for the time stamp.

interface ReportJson {
  generatedAt: string
  shard?: { index: number; count: number }
  summary: Record<string, number>
  domains: { domain: string; status: string }[]
  [field: string]: unknown
}

const STATES: ZoneState[] = ['healthy', 'doubled', 'healthy', 'missing-dkim2', 'dmarc-differs']
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as ReportJson
const withoutTime = ({ generatedAt, ...rest }: ReportJson) => {
  expect(Date.parse(generatedAt)).not.toBeNaN()
  return rest
}

/** 30 domains, passing, failing and warning, in a config of their own. */
function fleetOf(prefix: string): Promise<FleetFiles> {
  return writeFleet(
    Array.from({ length: 30 }, (_, i) => ({
      name: `${prefix}-${i + 1}.example`,
      state: STATES[i % STATES.length]!
    }))
  )
}

async function cliCheck(fleet: FleetFiles, output: string, shard?: string) {
  const args = ['check', '--config', fleet.config, '--zone-dir', fleet.zoneDir, '--format', 'json']
  const run = await runCli([...args, ...(shard ? ['--shard', shard] : []), '--output', output])
  return { code: run.code, report: await readJson(output) }
}

describe('shards and merge, with the built CLI and action', () => {
  let fleet: FleetFiles
  let dir: string
  let whole: { code: number; report: ReportJson }
  beforeAll(async () => {
    fleet = await fleetOf('d')
    dir = await mkdtemp(join(tmpdir(), 'shards-'))
    whole = await cliCheck(fleet, join(dir, 'whole.json'))
  })

  it('CLI: shards 1/3, 2/3, 3/3 cover every domain once; merge gives the unsharded report and exit code', async () => {
    expect(whole.code).toBe(1)
    expect(whole.report.summary).toEqual({ domains: 30, pass: 12, warn: 6, fail: 12, unknown: 0 })
    const shardDir = await mkdtemp(join(dir, 'cli-'))
    const shards = []
    for (const k of [1, 2, 3])
      shards.push(await cliCheck(fleet, join(shardDir, `${k}.json`), `${k}/3`))
    const names = shards.map((s) => s.report.domains.map((d) => d.domain))
    for (const [i, s] of shards.entries()) {
      expect(s.report.shard).toEqual({ index: i + 1, count: 3 })
      expect(names[i]!.length).toBeGreaterThan(0)
    }
    const all = names.flat()
    expect(new Set(all).size).toBe(all.length)
    expect([...all].sort()).toEqual([...fleet.names].sort())

    const out = join(shardDir, 'merged.json')
    const merged = await runCli([
      'merge',
      ...[1, 2, 3].map((k) => join(shardDir, `${k}.json`)),
      '--format',
      'json',
      '--output',
      out
    ])
    expect(merged.code).toBe(whole.code)
    const report = await readJson(out)
    expect(report.domains.map((d) => [d.domain, d.status])).toEqual(
      whole.report.domains.map((d) => [d.domain, d.status])
    )
    expect(report.summary).toEqual(whole.report.summary)
    expect(withoutTime(report)).toEqual(withoutTime(whole.report))
  })

  it('action: shard inputs, then mode merge with a glob, give the outputs, report and summary of one unsharded run, and one comment', async () => {
    const token = 'ghs_shardsTestToken0123456789abcdefABCDEF'
    const repository = 'Codertocat/Hello-World'
    const github = await startFakeGitHub({ repo: repository, pull: 2, token })
    try {
      const env = await eventEnv({
        name: 'pull_request',
        payload: webhookExample('pull_request', 0),
        repository,
        apiUrl: github.url
      })
      const base = { config: fleet.config, 'zone-dir': fleet.zoneDir }
      const unsharded = await runAction(base, env)
      const shardDir = await mkdtemp(join(dir, 'action-'))
      for (const k of [1, 2, 3]) {
        const shard = await runAction(
          { ...base, shard: `${k}/3`, 'report-path': join(shardDir, `shard-${k}.json`) },
          env
        )
        expect([0, 1]).toContain(shard.code)
      }
      const merged = await runAction(
        { mode: 'merge', report: join(shardDir, 'shard-*.json'), 'github-token': token },
        env
      )
      expect(merged.code).toBe(unsharded.code)
      for (const output of ['status', 'exit-code', 'summary', 'failed-domains']) {
        expect([output, merged.outputs[output]]).toEqual([output, unsharded.outputs[output]])
      }
      expect(merged.outputs.summary).toBe('30 domains: 12 pass, 6 warn, 12 fail')
      expect(withoutTime(await readJson(merged.outputs.report!))).toEqual(
        withoutTime(await readJson(unsharded.outputs.report!))
      )
      expect(merged.summary).toBe(unsharded.summary)
      // One comment for the merged report, keyed by the config the shards checked.
      expect(github.comments).toHaveLength(1)
      expect(github.comments[0]!.body).toContain(
        `<!-- mailtrap-dns-verify:${fleet.config} -->\n${merged.summary}`
      )
    } finally {
      await github.close()
    }
  })

  describe('merge errors (exit 2) that say which', () => {
    let shardDir: string
    beforeAll(async () => {
      shardDir = await mkdtemp(join(dir, 'errors-'))
      const other = await fleetOf('other')
      await cliCheck(fleet, join(shardDir, 'a-1.json'), '1/3')
      await cliCheck(fleet, join(shardDir, 'a-3.json'), '3/3')
      await cliCheck(other, join(shardDir, 'b-2.json'), '2/3')
    })

    it('CLI: reports of different configs', async () => {
      const run = await runCli([
        'merge',
        join(shardDir, 'a-1.json'),
        join(shardDir, 'b-2.json'),
        join(shardDir, 'a-3.json')
      ])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(join(shardDir, 'b-2.json'))
      expect(run.stderr).toContain(join(shardDir, 'a-1.json'))
      expect(run.stderr).toMatch(/different configs/)
    })

    it('CLI: a shard missing', async () => {
      const run = await runCli(['merge', join(shardDir, 'a-1.json'), join(shardDir, 'a-3.json')])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('shard 2/3 missing')
    })

    it('action: mode merge fails with status error and exit-code 2, saying which', async () => {
      const mixed = await runAction({ mode: 'merge', report: join(shardDir, '*.json') })
      expect(mixed.code).toBe(1)
      expect(mixed.outputs.status).toBe('error')
      expect(mixed.outputs['exit-code']).toBe('2')
      expect(mixed.stdout).toMatch(/::error::merge: .*b-2\.json.*different configs/)
      expect(mixed.summary).toContain('could not run')

      const missing = await runAction({ mode: 'merge', report: join(shardDir, 'a-*.json') })
      expect(missing.code).toBe(1)
      expect(missing.outputs['exit-code']).toBe('2')
      expect(missing.stdout).toContain('::error::merge: shard 2/3 missing')
    })
  })
})
