// Runs one command as a child process and measures it: wall time from spawn to exit (start-up
// included), peak resident memory and CPU time. Peak memory and CPU come from GNU time
// (`/usr/bin/time -f '%M %U %S'`: the maximum resident set of the command, the same figure as
// `time -v`'s "Maximum resident set size", and its user and system seconds), written to a file so
// the command's own stderr stays its own. Without GNU time, the child's resident set is polled
// from /proc every 20 ms, which can miss a short peak, and its CPU time is not known.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const GNU_TIME = '/usr/bin/time'

/** Children still running: killed if the benchmark exits (its deadline) before they end. */
const running = new Set()
process.once('exit', () => {
  for (const child of running) killGroup(child)
})

/** SIGKILL to the child's process group: GNU time and the command it runs, together. */
function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** How peak memory is measured, for the report. */
export const RSS_METHOD = existsSync(GNU_TIME)
  ? 'GNU time (`/usr/bin/time -f "%M %U %S"`: the maximum resident set of the process)'
  : 'polling /proc/PID/status VmHWM every 20 ms'

/**
 * Runs `command args` (in `cwd`, with `env`, else this process's); resolves to `{ seconds, rssMiB, cpuSeconds, code, stdout, stderr }`
 * (`cpuSeconds` user plus system, NaN without GNU time). Killed with
 * SIGKILL after `timeoutMs` (then `code` is null and `timedOut` true), so a run always ends.
 */
export async function measure(command, args, { timeoutMs = 600_000, cwd, env } = {}) {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-time-'))
  const timeFile = join(scratch, 'time')
  const useTime = existsSync(GNU_TIME)
  const [file, argv] = useTime
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]]
    : [command, args]
  const start = process.hrtime.bigint()
  const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  running.add(child)
  child.once('close', () => running.delete(child))
  const out = []
  const err = []
  child.stdout.on('data', (c) => out.push(c))
  child.stderr.on('data', (c) => err.push(c))
  let polledKiB = 0
  const poll = useTime
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8')
          .then((status) => {
            const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
            polledKiB = Math.max(polledKiB, hwm)
          })
          .catch(() => {})
      }, 20)
  let timedOut = false
  const killer = setTimeout(() => {
    timedOut = true
    killGroup(child)
  }, timeoutMs)
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (status) => resolve(status))
  })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  clearTimeout(killer)
  if (poll) clearInterval(poll)
  let rssKiB = polledKiB
  let cpuSeconds = NaN
  if (useTime) {
    const text = await readFile(timeFile, 'utf8').catch(() => '')
    // GNU time writes "Command exited with non-zero status N" before the figures.
    const [rss, user, system] = (text.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
    rssKiB = rss
    cpuSeconds = user + system
  }
  await rm(scratch, { recursive: true, force: true })
  return {
    seconds,
    rssMiB: rssKiB > 0 ? rssKiB / 1024 : NaN,
    cpuSeconds,
    code,
    timedOut,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8')
  }
}

/** The highest of some numbers, leaving out those a run could not read (NaN unless one was read). */
export function peak(values) {
  const read = values.filter((v) => !Number.isNaN(v))
  return read.length ? Math.max(...read) : NaN
}

/** The median of some numbers. */
export function median(values) {
  // A figure some runs could not read (NaN) is the median of the runs that read it.
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
