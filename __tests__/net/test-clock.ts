/**
 * A clock for tests of the HTTP layer: waits (backoff, rate-limit pauses) are recorded and pass
 * at once in virtual time; timers (request deadlines) are recorded and run on real time, as the
 * sockets they guard are real. Tests then assert what was waited for, not how long it took.
 */
import type { Clock } from '../../src/net/clock.js'

export interface TestClock extends Clock {
  /** Every wait asked for, in ms, in order. */
  readonly sleeps: number[]
  /** Every timer armed, in ms, in order. */
  readonly timers: number[]
  /** Timers that fired. */
  readonly fired: number
  /** Moves virtual time on without a wait. */
  advance(ms: number): void
}

/** A test clock starting at `start` (default: a fixed date in 2026). */
export function testClock(start = Date.UTC(2026, 10, 1, 9, 0, 0)): TestClock {
  let now = start
  let fired = 0
  const sleeps: number[] = []
  const timers: number[] = []
  return {
    sleeps,
    timers,
    get fired() {
      return fired
    },
    now: () => now,
    advance(ms) {
      now += ms
    },
    async sleep(ms) {
      sleeps.push(ms)
      now += Math.max(0, ms)
      // Let I/O run between waits, as a real wait would.
      await new Promise<void>((resolve) => setImmediate(resolve))
    },
    timer(ms, fire) {
      timers.push(ms)
      const timer = setTimeout(() => {
        fired++
        fire()
      }, ms)
      return () => clearTimeout(timer)
    }
  }
}
