/**
 * The progress line of a long run: on a terminal, domains done of the total, questions per
 * second and the time left, redrawn in place a few times a second once the run has taken a
 * second; in a log (not a terminal), nothing until one final line with the counts and the time
 * taken. The clock, the timer and the stream are ports, so tests drive it with plain values.
 */

/** What the progress line reads and writes; the CLI passes the process's. */
export interface ProgressPorts {
  /** Milliseconds on a monotonic clock. */
  now(): number
  /** Writes to the stream the line is drawn on (standard error). */
  write(text: string): void
  /** Whether that stream is a terminal: only a terminal gets the line drawn in place. */
  tty: boolean
  /** The terminal's width: the line is cut to fit one row, or redrawing in place breaks. */
  columns?: number
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void
  /** The questions asked so far (a resolver meter), when they are counted. */
  asked?: () => number
}

/** The verdict counts of a report, as its summary holds them. */
export interface ProgressSummary {
  domains: number
  pass: number
  warn: number
  fail: number
  unknown: number
}

/** A run's progress; see {@link createProgress}. */
export interface Progress {
  /** A round starts and will check `domains` domains (each round of `wait` starts again). */
  round(domains: number): void
  /** One domain's check has ended. */
  domain(): void
  /** Writes other text to the same stream: the line is cleared first and drawn again later. */
  print(text: string): void
  /** The run has ended: clears the line and writes the final line (if it took a second). */
  finish(summary: ProgressSummary): void
  /** The run failed: clears the line, writes nothing more. */
  stop(): void
}

/** Runs shorter than this show no progress at all. */
export const PROGRESS_AFTER_MS = 1000
/** How often the line is redrawn: a few times a second is enough to read, cheap to write. */
export const REDRAW_MS = 250

/** Clears the terminal row the cursor is on and returns to its start. */
const CLEAR = '\r\u001b[K'

/** What the line shows at one moment; see {@link progressLine}. */
export interface ProgressState {
  done: number
  /** Domains of the round; undefined until the engine says. */
  total?: number
  /** Milliseconds since the round started. */
  elapsedMs: number
  /** Questions asked since the round started, when counted. */
  asked?: number
}

/**
 * `checking 1,234/10,000 domains · 812 q/s · about 1m 05s left`: the rate is the round's
 * average so far, the time left the remaining domains at the round's pace so far.
 */
export function progressLine(state: ProgressState): string {
  const { done, total, elapsedMs, asked } = state
  const parts = [
    total === undefined
      ? `checking: ${count(done)} ${plural(done, 'domain')} done`
      : `checking ${count(done)}/${count(total)} ${plural(total, 'domain')}`
  ]
  const seconds = elapsedMs / 1000
  if (asked !== undefined && asked > 0 && seconds > 0) {
    parts.push(`${count(Math.round(asked / seconds))} q/s`)
  }
  if (total !== undefined && done > 0 && done < total) {
    parts.push(`about ${duration(((total - done) * elapsedMs) / done)} left`)
  }
  return parts.join(' · ')
}

/** What the final line says; see {@link finalLine}. */
export interface FinalState {
  summary: ProgressSummary
  /** Rounds run (`wait` runs several). */
  rounds: number
  /** Milliseconds the whole run took. */
  elapsedMs: number
  /** Questions asked in the whole run, when counted. */
  asked?: number
}

/**
 * `checked 1,000 domains in 12.3s: 990 pass, 10 fail; 15,000 questions, 1,220 q/s`: the one
 * line a log gets, and the one a terminal keeps.
 */
export function finalLine(state: FinalState): string {
  const { summary, rounds, elapsedMs, asked } = state
  const verdicts = (['pass', 'warn', 'fail', 'unknown'] as const)
    .filter((v) => summary[v] > 0)
    .map((v) => `${count(summary[v])} ${v}`)
  const times = rounds > 1 ? ` ${rounds} times` : ''
  let line = `checked ${count(summary.domains)} ${plural(summary.domains, 'domain')}${times} in ${duration(elapsedMs)}`
  if (verdicts.length > 0) line += `: ${verdicts.join(', ')}`
  if (asked !== undefined && asked > 0) {
    const rate = elapsedMs > 0 ? `, ${count(Math.round(asked / (elapsedMs / 1000)))} q/s` : ''
    line += `; ${count(asked)} ${plural(asked, 'question')}${rate}`
  }
  return line
}

/**
 * Creates the progress of one run, started now. On a terminal the line is drawn every
 * {@link REDRAW_MS} once the run is {@link PROGRESS_AFTER_MS} old; elsewhere nothing is written
 * until {@link Progress.finish}. Cheap per domain: a counter; the drawing runs on the timer.
 */
export function createProgress(ports: ProgressPorts): Progress {
  const started = ports.now()
  let roundStart = started
  let askedAtRound = ports.asked?.() ?? 0
  let rounds = 0
  let done = 0
  let total: number | undefined
  /** Whether the line is on the screen now. */
  let drawn = false
  let ended = false

  const clear = (): void => {
    if (drawn) ports.write(CLEAR)
    drawn = false
  }
  const draw = (): void => {
    const now = ports.now()
    if (now - started < PROGRESS_AFTER_MS) return
    const asked = ports.asked === undefined ? undefined : ports.asked() - askedAtRound
    let line = progressLine({ done, total, elapsedMs: now - roundStart, asked })
    // One column short of the width: a full row would wrap the cursor onto the next one.
    if (ports.columns !== undefined && ports.columns > 1) line = line.slice(0, ports.columns - 1)
    ports.write(`${CLEAR}${line}`)
    drawn = true
  }
  const stopTicking = ports.tty ? ports.every(REDRAW_MS, draw) : () => {}
  const end = (): boolean => {
    if (ended) return false
    ended = true
    stopTicking()
    clear()
    return true
  }

  return {
    round(domains: number): void {
      rounds++
      done = 0
      total = domains
      roundStart = ports.now()
      askedAtRound = ports.asked?.() ?? 0
    },
    domain(): void {
      done++
    },
    print(text: string): void {
      clear()
      ports.write(text)
    },
    finish(summary: ProgressSummary): void {
      if (!end()) return
      const elapsedMs = ports.now() - started
      if (elapsedMs < PROGRESS_AFTER_MS) return
      const asked = ports.asked?.()
      ports.write(`${finalLine({ summary, rounds: Math.max(rounds, 1), elapsedMs, asked })}\n`)
    },
    stop(): void {
      end()
    }
  }
}

/** `1,234,567`. */
function count(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`
}

/** `0.4s`, `12.3s`, `3m 05s`, `1h 02m`. */
export function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000
  if (s < 59.95) return `${s.toFixed(1)}s`
  const whole = Math.round(s)
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${pad(whole % 60)}s`
  const minutes = Math.round(whole / 60)
  return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
