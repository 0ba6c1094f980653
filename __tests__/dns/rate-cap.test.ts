/**
 * The rate cap: the token bucket on a clock the test moves, the `[NAME=]QPS` items of
 * `--rate-limit` and the `rate-limit` input, and which cap a resolver gets.
 */
import { describe, expect, it } from '@jest/globals'
import {
  createRateCap,
  parseRateLimits,
  PRESET_RATE_LIMITS,
  rateLimitFor
} from '../../src/dns/rate-cap.js'
import { UsageError } from '../../src/errors.js'

describe('createRateCap', () => {
  it('lets a burst through, then one question per 1/qps seconds', () => {
    let t = 0
    const cap = createRateCap(50, () => t)
    // 50 q/s: a burst of 5 (a tenth of a second), then one every 20 ms.
    expect(Array.from({ length: 6 }, () => cap.take())).toEqual([
      true,
      true,
      true,
      true,
      true,
      false
    ])
    expect(cap.waitMs()).toBe(20)
    t = 19
    expect(cap.take()).toBe(false)
    expect(cap.waitMs()).toBe(1)
    t = 20
    expect(cap.take()).toBe(true)
    expect(cap.take()).toBe(false)
  })

  it('never lets more than burst + qps × T start in any span of T', () => {
    let t = 0
    const cap = createRateCap(100, () => t, 10)
    const starts: number[] = []
    // Asked every millisecond for 3 s, with a long pause in the middle to fill the bucket.
    for (t = 0; t < 3000; t++) {
      if (t > 1000 && t < 2000) continue
      if (cap.take()) starts.push(t)
    }
    for (let i = 0; i < starts.length; i++) {
      for (let j = i; j < starts.length; j++) {
        const span = (starts[j]! - starts[i]!) / 1000
        expect(j - i + 1).toBeLessThanOrEqual(10 + 100 * span + 1e-9)
      }
    }
    // And it does not starve: about 100 a second over the 2 s of asking, plus two bursts.
    expect(starts.length).toBeGreaterThanOrEqual(200)
    expect(starts.length).toBeLessThanOrEqual(221)
  })

  it('keeps a fraction of a token: 0.5 q/s starts one question every two seconds', () => {
    let t = 0
    const cap = createRateCap(0.5, () => t)
    expect(cap.take()).toBe(true)
    expect(cap.take()).toBe(false)
    expect(cap.waitMs()).toBe(2000)
    t = 1999
    expect(cap.take()).toBe(false)
    t = 2000
    expect(cap.take()).toBe(true)
  })

  it('refuses a cap that is not above 0', () => {
    expect(() => createRateCap(0)).toThrow('not above 0')
  })
})

describe('parseRateLimits', () => {
  it('reads a cap for all and caps by name', () => {
    expect(parseRateLimits(['20', 'google=5', 'knot = 0.5', 'quad9=0'], '--rate-limit')).toEqual({
      all: 20,
      byName: { google: 5, knot: 0.5, quad9: 0 }
    })
    expect(parseRateLimits([], '--rate-limit')).toEqual({ byName: {} })
  })

  it.each([['fast'], ['google='], ['-1'], ['1e3'], ['google=2000000'], ['a b=5']])(
    'refuses %s with a message that shows the form',
    (item) => {
      expect(() => parseRateLimits([item], '--rate-limit')).toThrow(UsageError)
      expect(() => parseRateLimits([item], '--rate-limit')).toThrow(`--rate-limit ${item}: `)
    }
  )
})

describe('rateLimitFor', () => {
  it('takes the resolver’s own cap, else the one for all, else the preset’s default', () => {
    const limits = { all: 40, byName: { google: 7, quad9: 0 } }
    expect(rateLimitFor(limits, 'google', PRESET_RATE_LIMITS.google)).toBe(7)
    expect(rateLimitFor(limits, 'cloudflare', PRESET_RATE_LIMITS.cloudflare)).toBe(40)
    expect(rateLimitFor(limits, 'quad9', PRESET_RATE_LIMITS.quad9)).toBeUndefined()
    expect(rateLimitFor(undefined, 'google', PRESET_RATE_LIMITS.google)).toBe(300)
    expect(rateLimitFor(undefined, 'knot')).toBeUndefined()
    expect(rateLimitFor({ byName: {} }, 'knot')).toBeUndefined()
  })

  it('keeps every preset well below the limits its operator publishes', () => {
    // Google: 1,500 q/s per address; Quad9: 500 q/s per address before it asks to be told.
    expect(PRESET_RATE_LIMITS.google! * 5).toBeLessThanOrEqual(1500)
    expect(PRESET_RATE_LIMITS['google-doh']! * 5).toBeLessThanOrEqual(1500)
    expect(PRESET_RATE_LIMITS.quad9! * 5).toBeLessThanOrEqual(500)
    for (const name of ['cloudflare', 'cloudflare-doh', 'opendns']) {
      expect(PRESET_RATE_LIMITS[name]).toBe(PRESET_RATE_LIMITS.quad9)
    }
  })
})
