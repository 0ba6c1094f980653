/**
 * The query discipline the network resolvers (wire-client.ts, doh-client.ts) share, whatever
 * carries their questions: each question asked once per resolver, at most `maxInFlight` asked
 * at a time while the rest wait in order, a server that never answered (or stopped answering
 * for a run of questions) given up on once rather than once per question, and `close()`
 * settling everything. Kept in one place so the resolvers cache, limit and word their outcomes
 * alike; each keeps only how it puts a question to a server.
 */
import { canonicalType } from './codec.js'
import { Fifo } from './fifo.js'
import { createRateCap } from './rate-cap.js'
import { normalizeName, type DnsQuestion, type QueryMeter, type QueryOutcome } from './types.js'
import { errorText } from '../net/errors.js'

/** A question that has a slot under `maxInFlight`, from its start until it settles. */
export interface Flight {
  /** Normalised, as {@link normalizeName} leaves it. */
  readonly name: string
  /** Canonical, as {@link canonicalType} leaves it: `TYPE16` and `TXT` are one question. */
  readonly type: string
  /** The question as messages show it, from {@link showQuestion}. */
  readonly what: string
  /** Once true, late events for the question (a timer, a packet, a failed request) do nothing. */
  readonly settled: boolean
  /**
   * Settles the question: runs what {@link onSettle} registered, frees the slot for the next
   * waiting question and resolves the outcome. Later calls do nothing.
   */
  settle(outcome: QueryOutcome): void
  /**
   * Registers what to release (timers, sockets, requests) when the question settles, whoever
   * settles it: the transport, `close()`, or the server being given up on. Runs it at once if
   * the question has already settled, so nothing is left held whatever the order.
   */
  onSettle(release: () => void): void
}

/**
 * Options for {@link createQueryGate}; `T` is what the transport keeps for a question in flight
 * (see {@link QueryGateOptions.settled}).
 */
export interface QueryGateOptions<T = void> {
  /** `name (address)`: every message starts with it. */
  prefix: string
  /** Questions in flight at once; the rest wait, first come first asked. */
  maxInFlight: number
  /**
   * Puts a question to the server once it has a slot. The transport settles the flight with
   * its outcome, calls {@link QueryGate.markAnswered} on hearing from the server, and
   * {@link QueryGate.failUnanswered} when the question used up its tries without that.
   * It may throw, before sending anything, when the question cannot be put in a request:
   * the question then fails with `cannot ask for <name> <type>: <error>`.
   * What it returns is handed to {@link settled} once the question settles.
   */
  start(flight: Flight): T
  /**
   * Releases what {@link start} returned for a question once it settles, whoever settles it
   * (at once if it settled before `start` returned): one function for every question, where
   * {@link Flight.onSettle} takes a closure each.
   */
  settled?(state: T): void
  /** Releases what the transport keeps between questions (sockets, connections) on close. */
  release(): Promise<void>
  /**
   * Unanswered questions in a row, since the server's last answer, after which it is given
   * up on. Default {@link GIVE_UP_AFTER}.
   */
  giveUpAfter?: number
  /**
   * Questions started per second at most (a token bucket, rate-cap.ts): questions over the cap
   * wait in order, woken by one timer. None by default.
   */
  rateLimit?: number
  /** Counted up by one for every question put to the server (the progress line's rate). */
  meter?: QueryMeter
}

/**
 * How many questions in a row may go unanswered (each after all its tries) before a server
 * that answered earlier is given up on. High enough that random loss does not reach it (at
 * 50 % loss and two tries, eight in a row happen about once in 65,000 runs of eight), low
 * enough that a server that went quiet costs a few timeouts, not one per question.
 */
export const GIVE_UP_AFTER = 8

/**
 * Settled outcomes kept for questions asked again, the oldest dropped first. Questions other
 * domains share (a CNAME target, a name server) come back while those domains are in flight
 * (check.ts starts at most 128 ahead of the last one written) or soon after: a thousand outcomes
 * cover about 200 domains of a healthy fleet. Each one kept outlives a young-generation collection and is promoted: keeping
 * every outcome of a fleet run held hundreds of MB, and 4096 rather than 1024 cost 3 % more CPU
 * and 13 MB more peak RSS at 10,000 domains (issue 12).
 */
export const SETTLED_KEPT = 1024

/** The shared part of a resolver; see {@link createQueryGate}. */
export interface QueryGate {
  /**
   * The outcome of a question: the one already asked for it (pending or settled), or a new one
   * that is asked now or once a slot frees. Never rejects; fails at once when the resolver is
   * closed or its server was given up on.
   */
  query(question: DnsQuestion): Promise<QueryOutcome>
  /** Records that the server answered something, if badly: it is alive and never given up on. */
  markAnswered(): void
  /** Whether {@link markAnswered} was called. */
  readonly answered: boolean
  /**
   * Fails a question that used up its tries with `error`. If the server has never answered
   * anything, also gives it up: the questions in flight and waiting fail now, and every later
   * one at once, saying it `has not answered anything (gave up after <gaveUpAfter>)`. A server
   * that answered before is given up on the same way once
   * {@link QueryGateOptions.giveUpAfter} questions in a row went unanswered (rate limiting looks
   * like that), every remaining question failing with one message that says so.
   */
  failUnanswered(flight: Flight, error: string, gaveUpAfter: string): void
  /**
   * Settles every question in flight or waiting, refuses new ones, then awaits
   * {@link QueryGateOptions.release}. Later calls do nothing.
   */
  close(): Promise<void>
}

