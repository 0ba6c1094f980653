import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The project root: the bundles run from here, as a runner runs them from the workspace. */
export const root = new URL('../..', import.meta.url).pathname

/** What one run of a bundle left behind: exit code, log, and the runner's command files. */
export interface BundleRun {
  code: number
  stdout: string
  stderr: string
  summary: string
  outputs: Record<string, string>
  /** Wall time of the run, in milliseconds. */
  ms: number
}

/** Parse a GITHUB_OUTPUT file: `name<<DELIM\nvalue\nDELIM` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of text.matchAll(re)) outputs[m[1]!] = m[3]!
  return outputs
}

interface WebhookDefinition {
  name: string
  examples: Record<string, unknown>[]
}

const definitions = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-examples'), 'utf8')
) as WebhookDefinition[]

/** A real payload GitHub sends, as @octokit/webhooks-examples ships it (a deep copy). */
export function webhookExample(name: string, index = 0): Record<string, unknown> {
  const examples = definitions.find((d) => d.name === name)?.examples
  if (!examples?.[index]) throw new Error(`no example ${index} of ${name} in webhooks-examples`)
  return structuredClone(examples[index]!)
}

/** The event a run is for: its name and payload, as GITHUB_EVENT_NAME and GITHUB_EVENT_PATH. */
export interface RunnerEvent {
  name: string
  payload: Record<string, unknown>
  repository: string
  /** The fake GitHub's URL, as GITHUB_API_URL. */
  apiUrl?: string
  sha?: string
}

/** The runner's environment for an event: event file, repository, run id, API URL. */
export async function eventEnv(event: RunnerEvent): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'event-'))
  const path = join(dir, 'event.json')
  await writeFile(path, JSON.stringify(event.payload))
  return {
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: event.repository,
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: event.sha ?? 'feedface00000000000000000000000000000000',
    ...(event.apiUrl ? { GITHUB_API_URL: event.apiUrl } : {})
  }
}

/**
 * Run the built action (dist/index.js) the way a runner does: inputs as INPUT_* variables,
 * outputs and summary through command files, nothing else inherited from this process but PATH.
 * `timeoutMs` kills a run that hangs, so a hang fails the test instead of stalling it.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  options: { timeoutMs?: number; cwd?: string } = {}
): Promise<BundleRun> {
  const dir = await mkdtemp(join(tmpdir(), 'runner-'))
  const summaryFile = join(dir, 'summary.md')
  const outputFile = join(dir, 'output.txt')
  await writeFile(summaryFile, '')
  await writeFile(outputFile, '')
  const full: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: options.cwd ?? root,
    ...env
  }
  for (const [name, value] of Object.entries(inputs)) {
    full[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const result = await spawnNode(
    [join(root, 'dist/index.js')],
    full,
    options.timeoutMs ?? 120_000,
    options.cwd
  )
  return {
    ...result,
    summary: await readFile(summaryFile, 'utf8'),
    outputs: parseOutputs(await readFile(outputFile, 'utf8'))
  }
}

/** Run the built CLI (dist/cli.js) as a user would. */
export async function runCli(
  args: string[],
  options: { timeoutMs?: number } = {}
): Promise<Omit<BundleRun, 'summary' | 'outputs'>> {
  return spawnNode(
    [join(root, 'dist/cli.js'), ...args],
    { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    options.timeoutMs ?? 120_000,
    root
  )
}

function spawnNode(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  cwd = root
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; killed?: boolean }) | null
        const code = !e ? 0 : e.killed ? -1 : typeof e.code === 'number' ? e.code : -2
        resolve({ code, stdout, stderr, ms: Date.now() - started })
      }
    )
  })
}

/** The lines of a log that carry `secret` in any case: only its `::add-mask::` line may. */
export function linesWith(text: string, secret: string): string[] {
  const wanted = secret.toLowerCase()
  return text.split('\n').filter((line) => line.toLowerCase().includes(wanted))
}

/** Make a directory (and its parents) and return its path. */
export async function dirAt(...parts: string[]): Promise<string> {
  const path = join(...parts)
  await mkdir(path, { recursive: true })
  return path
}
