import { writeFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { FAIL_ON, type FailOn } from './config/schema.js'
import { execute, FORMATS, RENDERERS, type EngineOptions, type Format } from './engine.js'
import { isUserError, UsageError } from './errors.js'
import { EXIT } from './report/report.js'
import { USAGE } from './usage.js'
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
  timeout: { type: 'string' },
  interval: { type: 'string' },
  'mailtrap-account': { type: 'string' },
  'mailtrap-url': { type: 'string' },
  'no-color': { type: 'boolean', default: false },
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
  if (command !== 'check' && command !== 'wait') {
    return usage(io, command ? `unknown command "${command}"` : 'no command given')
  }
  if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`)
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

  const options: EngineOptions = {
    config: values.config,
    resolvers: values.resolver,
    authoritative: values.authoritative,
    zoneDir: values['zone-dir'],
    domains: values.domain,
    failOn: values['fail-on'] as FailOn | undefined,
    timeoutMs: positiveInteger(values['query-timeout'], '--query-timeout'),
    tries: positiveInteger(values.tries, '--tries'),
    maxInFlight: positiveInteger(values['max-in-flight'], '--max-in-flight'),
    authoritativePort: positiveInteger(values['authoritative-port'], '--authoritative-port'),
    mailtrap: mailtrapOptions(
      io.env?.MAILTRAP_API_TOKEN,
      values['mailtrap-url'],
      values['mailtrap-account']
    )
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
  const rendered = RENDERERS[values.format as Format](outcome.report, {
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
  return outcome.exitCode
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
