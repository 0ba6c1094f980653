// Cold start of the built CLI against bare Node: the median wall time of `node dist/cli.js
// --help` and `--version` and of `node -e 0`, each run `runs` times, interleaved so that a
// burst of load on the machine hits all three alike. Run alone: `node scripts/bench-cold-start.mjs
// [dist/cli.js] [runs]`.
import { spawnSync } from 'node:child_process'
import { median } from './bench-measure.mjs'
import { pathToFileURL } from 'node:url'

/** Wall seconds of one run of `node ...args`, start-up and exit included. */
function wall(args) {
  const start = process.hrtime.bigint()
  const run = spawnSync(process.execPath, args, { stdio: 'ignore', timeout: 30_000 })
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}`)
  return Number(process.hrtime.bigint() - start) / 1e9
}

/**
 * Medians in seconds of bare Node, `--help` and `--version`, and each CLI figure as a multiple
 * of bare Node.
 */
export function coldStart(cli, runs = 11) {
  const cases = { node: ['-e', '0'], help: [cli, '--help'], version: [cli, '--version'] }
  const times = { node: [], help: [], version: [] }
  // One untimed round first: the files come from the page cache in every timed run.
  for (const [name, args] of Object.entries(cases)) wall(args, name)
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(cases)) times[name].push(wall(args))
  }
  const node = median(times.node)
  const help = median(times.help)
  const version = median(times.version)
  return { runs, node, help, version, helpRatio: help / node, versionRatio: version / node }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cli = process.argv[2] ?? new URL('../dist/cli.js', import.meta.url).pathname
  const r = coldStart(cli, Number(process.argv[3] ?? 11))
  const ms = (s) => `${(s * 1000).toFixed(0)} ms`
  console.log(
    `${cli}: node -e 0 ${ms(r.node)}, --help ${ms(r.help)} (${r.helpRatio.toFixed(2)} ×), ` +
      `--version ${ms(r.version)} (${r.versionRatio.toFixed(2)} ×), median of ${r.runs}`
  )
}
