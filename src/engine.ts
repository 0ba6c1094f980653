import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { check } from './check.js'
import type { MailtrapPort } from './check-mailtrap.js'
import { UsageError } from './errors.js'
import { printable } from './text/printable.js'
import type { Config } from './config/load-config.js'
import { loadConfigLazy } from './config/load-config-lazy.js'
import type { FailOn } from './config/schema.js'
import { buildResolvers, closeFleet } from './dns/resolvers.js'
import { toAsciiName } from './names/dns-names.js'
import { EXIT, exitCodeFor, verifiedAll, type DomainReport, type Report } from './report/report.js'
import type { MailtrapView } from './mailtrap-view.js'
import { MAX_DURATION_MS, waitUntilSettled } from './wait.js'
import { mergeReports, type Shard } from './report/merge.js'
import { JsonReportWriter, type JsonSink } from './report/json-stream.js'
import type { PoliteOptions } from './polite-options.js'

/** Everything the CLI and the action both ask for, already parsed from flags or inputs. */
export interface EngineOptions extends PoliteOptions {
  config: string
  /** Check only this slice of the domains (`--shard k/n`). */
  shard?: Shard
  resolvers: string[]
  authoritative: string[]
  zoneDir?: string
  domains: string[]
  failOn?: FailOn
  /** Per-query timeout and tries, per resolver. */
  timeoutMs?: number
  tries?: number
  /** Queries in flight per resolver at most. */
  maxInFlight?: number
  /** Port to ask discovered authoritative servers on. */
  authoritativePort?: number
  /** Ask Mailtrap's API for the expected records and its own status (token never printed). */
  mailtrap?: { token: string; baseUrl?: string; accountId?: number }
  /** The release gate: exit 1 unless every domain is DNS-verified and compliant in Mailtrap. */
  requireVerified?: boolean
  /** Add the domains the Mailtrap account lacks (opt-in). */
  create?: boolean
  /** False where nothing may be created, whatever the config says (pull request events). */
  createAllowed?: boolean
  /** wait: ask Mailtrap again no more often than this (ms); default 5 minutes. */
  mailtrapIntervalMs?: number
  /**
   * The longest one round may take (ms): then every question still open is given up on as
   * unknown, so no server can hold a check longer. Default: sized to the fleet.
   */
  deadlineMs?: number
  /**
   * `check` only: the JSON report is written here domain by domain as the check runs, so a
   * fleet's report is never held whole (the outcome's report then keeps plain passing domains
   * without what each resolver answered). Not ended: the caller closes what it opened.
   */
  jsonSink?: JsonSink
  /** Told of each domain as its check ends, in every round (progress lines). */
  onDomain?: (report: DomainReport) => void
  /** Where the Mailtrap client's debug lines go (the path family chosen, retries). */
  debug?: (line: string) => void
}

export interface EngineResult {
  config: Config
  report: Report
  failOn: FailOn
}

/** Read and validate the config file named in the options. */
export async function readConfig(options: EngineOptions): Promise<Config> {
  const text = await readConfigFile(options.config)
  const config = await loadConfigLazy(text, options.config)
  // Loaded here, not at start-up: a one-domain run or --help need no crypto until now.
  const { createHash } = await import('node:crypto')
  digests.set(config, createHash('sha256').update(text).digest('hex'))
  return config
}

/** The digest of each config's text, for reports that shards merge. */
const digests = new WeakMap<Config, string>()

/**
 * One round: build the resolvers afresh (so every question is asked again), check every
 * domain, close every socket.
 */
