import { writeFile } from 'node:fs/promises'
import { writeJsonReport } from './report/json-stream.js'
import { fileSink } from './report-file.js'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { FAIL_ON, type FailOn } from './config/record-keys.js'
import { execute, FORMATS, mergeRun, RENDERERS, type EngineOptions, type Format } from './engine.js'
import { parseShard } from './report/merge.js'
import { createProgress, type ProgressPorts } from './report/progress.js'
import { parseRateLimits } from './dns/rate-cap.js'
import type { PoliteOptions } from './polite-options.js'
import type { QueryMeter } from './dns/types.js'
import { isUserError, UsageError } from './errors.js'
import { EXIT, exitCodeFor, type Report } from './report/report.js'
import { USAGE } from './usage.js'
import { TOOL } from './version.js'
import { parseDuration } from './wait.js'
import { FLEET_CONFIG_BYTES, isFleet } from './fleet-heap.js'

/** Where the CLI writes, and its clock; the real process or a test's. */
export interface CliIo {
  /** The environment (MAILTRAP_API_TOKEN). */
  env?: Record<string, string | undefined>
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Colour the text report (the real CLI: stdout is a TTY and NO_COLOR is unset). */
  color: boolean
  now?: () => Date
  sleep?: (ms: number) => Promise<void>
  /**
   * Standard error's clock, timer and kind, for the progress line of check and wait (a line
   * redrawn on a terminal, one final line elsewhere). Without it there is none.
   */
  progress?: Omit<ProgressPorts, 'asked'>
  /**
   * Called before check or wait runs a fleet: a zone directory, or a config file of
   * {@link FLEET_CONFIG_BYTES} or more. The real CLI tunes V8's heap for it (src/cli-main.ts);
   * a one-domain check never pays for loading what that takes.
   */
  fleet?: () => void | Promise<void>
}

export { FLEET_CONFIG_BYTES }

