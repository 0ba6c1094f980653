import type { FailOn } from './config/schema.js'
import type { DiagnosisCode } from './diagnose/codes.js'
import { recordLabel } from './records/expected.js'
import { EXIT, exitCodeFor, type Report } from './report/report.js'

/** How long to wait and how often to look. */
export interface WaitOptions {
  /** Give up after this long (ms). */
  timeoutMs: number
  /** First pause between rounds (ms); pauses grow by half each round, to at most `maxIntervalMs`. */
  intervalMs: number
  /** The longest pause (ms): 5 minutes, or the interval asked for when that is longer. */
  maxIntervalMs?: number
  /**
   * What else a settled report must show (`wait --until-verified`: Mailtrap has verified every
   * domain), and how the settled line says it.
   */
  until?: { done: (report: Report) => boolean; says: string }
}

/** The clock, the pause and the progress line: real ones in the CLI, fast ones in tests. */
export interface WaitPorts {
  now: () => number
  sleep: (ms: number) => Promise<void>
  progress: (line: string) => void
}

export interface WaitResult {
  report: Report
  exitCode: number
  rounds: number
}

/** Findings that mean "not settled yet": waiting may end them. */
const UNSETTLED: ReadonlySet<DiagnosisCode> = new Set<DiagnosisCode>([
  'propagating',
  'inconsistent',
  'out-of-sync'
])

/**
 * True when the report passes the gate: nothing reaches fail-on and nothing is still moving.
 * One unreachable cache beside right answers is no reason to wait: only a record that nothing
 * answered for (status unknown) is.
 */
export function settled(report: Report, failOn: FailOn): boolean {
  if (exitCodeFor(report, failOn) !== EXIT.pass) return false
  return report.domains.every((d) => d.records.every((r) => !r.checked || !moving(r)))
}

function moving(r: Report['domains'][number]['records'][number]): boolean {
  return r.status === 'unknown' || r.findings.some((f) => UNSETTLED.has(f.code))
}

/**
 * Run `round` until the report settles or the time is up, printing one progress line per
 * round. Exit code: 0 settled; at the deadline, 1 for a definite failure (or changes still
 * propagating), 3 when still inconclusive.
 */
export async function waitUntilSettled(
  round: () => Promise<{ report: Report; failOn: FailOn }>,
  options: WaitOptions,
  ports: WaitPorts
): Promise<WaitResult> {
  const start = ports.now()
  const deadline = start + options.timeoutMs
  const maxInterval = Math.max(options.maxIntervalMs ?? 300_000, options.intervalMs)
  let interval = options.intervalMs
  for (let rounds = 1; ; rounds++) {
    const { report, failOn } = await round()
    const code = exitCodeFor(report, failOn)
    if (settled(report, failOn) && (options.until?.done(report) ?? true)) {
      const also = options.until ? `, and ${options.until.says}` : ''
      ports.progress(
        `round ${rounds} (${elapsed(ports.now() - start)}): settled: nothing reaches --fail-on ${failOn} and nothing is still changing${also}`
      )
      return { report, exitCode: EXIT.pass, rounds }
    }
    const left = deadline - ports.now()
    if (left <= 0) {
      ports.progress(
        `round ${rounds} (${elapsed(ports.now() - start)}): time is up; ${pending(report)}`
      )
      const exitCode = code !== EXIT.pass ? code : stillMoving(report, failOn)
      return { report, exitCode, rounds }
    }
    const pause = Math.min(interval, left)
    ports.progress(
      `round ${rounds} (${elapsed(ports.now() - start)}): ${pending(report)}; next check in ${elapsed(pause)}`
    )
    await ports.sleep(pause)
    interval = Math.min(Math.round(interval * 1.5), maxInterval)
  }
}

/**
 * At the deadline with nothing at fail-on: 3 while a record has no conclusive answer, else 1
 * for changes still moving (0 with fail-on never, as `check` does).
 */
function stillMoving(report: Report, failOn: FailOn): number {
  const records = report.domains.flatMap((d) => d.records).filter((r) => r.checked)
  if (records.some((r) => r.status === 'unknown')) return EXIT.inconclusive
  return failOn === 'never' || !records.some(moving) ? EXIT.pass : EXIT.findings
}

/** What is still not right, and when the TTLs say it should be. */
function pending(report: Report): string {
  const open = report.domains.flatMap((d) =>
    d.records
      .filter((r) => r.checked && r.status !== 'pass')
      .map((r) => {
        const codes = [
          ...new Set(r.findings.filter((f) => f.severity !== 'notice').map((f) => f.code))
        ]
        return `${d.domain} ${recordLabel(r.key)} (${codes.join(', ') || r.status})`
      })
  )
  const expiries = report.domains
    .flatMap((d) => d.records.flatMap((r) => r.findings.map((f) => f.expiresAt)))
    .filter((t): t is string => Boolean(t))
    .sort()
  const expected = expiries.length > 0 ? `; caches expire by ${expiries[expiries.length - 1]}` : ''
  return `${open.length} record${open.length === 1 ? '' : 's'} not settled: ${open.join(', ')}${expected}`
}

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return s % 60 ? `${m}m${s % 60}s` : `${m}m`
}

/**
 * `30s`, `5m`, `1h30m`, `1500ms`, or a bare number of seconds, in milliseconds.
 * Throws an Error that names the text when it is none of these.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return parseDuration(`${trimmed}s`)
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new Error(`"${text}" is not a duration (use e.g. 30s, 5m, 1h30m)`)
  }
  const ms = Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0))
  if (ms > MAX_DURATION_MS) {
    throw new Error(`"${text}" is longer than a timer can hold (at most 24 days, e.g. 576h)`)
  }
  return ms
}

/** The longest timer Node keeps (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1