export async function checkOnce(
  config: Config,
  options: EngineOptions,
  now: () => Date = () => new Date(),
  mailtrap?: MailtrapPort
): Promise<EngineResult> {
  const fleet = await buildResolvers({
    cli: options.resolvers,
    config: config.resolvers,
    authoritative: options.authoritative,
    zoneDir: options.zoneDir,
    timeoutMs: options.timeoutMs,
    tries: options.tries,
    maxInFlight: options.maxInFlight,
    authoritativePort: options.authoritativePort,
    rateLimits: options.rateLimits,
    meter: options.meter
  })
  if (fleet.zoneFiles) {
    const zoneFiles = fleet.zoneFiles
    const selected = options.domains.length > 0 ? options.domains.map(toAsciiName) : undefined
    const missing = config.domains.filter(
      (d) => (!selected || selected.includes(d.name)) && !zoneFiles.holds(d.name)
    )
    if (missing.length > 0) {
      await closeFleet(fleet)
      // Loaded only here: the zone-file parser is in the chunk of --zone-dir's loader.
      const { ZoneFileError } = await import('./dns/zone-file.js')
      throw new ZoneFileError(
        options.zoneDir!,
        0,
        missing
          .map(
            (d) =>
              `no zone file holds ${d.name} (${config.file}:${d.line}): add ${options.zoneDir}/${d.zone}.zone`
          )
          .join('; ')
      )
    }
  }
  // At the deadline every resolver is closed: what is still open settles as unknown at once.
  let late = false
  const deadline = setTimeout(
    () => {
      late = true
      void closeFleet(fleet)
    },
    Math.min(options.deadlineMs ?? defaultDeadline(config), MAX_DURATION_MS)
  )
  deadline.unref()
  const stream = options.jsonSink ? new JsonReportWriter(options.jsonSink) : undefined
  try {
    const report = await check(
      config,
      { ...fleet, mailtrap, now, zoneWarnings: fleet.zoneFiles?.warnings },
      {
        stream,
        domains: options.domains,
        shard: options.shard,
        requireVerified: options.requireVerified,
        create: options.create,
        createAllowed: options.createAllowed,
        onDomain: options.onDomain,
        onRound: options.onRound
      }
    )
    const failOn = options.failOn ?? config.failOn ?? 'error'
    const digest = digests.get(config)
    const whole: Report = {
      ...report,
      ...(digest ? { configDigest: digest } : {}),
      failOn,
      ...(late ? { deadlinePassed: true } : {})
    }
    await stream?.end(whole)
    return { config, report: whole, failOn }
  } finally {
    clearTimeout(deadline)
    await closeFleet(fleet)
  }
}

/** A round's deadline when none is given: a minute, and a quarter of a second per domain. */
export function defaultDeadline(config: Config): number {
  return 60_000 + 250 * config.domains.length
}

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : (error as Error).message
    throw new UsageError(`cannot read config ${path}: ${why}`)
  }
}

/**
 * The report formats, each with its one renderer: every output goes through this map. Each is
 * loaded when asked for: `check --format json` streams its report and renders none.
 */
export const RENDERERS = {
  text: async (report: Report, options: { color: boolean }) =>
    (await import('./report/text.js')).renderText(report, options),
  json: async (report: Report) => (await import('./report/text.js')).renderJson(report),
  markdown: async (report: Report) => (await import('./report/markdown.js')).renderMarkdown(report)
} as const satisfies Record<
  string,
  (report: Report, options: { color: boolean }) => Promise<string>
>

export type Format = keyof typeof RENDERERS
export const FORMATS = Object.keys(RENDERERS) as Format[]

/** How long `wait` waits and how often it looks, unless told otherwise. */
export const WAIT_DEFAULTS = { timeoutMs: 10 * 60_000, intervalMs: 30_000 }

/** A whole run, as the CLI and the action both ask for it. */
export interface RunRequest extends EngineOptions {
  /** `check` looks once; `wait` looks again and again until settled or the time is up. */
  command: 'check' | 'wait'
  /** wait: give up after `timeoutMs`; first pause between rounds `intervalMs` (defaults above). */
  wait?: { timeoutMs?: number; intervalMs?: number }
}

/** The clock, the pause and where progress lines go: the real ones, or a test's. */
export interface RunPorts {
  now: () => Date
  sleep: (ms: number) => Promise<void>
  progress: (line: string) => void
}

export interface RunOutcome extends EngineResult {
  exitCode: number
  /** With the release gate: every domain DNS-verified and compliant (undefined: not known). */
  verified?: boolean
}

/**
 * The one run path of the CLI and the action: read the config, check once or wait until
 * settled, and decide the exit code. Defaults are decided here, not by the callers.
 */
export async function execute(request: RunRequest, ports: RunPorts): Promise<RunOutcome> {
  // Progress lines name domains and resolvers: shown only through the one filter.
  const say = ports.progress
  ports = { ...ports, progress: (line) => say(printable(line)) }
  const config = await readConfig(request)
  const failOn = request.failOn ?? config.failOn ?? 'error'
  if (request.requireVerified && !request.mailtrap) {
    throw new UsageError(
      'the verified gate needs Mailtrap: set MAILTRAP_API_TOKEN (input mailtrap-token)'
    )
  }
  // Loaded only with a token: a check of DNS alone never reads Mailtrap.
  const view = request.mailtrap
    ? (await import('./mailtrap-view.js')).createMailtrapView(
        { ...request.mailtrap, debug: request.debug },
        { now: ports.now, intervalMs: request.mailtrapIntervalMs }
      )
    : undefined
  // Mailtrap's options are checked before anything is asked, as the client is loaded.
  await view?.ready()
  try {
    return await rounds(config, request, failOn, ports, view)
  } finally {
    await view?.close()
  }
}

