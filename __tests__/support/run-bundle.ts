/**
 * Runs the built CLI (dist/cli.js) from outside, as a user would, and reports its exit code,
 * output, wall time and peak memory. The peak resident set size comes from the child itself: a
 * preloaded module writes `process.resourceUsage().maxRSS` to a file when the process exits.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The project root. */
export const root = new URL('../..', import.meta.url).pathname

/** What one run of the CLI left behind. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
  /** Wall time, in milliseconds. */
  ms: number
  /** Peak resident set size of the CLI process, in bytes. */
  maxRssBytes: number
}

/** Options for {@link runCli}. */
export interface RunCliOptions {
  /** Added to a minimal environment (PATH, NO_COLOR). */
  env?: Record<string, string>
  /** Working directory. Default: the project root. */
  cwd?: string
  /** Killed after this long (then `code` is the signal's). Default 50 s. */
  timeoutMs?: number
}

// Preloaded into the child: on exit, write its peak RSS (KiB) where the environment says.
const RSS_HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('exit', () => { const f = process.env.RELIABILITY_RSS_FILE;" +
      ' if (f) writeFileSync(f, String(process.resourceUsage().maxRSS)) })'
  )

/** Runs `node [nodeArgs] dist/cli.js args`; never rejects on a non-zero exit. */
export async function runCli(
  args: string[],
  options: RunCliOptions = {},
  nodeArgs: string[] = []
): Promise<CliRun> {
  const scratch = await mkdtemp(join(tmpdir(), 'reliability-rss-'))
  const rssFile = join(scratch, 'rss')
  const started = Date.now()
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [...nodeArgs, '--import', RSS_HOOK, join(root, 'dist/cli.js'), ...args],
      {
        cwd: options.cwd ?? root,
        env: {
          PATH: process.env.PATH ?? '',
          NO_COLOR: '1',
          RELIABILITY_RSS_FILE: rssFile,
          ...options.env
        },
        timeout: options.timeoutMs ?? 50_000,
        maxBuffer: 64 * 1024 * 1024
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        done({ code, stdout, stderr })
      }
    )
  })
  const ms = Date.now() - started
  const kib = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'))
  await rm(scratch, { recursive: true, force: true })
  return { ...result, ms, maxRssBytes: kib * 1024 }
}
