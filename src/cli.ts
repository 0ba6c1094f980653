import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { FAIL_ON, type FailOn } from './config/schema.js'
import { isUserError, runEngine } from './engine.js'
import { renderMarkdown } from './report/markdown.js'
import { EXIT, exitCodeFor, type Report } from './report/report.js'
import { renderJson, renderText } from './report/text.js'
import { TOOL } from './version.js'

/** Where the CLI writes; the real process or a test's buffers. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Colour the text report (the real CLI: stdout is a TTY and NO_COLOR is unset). */
  color: boolean
}

export const USAGE = `Usage: mailtrap-dns-verify check [options]

Check that every sending domain in domains.yaml has the DNS records Mailtrap expects.

Options:
  --config FILE              domains.yaml to read (default: domains.yaml)
  --resolver NAME=ADDR[:PORT] ask this DNS server; repeatable; replaces the configured set.
                             Presets: cloudflare, google, quad9, opendns, system
  --authoritative ADDR[:PORT] also ask this authoritative server, with recursion off; repeatable
  --zone-dir DIR             answer from BIND zone files DIR/<zone>.zone, no network
  --domain NAME              check only this domain; repeatable
  --format text|json|markdown  report format (default: text)
  --output FILE              write the report to FILE instead of standard output
  --fail-on error|warning|never  exit 1 when a finding is this severe (default: error)
  --timeout MS               per-query timeout in milliseconds (default: 2000)
  --no-color                 no colour in the text report
  -h, --help                 show this help
  -v, --version              show the version

Exit codes: 0 pass, 1 findings at or above --fail-on, 2 usage or config error, 3 inconclusive.
`

const FORMATS = ['text', 'json', 'markdown'] as const
type Format = (typeof FORMATS)[number]

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

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', default: 'domains.yaml' },
        resolver: { type: 'string', multiple: true, default: [] },
        authoritative: { type: 'string', multiple: true, default: [] },
        'zone-dir': { type: 'string' },
        domain: { type: 'string', multiple: true, default: [] },
        format: { type: 'string', default: 'text' },
        output: { type: 'string' },
        'fail-on': { type: 'string' },
        timeout: { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false }
      }
    })
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
  if (command !== 'check') {
    return usage(io, command ? `unknown command "${command}"` : 'no command given')
  }
  if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`)
  if (!(FORMATS as readonly string[]).includes(values.format)) {
    return usage(io, `--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`)
  }
  if (
    values['fail-on'] !== undefined &&
    !(FAIL_ON as readonly string[]).includes(values['fail-on'])
  ) {
    return usage(io, `--fail-on must be one of ${FAIL_ON.join(', ')}, not "${values['fail-on']}"`)
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout)
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    return usage(io, `--timeout must be a whole number of milliseconds, not "${values.timeout}"`)
  }

  const { report, failOn } = await runEngine({
    config: values.config,
    resolvers: values.resolver,
    authoritative: values.authoritative,
    zoneDir: values['zone-dir'],
    domains: values.domain,
    failOn: values['fail-on'] as FailOn | undefined,
    timeoutMs
  })
  const rendered = render(
    report,
    values.format as Format,
    io.color && !values['no-color'] && !values.output
  )
  if (values.output) {
    await writeFile(values.output, rendered)
    io.stderr(`report written to ${values.output}\n`)
  } else {
    io.stdout(rendered)
  }
  return exitCodeFor(report, failOn)
}

function render(report: Report, format: Format, color: boolean): string {
  if (format === 'json') return renderJson(report)
  if (format === 'markdown') return renderMarkdown(report)
  return renderText(report, { color })
}

function usage(io: CliIo, message: string): number {
  io.stderr(`mailtrap-dns-verify: ${message}\n\n${USAGE}`)
  return EXIT.usage
}