/** Run the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io)
  } catch (error) {
    if (isUserError(error)) {
      io.stderr(`${error.message}\n`)
      return EXIT.usage
    }
    io.stderr(
      `mailtrap-dns-verify: unexpected error: ${(error as Error)?.message ?? String(error)}\n`
    )
    return EXIT.usage
  }
}

const OPTIONS = {
  config: { type: 'string', default: 'domains.yaml' },
  resolver: { type: 'string', multiple: true, default: [] as string[] },
  authoritative: { type: 'string', multiple: true, default: [] as string[] },
  'authoritative-port': { type: 'string' },
  'zone-dir': { type: 'string' },
  domain: { type: 'string', multiple: true, default: [] as string[] },
  format: { type: 'string', default: 'text' },
  output: { type: 'string' },
  'fail-on': { type: 'string' },
  'query-timeout': { type: 'string' },
  tries: { type: 'string' },
  'max-in-flight': { type: 'string' },
  'rate-limit': { type: 'string', multiple: true, default: [] as string[] },
  'no-progress': { type: 'boolean', default: false },
  shard: { type: 'string' },
  'require-verified': { type: 'boolean', default: false },
  'until-verified': { type: 'boolean', default: false },
  create: { type: 'boolean', default: false },
  'mailtrap-interval': { type: 'string' },
  verbose: { type: 'boolean', default: false },
  deadline: { type: 'string' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
  'mailtrap-account': { type: 'string' },
  'mailtrap-url': { type: 'string' },
  'no-color': { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
  add: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false }
} satisfies ParseArgsConfig['options']

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS })
  } catch (error) {
    return usage(io, (error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(USAGE)
    return EXIT.pass
  }
  if (values.version) {
    io.stdout(`${TOOL.version}\n`)
    return EXIT.pass
  }
  const [command, ...extra] = positionals
  if (command === 'pull') {
    if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`)
    // Loaded for pull alone: it brings the Mailtrap client, which check loads only with a token.
    const { pullCommand } = await import('./pull.js')
    return pullCommand(
      {
        config: values.config,
        check: values.check,
        add: values.add,
        token: io.env?.MAILTRAP_API_TOKEN,
        baseUrl: values['mailtrap-url'],
        accountId: positiveInteger(values['mailtrap-account'], '--mailtrap-account')
      },
      io
    )
  }
  if (values.check || values.add) return usage(io, '--check and --add belong to pull')
  if (command !== 'check' && command !== 'wait' && command !== 'merge') {
    return usage(io, command ? `unknown command "${command}"` : 'no command given')
  }
  if (extra.length > 0 && command !== 'merge') return usage(io, `unexpected argument "${extra[0]}"`)
  if (
    command === 'check' &&
    (values['until-verified'] || values['mailtrap-interval'] !== undefined)
  ) {
    return usage(
      io,
      '--until-verified and --mailtrap-interval belong to wait; check takes --require-verified'
    )
  }
  if (command === 'check' && (values.timeout !== undefined || values.interval !== undefined)) {
    return usage(io, '--timeout and --interval belong to wait; check takes --query-timeout MS')
  }
  if (
    values['zone-dir'] !== undefined &&
    (values.resolver.length > 0 ||
      values.authoritative.length > 0 ||
      values['rate-limit'].length > 0)
  ) {
    return usage(
      io,
      '--zone-dir answers from zone files alone; it cannot be combined with --resolver, --authoritative or --rate-limit'
    )
  }
  if (!(FORMATS as readonly string[]).includes(values.format)) {
    return usage(io, `--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`)
  }
  if (
    values['fail-on'] !== undefined &&
    !(FAIL_ON as readonly string[]).includes(values['fail-on'])
  ) {
    return usage(io, `--fail-on must be one of ${FAIL_ON.join(', ')}, not "${values['fail-on']}"`)
  }
  if (command === 'merge') return merge(extra, values, io)

  const meter: QueryMeter = { asked: 0 }
  const progress =
    io.progress && !values['no-progress']
      ? createProgress({ ...io.progress, asked: () => meter.asked })
      : undefined
  // While the line is drawn, every other line on standard error clears it first.
  const stderr = progress ? (text: string) => progress.print(text) : io.stderr
  const options: EngineOptions & PoliteOptions = {
    config: values.config,
    resolvers: values.resolver,
    authoritative: values.authoritative,
    zoneDir: values['zone-dir'],
    domains: values.domain,
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    failOn: values['fail-on'] as FailOn | undefined,
    timeoutMs: positiveInteger(values['query-timeout'], '--query-timeout'),
    tries: positiveInteger(values.tries, '--tries'),
    maxInFlight: positiveInteger(values['max-in-flight'], '--max-in-flight'),
    rateLimits:
      values['rate-limit'].length > 0
        ? parseRateLimits(values['rate-limit'], '--rate-limit')
        : undefined,
    meter,
    onRound: progress ? (domains) => progress.round(domains) : undefined,
    onDomain: progress ? () => progress.domain() : undefined,
    authoritativePort: positiveInteger(values['authoritative-port'], '--authoritative-port'),
    mailtrap: mailtrapOptions(
      io.env?.MAILTRAP_API_TOKEN,
      values['mailtrap-url'],
      values['mailtrap-account']
    ),
    requireVerified: values['require-verified'] || values['until-verified'],
    create: values.create,
    mailtrapIntervalMs:
      values['mailtrap-interval'] === undefined
        ? undefined
        : duration(values['mailtrap-interval'], '--mailtrap-interval'),
    debug: values.verbose ? (line) => stderr(`${line}\n`) : undefined,
    deadlineMs: values.deadline === undefined ? undefined : duration(values.deadline, '--deadline')
  }
  // check --format json: written domain by domain as the check runs, never held whole.
  const streamed = command === 'check' && values.format === 'json'
  const file = streamed && values.output ? fileSink(values.output) : undefined
  let wroteStdout = false
  const stdout = (chunk: string): void => {
    wroteStdout = true
    io.stdout(chunk)
  }
  if (io.fleet && isFleet(values.config, values['zone-dir'])) await io.fleet()
  let outcome
  try {
    outcome = await execute(
      {
        ...options,
        jsonSink: streamed ? (file?.sink ?? stdout) : undefined,
        command,
        wait: {
          timeoutMs:
            values.timeout === undefined ? undefined : duration(values.timeout, '--timeout'),
          intervalMs:
            values.interval === undefined ? undefined : duration(values.interval, '--interval')
        }
      },
      {
        now: io.now ?? (() => new Date()),
        // A plain timer: node:timers/promises would be loaded at start-up for wait alone.
        sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        progress: (line) => stderr(`${line}\n`)
      }
    )
  } catch (error) {
    // A failed run leaves no half-drawn line above its error message, and no report cut short.
    progress?.stop()
    await file?.abort()
    if (wroteStdout)
      io.stderr('mailtrap-dns-verify: the JSON report is incomplete: the run stopped\n')
    throw error
  }
  progress?.finish(outcome.report.summary)
  if (file) {
    await file.close()
    io.stderr(`report written to ${values.output}\n`)
  } else if (!streamed) await emit(outcome.report, values, io)
  return outcome.exitCode
}

type Values = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
>['values']

/** Write the report in the format asked for, to the file or standard output. */
async function emit(report: Report, values: Values, io: CliIo): Promise<void> {
  const cannot = (error: NodeJS.ErrnoException): never => {
    throw new UsageError(
      `cannot write the report to ${values.output}: ${error.code ?? error.message}`
    )
  }
  if (values.format === 'json') {
    // Streamed domain by domain: a fleet's report is never one string in memory.
    if (!values.output) return writeJsonReport(report, io.stdout)
    // The one way a report file is written: beside its path, renamed into place whole.
    const file = fileSink(values.output)
    await writeJsonReport(report, file.sink).catch(async (error: unknown) => {
      await file.abort()
      throw error
    })
    await file.close()
    io.stderr(`report written to ${values.output}\n`)
    return
  }
  const rendered = await RENDERERS[values.format as Format](report, {
    color: io.color && !values['no-color'] && !values.output
  })
  if (values.output) {
    await writeFile(values.output, rendered).catch(cannot)
    io.stderr(`report written to ${values.output}\n`)
  } else {
    io.stdout(rendered)
  }
}

