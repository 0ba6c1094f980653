/**
 * Time as the HTTP layer sees it: what time it is, waiting, and timers. A port, so retry,
 * backoff and rate-limit tests run on a clock they control instead of the wall clock.
 */

/** Where the HTTP layer reads the time and waits. */
export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number
  /** Resolves after `ms`, or at once when `signal` is (or becomes) aborted. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Calls `fire` after `ms` unless the returned function is called first. */
  timer(ms: number, fire: () => void): () => void
}

/** The real clock: Date.now and setTimeout. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve()
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      signal?.addEventListener('abort', done, { once: true })
    })
  },
  timer(ms, fire) {
    const timer = setTimeout(fire, Math.max(0, ms))
    return () => clearTimeout(timer)
  }
}
