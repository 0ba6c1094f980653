/** The retry loop, backoff and Retry-After on a test clock: every wait is asserted exactly. */
import { describe, expect, it } from '@jest/globals'
import { backoffMs, retryAfterMs, retrying, type RetryPolicy } from '../../src/net/retry.js'
import { testClock } from './test-clock.js'

const POLICY: RetryPolicy = { tries: 4, baseMs: 500, capMs: 10_000, retryAfterCapMs: 60_000 }

describe('retrying', () => {
  it('backs off exponentially with jitter in the upper half, and stops after the tries', async () => {
    const clock = testClock()
    let calls = 0
    const outcome = await retrying(POLICY, clock, async () => {
      calls++
      return { done: false, reason: 'HTTP 503', status: 503 }
    })
    expect(outcome).toEqual({
      ok: false,
      tries: 4,
      reason: 'HTTP 503',
      status: 503,
      outOfTime: false
    })
    expect(calls).toBe(4)
    expect(clock.sleeps).toHaveLength(3)
    clock.sleeps.forEach((ms, n) => {
      expect(ms).toBeGreaterThanOrEqual(250 * 2 ** n)
      expect(ms).toBeLessThanOrEqual(500 * 2 ** n)
    })
  })

  it('takes the wait a Retry-After names, capped, and returns what succeeds', async () => {
    const clock = testClock()
    const waits = [2000, 3_600_000]
    const outcome = await retrying(POLICY, clock, async (i) =>
      i < 2 ? { done: false, reason: '429', retryAfterMs: waits[i] } : { done: true, value: i }
    )
    expect(outcome).toEqual({ ok: true, value: 2 })
    expect(clock.sleeps).toEqual([2000, 60_000])
  })

  it('gives up when the next wait would pass the time budget', async () => {
    const clock = testClock()
    const outcome = await retrying({ ...POLICY, tries: 10, budgetMs: 90_000 }, clock, async () => ({
      done: false,
      reason: 'rate limited',
      retryAfterMs: 40_000
    }))
    expect(outcome).toMatchObject({ ok: false, tries: 3, outOfTime: true })
    expect(clock.sleeps).toEqual([40_000, 40_000])
  })

  it('stops waiting and trying once the signal aborts', async () => {
    const clock = testClock()
    const stop = new AbortController()
    let calls = 0
    const outcome = await retrying(
      POLICY,
      clock,
      async () => {
        calls++
        stop.abort()
        return { done: false, reason: 'down' }
      },
      { signal: stop.signal }
    )
    expect(outcome).toMatchObject({ ok: false, tries: 1 })
    expect(calls).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  it('uses the random source it is given', () => {
    expect(backoffMs(0, POLICY, () => 0)).toBe(250)
    expect(backoffMs(0, POLICY, () => 1)).toBe(500)
    expect(backoffMs(3, POLICY, () => 1)).toBe(4000)
    expect(backoffMs(40, POLICY, () => 1)).toBe(10_000)
  })
})

describe('retryAfterMs', () => {
  const now = Date.UTC(2026, 10, 1, 9, 0, 0)
  it.each([
    ['0', 0],
    [' 7 ', 7000],
    [new Date(now + 12_000).toUTCString(), 12_000],
    [new Date(now - 12_000).toUTCString(), 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    [undefined, undefined]
  ])('reads %j', (value, ms) => {
    expect(retryAfterMs(value, now)).toBe(ms)
  })
})