async function rounds(
  config: Config,
  request: RunRequest,
  failOn: FailOn,
  ports: RunPorts,
  view: MailtrapView | undefined
): Promise<RunOutcome> {
  // The release gate stands whatever --fail-on says: not verified is 1, not known is 3.
  const gated = (
    result: EngineResult,
    exitCode = exitCodeFor(result.report, failOn)
  ): RunOutcome => {
    if (!request.requireVerified) return { ...result, exitCode }
    const verified = verifiedAll(result.report)
    if (verified === false) return { ...result, exitCode: EXIT.findings, verified }
    if (verified === undefined && exitCode === EXIT.pass)
      return { ...result, exitCode: EXIT.inconclusive, verified: false }
    return { ...result, exitCode, verified: verified === true }
  }
  const round = async () => {
    // Only a single round's report can be written as it goes: wait keeps its last round's.
    const jsonSink = request.command === 'check' ? request.jsonSink : undefined
    const result = await checkOnce(config, { ...request, failOn, jsonSink }, ports.now, view?.port)
    if (request.command === 'wait' && request.requireVerified) {
      ports.progress(mailtrapProgress(result.report, view?.readAt()))
    }
    return result
  }
  if (request.command === 'check') return gated(await round())
  const waited = await waitUntilSettled(
    round,
    {
      timeoutMs: request.wait?.timeoutMs ?? WAIT_DEFAULTS.timeoutMs,
      intervalMs: request.wait?.intervalMs ?? WAIT_DEFAULTS.intervalMs,
      // --until-verified waits for Mailtrap's word too, whatever --fail-on lets pass.
      ...(request.requireVerified
        ? {
            until: {
              done: (report: Report) => verifiedAll(report) === true,
              says: 'Mailtrap has verified every domain and finds it compliant'
            }
          }
        : {})
    },
    { now: () => ports.now().getTime(), sleep: ports.sleep, progress: ports.progress }
  )
  return gated({ config, report: waited.report, failOn }, waited.exitCode)
}

/** What `wait --until-verified` is waiting for on Mailtrap's side, in one line. */
function mailtrapProgress(report: Report, readAt: Date | undefined): string {
  const dnsRight = report.domains.every((d) =>
    d.records.every((r) => !r.checked || r.status === 'pass' || r.status === 'warn')
  )
  const waiting = report.domains.filter((d) => {
    const m = d.mailtrap
    return (
      !m || 'error' in m || 'found' in m || !m.dnsVerified || m.complianceStatus !== 'compliant'
    )
  })
  if (waiting.length === 0) return 'Mailtrap: every domain is verified and compliant'
  const at = readAt ? `${readAt.toISOString().slice(11, 16)} UTC` : 'not yet'
  const dns = dnsRight ? 'DNS is right everywhere' : 'DNS is not right everywhere yet'
  return `${dns}; Mailtrap last read ${at}; ${waiting.length} domain(s) not verified and compliant (${waiting
    .slice(0, 5)
    .map((d) => d.domain)
    .join(
      ', '
    )}${waiting.length > 5 ? ', …' : ''}). Mailtrap re-checks about hourly: press "Re-check DNS Records" in Sending Domains to hurry it.`
}

/**
 * The files a list of report arguments names: files, directories (their `*.json`), and names
 * with `*` in the last part (`reports/shard-*.json`), as `actions/download-artifact` leaves them.
 */
export async function reportFiles(patterns: string[]): Promise<string[]> {
  const files: string[] = []
  for (const pattern of patterns) {
    const name = basename(pattern)
    if (name.includes('*')) {
      const dir = dirname(pattern)
      const re = new RegExp(
        `^${name
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`
      )
      const entries = await readdir(dir).catch(() => [] as string[])
      files.push(
        ...entries
          .filter((e) => re.test(e))
          .sort()
          .map((e) => join(dir, e))
      )
      continue
    }
    const info = await stat(pattern).catch(() => undefined)
    if (info?.isDirectory()) {
      const entries = (await readdir(pattern)).filter((e) => e.endsWith('.json')).sort()
      files.push(...entries.map((e) => join(pattern, e)))
    } else {
      files.push(pattern)
    }
  }
  if (files.length === 0) throw new UsageError(`no report matches ${patterns.join(', ')}`)
  return files
}

/** Read a JSON report written by an earlier run (`--format json`, the action's `report`). */
export async function readReport(file: string): Promise<Report> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new UsageError(
      `cannot read report ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`
    )
  }
  try {
    const report = JSON.parse(text) as Report
    if (report?.schemaVersion !== 1 || !Array.isArray(report.domains))
      throw new Error('not a report')
    return report
  } catch {
    throw new UsageError(`${file} is not a mailtrap-dns-verify JSON report (schema version 1)`)
  }
}

/** Merge the shards' reports into one outcome, as if one run had checked every domain. */
export async function mergeRun(patterns: string[]): Promise<{ report: Report; exitCode: number }> {
  const files = await reportFiles(patterns)
  const reports = await Promise.all(
    files.map(async (file) => ({ file, report: await readReport(file) }))
  )
  const report = mergeReports(reports)
  return { report, exitCode: exitCodeFor(report, report.failOn ?? 'error') }
}