/**
 * Creates the shared part of a resolver for one server: the cache of outcomes (failures
 * included; every pending one and the last {@link SETTLED_KEPT} settled), the `maxInFlight`
 * limit and its queue, giving up on a dead server, and closing. Every message it writes starts with `options.prefix`.
 */
export function createQueryGate<T = void>(options: QueryGateOptions<T>): QueryGate {
  const { prefix, maxInFlight, meter } = options
  const cap = options.rateLimit === undefined ? undefined : createRateCap(options.rateLimit)
  /** The one timer that pumps again once the cap lets a question start. */
  let wake: NodeJS.Timeout | undefined
  const wakeLater = (): void => {
    if (wake !== undefined || closed) return
    wake = setTimeout(() => {
      wake = undefined
      pump()
    }, cap!.waitMs())
  }
  /**
   * Outcomes by type, then by name: the engine hands the same name strings again and again, so
   * looking one up hashes nothing new, where a `type name` key would be a new string each time.
   */
  const cache = new Map<string, Map<string, Promise<QueryOutcome>>>()
  /**
   * The last {@link SETTLED_KEPT} questions whose outcome settled, the ones that may go from
   * `cache`: a ring, its oldest at `oldest` once full, so keeping one more drops one and
   * copies nothing.
   */
  const settled: Question[] = []
  let oldest = 0
  const keep = (q: Question): void => {
    // Each outcome settles once, and one dropped is gone from `cache`: a question is here once.
    if (settled.length < SETTLED_KEPT) {
      settled.push(q)
      return
    }
    const old = settled[oldest]!
    settled[oldest] = q
    oldest = oldest + 1 === SETTLED_KEPT ? 0 : oldest + 1
    cache.get(old.type)?.delete(old.name)
  }
  const inFlight = new Set<Question>()
  const queue = new Fifo<Question>()
  let closed = false
  let pumping = false
  /** Set once anything from the server was taken as an answer: it is alive. */
  let answered = false
  /** Questions in a row that used up their tries since the server last answered. */
  let unansweredRun = 0
  const giveUpAfter = options.giveUpAfter ?? GIVE_UP_AFTER
  /** Set when the server is given up on: why, for the questions that follow. */
  let deadReason: string | undefined
  /** Set when a server that had answered stopped: one message for every question left. */
  let stoppedError: string | undefined

  const deadError = (name: string, type: string): QueryOutcome =>
    failure(
      stoppedError ??
        `${prefix}: no answer for ${showQuestion(name, type)}: not asked, ${deadReason}`
    )

  /**
   * One question from its arrival until its outcome: waiting for a slot, then the
   * {@link Flight} the transport asks. One object with its methods on the prototype, rather
   * than a waiting entry, a flight and their closures each: a fleet run makes 150,000.
   */
  class Question implements Flight {
    settled = false
    private release: (() => void) | undefined = undefined
    /** What {@link QueryGateOptions.start} returned, until the question settles. */
    state: T | undefined = undefined
    private shown: string | undefined = undefined

    constructor(
      readonly name: string,
      readonly type: string,
      private resolve: ((outcome: QueryOutcome) => void) | undefined
    ) {}

    get what(): string {
      return (this.shown ??= showQuestion(this.name, this.type))
    }

    /** Gives the question its outcome, in flight or still waiting. */
    finish(outcome: QueryOutcome): void {
      keep(this)
      const resolve = this.resolve!
      // Kept among the settled questions for a while: not the promise's functions with it.
      this.resolve = undefined
      resolve(outcome)
    }

    settle(outcome: QueryOutcome): void {
      if (this.settled) return
      this.settled = true
      const release = this.release
      const state = this.state
      // Kept among the settled questions for a while: nothing of the transport's held with it.
      this.release = undefined
      this.state = undefined
      release?.()
      if (state !== undefined) options.settled?.(state)
      inFlight.delete(this)
      this.finish(outcome)
      pump()
    }

    onSettle(fn: () => void): void {
      if (this.settled) fn()
      else this.release = fn
    }
  }

  function launch(q: Question): void {
    if (deadReason !== undefined) {
      q.finish(deadError(q.name, q.type))
      return
    }
    inFlight.add(q)
    if (meter !== undefined) meter.asked++
    try {
      const state = options.start(q)
      if (q.settled) options.settled?.(state)
      else q.state = state
    } catch (err) {
      q.settle(failure(`${prefix}: cannot ask for ${q.what}: ${errorText(err)}`))
    }
  }

  function pump(): void {
    // A flight that settles while it is being started (it cannot be asked) frees its slot
    // inside this loop, which carries on by itself: returning keeps the stack flat.
    if (closed || pumping) return
    pumping = true
    try {
      while (queue.length > 0 && inFlight.size < maxInFlight) {
        if (cap !== undefined && !cap.take()) {
          wakeLater()
          break
        }
        const next = queue.shift()
        if (!next) break
        launch(next)
      }
    } finally {
      pumping = false
    }
  }

  return {
    query(question: DnsQuestion): Promise<QueryOutcome> {
      let name: string
      let type: string
      try {
        name = normalizeName(String(question.name))
        type = canonicalType(String(question.type))
      } catch (err) {
        return Promise.resolve(failure(`${prefix}: cannot ask: ${errorText(err)}`))
      }
      let byName = cache.get(type)
      if (byName === undefined) {
        byName = new Map()
        cache.set(type, byName)
      }
      const known = byName.get(name)
      if (known) return known
      if (closed) {
        return Promise.resolve(
          failure(`${prefix}: closed, cannot ask for ${showQuestion(name, type)}`)
        )
      }
      const outcome = new Promise<QueryOutcome>(captureResolve)
      const q = new Question(name, type, capturedResolve!)
      if (deadReason !== undefined) q.finish(deadError(name, type))
      // Questions waiting for the cap keep their order: a new one queues behind them.
      else if (queue.length > 0 || inFlight.size >= maxInFlight) queue.push(q)
      else if (cap === undefined || cap.take()) launch(q)
      else {
        queue.push(q)
        wakeLater()
      }
      byName.set(name, outcome)
      return outcome
    },
    markAnswered(): void {
      answered = true
      unansweredRun = 0
    },
    get answered(): boolean {
      return answered
    },
    failUnanswered(flight: Flight, error: string, gaveUpAfter: string): void {
      unansweredRun++
      const stopped = answered && unansweredRun >= giveUpAfter
      const giveUp = (!answered || stopped) && deadReason === undefined
      // Set before settle(), whose pump() would otherwise start the waiting questions.
      if (giveUp && stopped) {
        deadReason = `the server stopped answering`
        stoppedError =
          `${prefix}: gave up on the server after ${unansweredRun} unanswered questions in a ` +
          `row (${gaveUpAfter} each); it answered before, then stopped (rate limiting?)`
      } else if (giveUp) {
        deadReason = `the server has not answered anything (gave up after ${gaveUpAfter})`
      }
      flight.settle(failure(error))
      if (giveUp) {
        for (const other of [...inFlight]) other.settle(deadError(other.name, other.type))
        for (const q of queue.drain()) q.finish(deadError(q.name, q.type))
        clearTimeout(wake)
        wake = undefined
      }
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      clearTimeout(wake)
      for (const f of [...inFlight]) {
        f.settle(failure(`${prefix}: closed before ${f.what} was answered`))
      }
      for (const q of queue.drain()) {
        q.finish(failure(`${prefix}: closed before ${showQuestion(q.name, q.type)} was asked`))
      }
      await options.release()
    }
  }
}

