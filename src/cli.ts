import { writeFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { FAIL_ON, type FailOn } from './config/schema.js'
import { execute, FORMATS, mergeRun, RENDERERS, type EngineOptions, type Format } from './engine.js'
import { parseShard } from './report/merge.js'
import { pullCommand } from './pull.js'
import { isUserError, UsageError } from './errors.js'
import { EXIT, exitCodeFor, type Report } from './report/report.js'
import { TOOL } from './version.js'
import { parseDuration } from './wait.js'

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
}

export const USAGE = `Usage: mailtrap-dns-verify check [options]
       mailtrap-dns-verify wait [options] [--timeout DURATION] [--interval DURATION]
       mailtrap-dns-verify merge REPORT.json... [--format F] [--output FILE] [--fail-on T]
       mailtrap-dns-verify pull [--config FILE] [--check] [--add]

check: check that every sending domain in domains.yaml has the DNS records Mailtrap expects.
wait:  check again and again until every domain passes or the time is up (release gates).
merge: one report from the JSON reports of sharded runs (--shard k/n), as if one run had
       checked every domain; REPORT may be a file, a directory or a pattern like dir/*.json.
pull:  write what Mailtrap's API knows into domains.yaml (verification host, tracking, records
       that differ from the defaults), keeping its comments and layout; needs MAILTRAP_API_TOKEN.

Options:
  --config FILE                 domains.yaml to read (default: domains.yaml)
  --resolver NAME=ADDR[:PORT]   ask this DNS server; repeatable; replaces the configured set.
  --resolver NAME=https://URL   ... or this DNS-over-HTTPS endpoint (RFC 8484).
                                Presets: cloudflare, google, quad9, opendns, cloudflare-doh,
                                google-doh, system, authoritative (the zone's own servers)
  --authoritative ADDR[:PORT]   ask this authoritative server (recursion off) instead of
                                discovering the zone's servers; repeatable
  --authoritative-port PORT     port to ask discovered authoritative servers on (default 53)
  --zone-dir DIR                answer from BIND zone files DIR/<zone>.zone, no network
  --domain NAME                 check only this domain; repeatable
  --shard K/N                   check only slice K of N (by a hash of each name), for a matrix
  --format text|json|markdown   report format (default: text)
  --output FILE                 write the report to FILE instead of standard output
  --fail-on error|warning|never exit 1 when a finding is this severe (default: the config's
                                defaults.fail-on, else error)
  --query-timeout MS            per-query timeout in milliseconds (default: 2000)
  --tries N                     tries per query (default: 2)
  --max-in-flight N             queries in flight per resolver at most (default: 64)
  --mailtrap-account ID         with MAILTRAP_API_TOKEN set: the Mailtrap account to read
                                (needed when the token reaches several)
  --mailtrap-url URL            Mailtrap's API (default https://mailtrap.io)
  --require-verified            release gate: exit 1 unless Mailtrap has verified the DNS of
                                every domain and it is compliant (exit 3 if the API is down)
  --create                      add the domains the Mailtrap account lacks (opt-in), and list
                                the records to publish; create: true in domains.yaml does it
                                for one domain
  --verbose                     say which Mailtrap API paths are used, and every retry
  --no-color                    no colour in the text report
  -h, --help                    show this help
  -v, --version                 show the version

With MAILTRAP_API_TOKEN in the environment, the expected records come from Mailtrap's API
and Mailtrap's own status of each domain and record is checked too.

wait only:
  --until-verified              wait until Mailtrap has verified every domain too (implies
                                --require-verified)
  --mailtrap-interval DURATION  ask Mailtrap again no more often than this (default: 5m)
  --timeout DURATION            give up after this long (default: 10m; e.g. 40s, 5m, 1h)
  --interval DURATION           first pause between rounds (default: 30s); pauses grow by half
                                each round to at most 5m, never shorter than asked

pull only:
  --check                       write nothing; exit 1 with a diff when the file is not current
  --add                         also append the domains Mailtrap has that the file lacks

Exit codes: 0 pass, 1 findings at or above --fail-on (wait: still failing or propagating at
the deadline), 2 usage or config error, 3 inconclusive.
`

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
  shard: { type: 'string' },
  'require-verified': { type: 'boolean', default: false },
  'until-verified': { type: 'boolean', default: false },
  create: { type: 'boolean', default: false },
  'mailtrap-interval': { type: 'string' },
  verbose: { type: 'boolean', default: false },
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
    (values.resolver.length > 0 || values.authoritative.length > 0)
  ) {
    return usage(
      io,
      '--zone-dir answers from zone files alone; it cannot be combined with --resolver or --authoritative'
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

  const options: EngineOptions = {
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
    debug: values.verbose ? (line) => io.stderr(`${line}\n`) : undefined
  }
  const outcome = await execute(
    {
      ...options,
      command,
      wait: {
        timeoutMs: values.timeout === undefined ? undefined : duration(values.timeout, '--timeout'),
        intervalMs:
          values.interval === undefined ? undefined : duration(values.interval, '--interval')
      }
    },
    {
      now: io.now ?? (() => new Date()),
      sleep: io.sleep ?? ((ms) => sleep(ms)),
      progress: (line) => io.stderr(`${line}\n`)
    }
  )
  await emit(outcome.report, values, io)
  return outcome.exitCode
}

type Values = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
>['values']

/** Write the report in the format asked for, to the file or standard output. */
async function emit(report: Report, values: Values, io: CliIo): Promise<void> {
  const rendered = RENDERERS[values.format as Format](report, {
    color: io.color && !values['no-color'] && !values.output
  })
  if (values.output) {
    await writeFile(values.output, rendered).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        `cannot write the report to ${values.output}: ${error.code ?? error.message}`
      )
    })
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