/** `merge REPORT...`: one report from the shards' reports, and its exit code. */
async function merge(files: string[], values: Values, io: CliIo): Promise<number> {
  if (files.length === 0) return usage(io, 'merge needs the JSON reports to merge')
  const { report, exitCode } = await mergeRun(files)
  const failOn = values['fail-on'] as FailOn | undefined
  await emit(report, values, io)
  return failOn ? exitCodeFor(report, failOn) : exitCode
}

function mailtrapOptions(
  token: string | undefined,
  baseUrl: string | undefined,
  account: string | undefined
): EngineOptions['mailtrap'] {
  if (!token) {
    if (account !== undefined || baseUrl !== undefined) {
      throw new UsageError(
        '--mailtrap-account and --mailtrap-url need MAILTRAP_API_TOKEN in the environment'
      )
    }
    return undefined
  }
  return { token, baseUrl, accountId: positiveInteger(account, '--mailtrap-account') }
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`${flag} must be a whole number above 0, not "${text}"`)
  }
  return value
}

function duration(text: string, flag: string): number {
  let ms: number
  try {
    ms = parseDuration(text)
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`)
  }
  if (ms <= 0) throw new UsageError(`${flag} must be longer than 0, not "${text}"`)
  return ms
}

function usage(io: CliIo, message: string): number {
  io.stderr(`mailtrap-dns-verify: ${message}\n\n${USAGE}`)
  return EXIT.usage
}
