// The action at fleet size: the built action (dist/index.js) run as a runner runs it (INPUT_*
// variables, the step summary and output files), on N domains of which some fail, each with its
// zone on one Knot on loopback. What a scheduled drift run of a large fleet meets: its wall time
// and peak memory, and whether what it leaves stays inside GitHub's limits (a step summary over
// 1 MiB is dropped; a step shows 10 error and 10 warning annotations).
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fleetNames, healthyZone } from './bench-fleet.mjs'
import { startKnot } from './bench-knot.mjs'
import { measure, median, peak } from './bench-measure.mjs'

/** GitHub drops a step summary over this many bytes. */
const SUMMARY_LIMIT = 1024 * 1024

/** A healthy zone whose DKIM 1 record was entered with the full name: `doubled-name`. */
function failingZone(name) {
  return healthyZone(name).replace('rwmt1._domainkey IN CNAME', `rwmt1._domainkey.${name} IN CNAME`)
}

/** The outputs the action wrote to GITHUB_OUTPUT (`name<<delimiter` blocks). */
function parseOutputs(text) {
  const outputs = {}
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3]
  return outputs
}

/**
 * `count` domains, every (count / failing)-th one failing, checked `repeat` times by the action
 * at `action` under `node`, asking Knot through two resolvers and as authoritative server over
 * `transport`. Throws unless each run fails exactly the failing domains (exit code 1), writes a
 * summary within 1 MiB and at most 10 error and 10 warning annotations.
 */
export async function runActionFleet({
  action,
  dir,
  count,
  failing,
  repeat = 3,
  transport = 'tcp',
  node = process.execPath,
  timeoutMs = 15 * 60_000
}) {
  const names = fleetNames(count)
  const every = Math.max(1, Math.round(count / failing))
  const failed = new Set(names.filter((_, i) => i % every === 0))
  const zones = new Map(names.map((n) => [n, failed.has(n) ? failingZone(n) : healthyZone(n)]))
  const config = join(dir, 'domains.yaml')
  const entries = names.map((n) => `  - name: ${n}\n    verification: mt07`)
  await writeFile(config, ['version: 1', 'domains:', ...entries].join('\n') + '\n')
  const knot = await startKnot(join(dir, 'knot'), zones)
  const address = `${transport === 'tcp' ? 'tcp://' : ''}127.0.0.1:${knot.port}`
  const runs = []
  try {
    for (let i = 0; i < repeat; i++) {
      const runner = join(dir, `runner-${i}`)
      await mkdir(runner)
      const summary = join(runner, 'summary.md')
      const output = join(runner, 'output.txt')
      const report = join(runner, 'report.json')
      await writeFile(summary, '')
      await writeFile(output, '')
      const env = {
        PATH: process.env.PATH ?? '',
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
        GITHUB_WORKSPACE: dir,
        RUNNER_TEMP: runner,
        GITHUB_EVENT_NAME: 'schedule',
        INPUT_CONFIG: config,
        INPUT_RESOLVERS: `a=${address},b=${address}`,
        INPUT_AUTHORITATIVE: address,
        INPUT_COMMENT: 'never',
        'INPUT_REPORT-PATH': report
      }
      const m = await measure(node, [action], { timeoutMs, env, cwd: dir })
      if (m.timedOut) throw new Error(`the action did not finish ${count} domains in time`)
      const outputs = parseOutputs(await readFile(output, 'utf8'))
      const expected = `${count} domains: ${count - failed.size} pass, 0 warn, ${failed.size} fail`
      if (m.code !== 1 || outputs.summary !== expected) {
        throw new Error(
          `the action exited with ${m.code}, summary output "${outputs.summary}" (expected "${expected}")\n${m.stdout.slice(-2000)}${m.stderr}`
        )
      }
      const { domains } = JSON.parse(await readFile(report, 'utf8'))
      const wrong = domains.filter((d) => d.status !== (failed.has(d.domain) ? 'fail' : 'pass'))
      if (domains.length !== count || wrong.length > 0) {
        throw new Error(
          `the action's report has ${domains.length} domains, ${wrong.length} judged wrongly`
        )
      }
      const lines = m.stdout.split('\n')
      runs.push({
        seconds: m.seconds,
        rssMiB: m.rssMiB,
        summaryBytes: (await stat(summary)).size,
        errors: lines.filter((l) => l.startsWith('::error')).length,
        warnings: lines.filter((l) => l.startsWith('::warning')).length,
        logLines: lines.length
      })
      await rm(runner, { recursive: true, force: true })
    }
  } finally {
    await knot.stop()
  }
  const seconds = runs.map((r) => r.seconds)
  const result = {
    count,
    failing: failed.size,
    transport,
    repeat,
    seconds: median(seconds),
    range: [Math.min(...seconds), Math.max(...seconds)],
    rssMiB: peak(runs.map((r) => r.rssMiB)),
    summaryBytes: Math.max(...runs.map((r) => r.summaryBytes)),
    errors: Math.max(...runs.map((r) => r.errors)),
    warnings: Math.max(...runs.map((r) => r.warnings)),
    logLines: median(runs.map((r) => r.logLines))
  }
  if (result.summaryBytes > SUMMARY_LIMIT || result.errors > 10 || result.warnings > 10) {
    throw new Error(`the action went past GitHub's limits: ${JSON.stringify(result)}`)
  }
  return result
}