/**
 * The resolve function of the promise made last with {@link captureResolve} as its executor,
 * which runs at once: one executor for every question's promise, not a closure each.
 */
let capturedResolve: ((outcome: QueryOutcome) => void) | undefined

function captureResolve(resolve: (outcome: QueryOutcome) => void): void {
  capturedResolve = resolve
}

/** Per-resolver limits both network resolvers take; see {@link resolverLimits}. */
export interface ResolverLimits {
  /** How long one try may take. */
  timeoutMs: number
  /** Tries per question before giving up. */
  tries: number
  /** Questions in flight at once. */
  maxInFlight: number
}

/**
 * The limits a resolver was given, with the defaults (2000 ms, 2 tries, 64 in flight), each
 * checked in that order as {@link checkInteger} does.
 */
export function resolverLimits(server: string, options: Partial<ResolverLimits>): ResolverLimits {
  const limits: ResolverLimits = {
    timeoutMs: options.timeoutMs ?? 2000,
    tries: options.tries ?? 2,
    maxInFlight: options.maxInFlight ?? 64
  }
  checkInteger(server, 'timeoutMs', limits.timeoutMs, 1, 600_000)
  checkInteger(server, 'tries', limits.tries, 1, 100)
  checkInteger(server, 'maxInFlight', limits.maxInFlight, 1, 65535)
  return limits
}

/**
 * Throws `<server>: <what> must be an integer from <min> to <max>` unless `value` is one;
 * `server` names the resolver, e.g. `DNS server cloudflare`.
 */
export function checkInteger(
  server: string,
  what: string,
  value: number,
  min: number,
  max: number
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${server}: ${what} must be an integer from ${min} to ${max}`)
  }
}

/** A question as messages show it: `example.com TXT`, `. NS` for the root. */
export function showQuestion(name: string, type: string): string {
  return `${name === '' ? '.' : name} ${type}`
}

/** A failed outcome. */
export function failure(error: string): QueryOutcome {
  return { ok: false, error }
}

/** `1 try`, `2 tries`: how messages count the tries a question was given. */
export function triesText(tries: number): string {
  return `${tries} ${tries === 1 ? 'try' : 'tries'}`
}
