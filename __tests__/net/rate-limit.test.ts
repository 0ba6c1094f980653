/** The sliding-window limiter on a test clock: when each request may go, asserted exactly. */
import { describe, expect, it } from '@jest/globals'
import { createRateLimiter } from '../../src/net/rate-limit.js'
import { testClock } from './test-clock.js'

describe('createRateLimiter', () => {
  it('lets `requests` go at once, then the next a window after the oldest answer', async () => {
    const clock = testClock()
    const limiter = createRateLimiter({ requests: 3, windowMs: 1000 }, clock)
    const start = clock.now()
    for (let i = 0; i < 3; i++) {
      const done = await limiter.acquire()
      clock.advance(10)
      done()
    }
    expect(clock.sleeps).toEqual([])
    await limiter.acquire()
    // The first answer came 10 ms after start: its slot frees 1000 ms after that.
    expect(clock.now() - start).toBe(1010)
    expect(clock.sleeps).toEqual([980])
  })

  it('counts a request in flight until a window after its answer', async () => {
    const clock = testClock()
    const limiter = createRateLimiter({ requests: 2, windowMs: 1000 }, clock)
    const first = await limiter.acquire()
    const second = await limiter.acquire()
    let third = false
    const waiting = limiter.acquire().then((done) => {
      third = true
      return done
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(third).toBe(false)
    clock.advance(5000)
    second()
    await waiting
    expect(third).toBe(true)
    expect(clock.sleeps).toEqual([1000])
    first()
  })

  it('hands out slots in the order they were asked for', async () => {
    const clock = testClock()
    const limiter = createRateLimiter({ requests: 1, windowMs: 100 }, clock)
    const order: number[] = []
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const done = await limiter.acquire()
        order.push(i)
        done()
      })
    )
    expect(order).toEqual([0, 1, 2, 3])
    expect(clock.sleeps).toEqual([100, 100, 100])
  })

  it('pauses when the server says none are left: Retry-After, else a jittered backoff', async () => {
    const clock = testClock()
    const limiter = createRateLimiter({ requests: 150, windowMs: 10_000 }, clock)
    ;(await limiter.acquire())()
    limiter.observe({ status: 200, remaining: 0 })
    ;(await limiter.acquire())()
    expect(clock.sleeps).toHaveLength(1)
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(250)
    expect(clock.sleeps[0]).toBeLessThanOrEqual(500)
    limiter.observe({ status: 429, remaining: 0, retryAfterMs: 3000 })
    ;(await limiter.acquire())()
    expect(clock.sleeps[1]).toBe(3000)
  })

  it('paces requests evenly when few are left, and takes a lower limit the server names', async () => {
    const clock = testClock()
    const limiter = createRateLimiter({ requests: 150, windowMs: 10_000 }, clock)
    ;(await limiter.acquire())()
    limiter.observe({ status: 200, limit: 100, remaining: 9 })
    ;(await limiter.acquire())()
    ;(await limiter.acquire())()
    // 10 s / 100 requests apart.
    expect(clock.sleeps).toEqual([100, 100])
    limiter.observe({ status: 200, limit: 100, remaining: 60 })
    ;(await limiter.acquire())()
    expect(clock.sleeps).toHaveLength(2)
  })

  it('does not pace when its own requests explain what the server counts', async () => {
    const clock = testClock()
    const limiter = createRateLimiter({ requests: 10, windowMs: 1000 }, clock)
    for (let i = 0; i < 9; i++) (await limiter.acquire())()
    limiter.observe({ status: 200, limit: 10, remaining: 1 })
    ;(await limiter.acquire())()
    expect(clock.sleeps).toEqual([])
    // The window is full: the next waits for it, not for a pace.
    ;(await limiter.acquire())()
    expect(clock.sleeps).toEqual([1000])
  })

  it('refuses a limit it cannot keep', () => {
    expect(() => createRateLimiter({ requests: 0, windowMs: 1000 }, testClock())).toThrow(
      /requests/
    )
    expect(() => createRateLimiter({ requests: 1, windowMs: 0.5 }, testClock())).toThrow(/windowMs/)
  })
})
