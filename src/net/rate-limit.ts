/**
 * A client-side rate limit: at most `requests` requests in any `windowMs`, counted the way a
 * server counts them, plus what the server's `X-Ratelimit-*` headers say, so a client stays
 * under an API's limit instead of learning it from 429s.
 */
import type { Clock } from './clock.js'
import { backoffMs } from './retry.js'

/** Options for {@link createRateLimiter}. */
export interface RateLimitOptions {
  /** Requests allowed in any window. */
  requests: number
  /** The window, sliding. */
  windowMs: number
  /**
   * When the server says fewer requests than this are left, and it counts more used than this
   * limiter sent, requests are paced evenly (`windowMs / requests` apart) instead of sent at
   * once. Default: a tenth of `requests`.
   */
  lowWater?: number
}

/** What an answer said about the limit. */
export interface RateLimitSignal {
  status: number
  /** `X-Ratelimit-Limit`. */
  limit?: number
  /** `X-Ratelimit-Remaining`. */
  remaining?: number
  /** `Retry-After`, in ms, already capped. */
  retryAfterMs?: number
}

/** Hands out request slots; see {@link createRateLimiter}. */
export interface RateLimiter {
  /**
   * Waits for a slot and takes it. The returned function ends the request (call it once the
   * answer came or the request failed); a slot counts against the window until `windowMs`
   * after that. Resolves early, without a slot, when `signal` aborts.
   */
  acquire(signal?: AbortSignal): Promise<() => void>
  /** Takes in what an answer said about the limit. */
  observe(signal: RateLimitSignal): void
}

interface Slot {
  /** When the request ended; undefined while it is in flight. */
  end?: number
  ended: Promise<void>
  finish(): void
}

/** The base of the pause after answers saying no requests are left, without `Retry-After`. */
const EXHAUSTED_BACKOFF = { baseMs: 500, capMs: 10_000 }

/**
 * Creates a sliding-window limiter. A slot counts from when its request is sent until
 * `windowMs` after its answer: the server counted the request at some moment in between,
 * so the window holds whatever the latency. Requests take slots in the order they asked.
 */
export function createRateLimiter(
  options: RateLimitOptions,
  clock: Clock,
  random: () => number = Math.random
): RateLimiter {
  const { windowMs } = options
  if (!Number.isInteger(options.requests) || options.requests < 1) {
    throw new Error('rate limit: requests must be a positive integer')
  }
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new Error('rate limit: windowMs must be a positive integer')
  }
  let limit = options.requests
  const lowWater = options.lowWater ?? Math.max(1, Math.floor(options.requests / 10))
  let slots: Slot[] = []
  let queue: Promise<unknown> = Promise.resolve()
  /** No request before this (the server said none are left). */
  let notBefore = 0
  /** Between two requests when the server says few are left. */
  let spacing = 0
  let lastSent = Number.NEGATIVE_INFINITY
  let exhaustedStreak = 0

  async function takeSlot(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal?.aborted) return () => undefined
      const now = clock.now()
      slots = slots.filter((s) => s.end === undefined || s.end + windowMs > now)
      const pause = Math.max(notBefore, lastSent + spacing) - now
      if (pause > 0) {
        await clock.sleep(pause, signal)
        continue
      }
      if (slots.length >= limit) {
        const ends = slots.filter((s) => s.end !== undefined).map((s) => s.end! + windowMs)
        if (ends.length > 0) await clock.sleep(Math.min(...ends) - now, signal)
        else await Promise.race(slots.map((s) => s.ended))
        continue
      }
      let finish!: () => void
      const ended = new Promise<void>((resolve) => (finish = resolve))
      const slot: Slot = {
        ended,
        finish: () => {
          if (slot.end !== undefined) return
          slot.end = clock.now()
          finish()
        }
      }
      slots.push(slot)
      lastSent = now
      return slot.finish
    }
  }

  return {
    acquire(signal) {
      const turn = queue.then(() => takeSlot(signal))
      queue = turn.catch(() => undefined)
      return turn
    },
    observe({ status, limit: said, remaining, retryAfterMs }) {
      if (said !== undefined && said >= 1) limit = Math.min(options.requests, said)
      if (remaining === undefined && status !== 429) return
      if (status === 429 || remaining === 0) {
        exhaustedStreak++
        const pause = retryAfterMs ?? backoffMs(exhaustedStreak - 1, EXHAUSTED_BACKOFF, random)
        notBefore = Math.max(notBefore, clock.now() + pause)
        return
      }
      exhaustedStreak = 0
      // Few left, and more used than this limiter sent: someone else spends the same token
      // (another job, another tool), so the window alone cannot keep us under. Pace evenly.
      const now = clock.now()
      const ours = slots.filter((s) => s.end === undefined || s.end + windowMs > now).length
      const crowded = remaining !== undefined && remaining < lowWater && limit - remaining > ours
      spacing = crowded ? windowMs / limit : 0
    }
  }
}

/** A header's value as a non-negative integer; undefined when absent or not one. */
export function headerCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,9}\s*$/.test(value)) return undefined
  return Number(value)
}
