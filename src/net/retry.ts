/**
 * Asking again: exponential backoff with jitter, `Retry-After` honoured, and a bound on the
 * tries and on the total time, so no server can hold a caller longer than it allows.
 */
import type { Clock } from './clock.js'

/** How a request is retried. */
export interface RetryPolicy {
  /** Tries in all, the first included (at least 1). */
  tries: number
  /** The backoff ceiling before the first retry; doubled for each later one. */
  baseMs: number
  /** The most any backoff waits. */
  capMs: number
  /** The most a `Retry-After` is honoured for. */
  retryAfterCapMs: number
  /**
   * The most time from the first try's start to the last try's start. A retry whose wait
   * would pass it is not made. Default: no bound beyond the tries.
   */
  budgetMs?: number
}

/** How one try ended: with a result (good or final), or worth trying again. */
export type TryOutcome<T> =
  { done: true; value: T } | { done: false; reason: string; status?: number; retryAfterMs?: number }

/** Why the tries ran out. */
export interface RetriesSpent {
  ok: false
  /** Tries made. */
  tries: number
  /** The last try's reason and status. */
  reason: string
  status?: number
  /** True when the time budget, not the count of tries, stopped it. */
  outOfTime: boolean
}

/**
 * Runs `attempt` until it is done, the tries are used up, the next wait would pass the
 * budget, or `signal` aborts (the waits end at once then, and one last try is not made).
 */
export async function retrying<T>(
  policy: RetryPolicy,
  clock: Clock,
  attempt: (index: number) => Promise<TryOutcome<T>>,
  options: {
    signal?: AbortSignal
    random?: () => number
    /** Told before each wait: which try failed (from 0), why, and how long the wait is. */
    onRetry?: (index: number, reason: string, waitMs: number) => void
  } = {}
): Promise<{ ok: true; value: T } | RetriesSpent> {
  const started = clock.now()
  let index = 0
  for (;;) {
    const outcome = await attempt(index)
    if (outcome.done) return { ok: true, value: outcome.value }
    const spent = (outOfTime: boolean): RetriesSpent => ({
      ok: false,
      tries: index + 1,
      reason: outcome.reason,
      ...(outcome.status === undefined ? {} : { status: outcome.status }),
      outOfTime
    })
    if (index + 1 >= policy.tries || options.signal?.aborted) return spent(false)
    const wait =
      outcome.retryAfterMs !== undefined
        ? Math.min(outcome.retryAfterMs, policy.retryAfterCapMs)
        : backoffMs(index, policy, options.random)
    if (policy.budgetMs !== undefined && clock.now() + wait - started > policy.budgetMs) {
      return spent(true)
    }
    options.onRetry?.(index, outcome.reason, wait)
    if (wait > 0) await clock.sleep(wait, options.signal)
    if (options.signal?.aborted) return spent(false)
    index++
  }
}

/**
 * The wait before retry `n` (from 0): a ceiling of `baseMs × 2^n`, capped, of which the upper
 * half is random, so clients that failed together do not retry together.
 */
export function backoffMs(
  n: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>,
  random: () => number = Math.random
): number {
  const ceiling = Math.min(policy.baseMs * 2 ** Math.min(n, 30), policy.capMs)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/**
 * The wait a `Retry-After` header asks for, in ms (it may hold seconds or an HTTP date,
 * RFC 9110 §10.2.3); undefined when absent or unreadable. Not capped: the caller caps it.
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(at - now, 0)
}
