/**
 * The Mailtrap client against a stand-in that enforces Mailtrap's rate limit as a sliding
 * window per token. The window is scaled (50 per 250 ms, the same shape as 150 per 10 s but
 * faster) so 1,000 calls take seconds; the stand-in is shown to refuse a client that does not
 * hold back, so "no 429" means the client held back. The honest run at 150 per 10 s is in
 * rate-limit-real.test.ts.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { request } from 'undici'
import { createMailtrapClient, type MailtrapClient } from '../../src/mailtrap/client.js'
import { startFakeMailtrap, type FakeMailtrap } from '../support/fake-mailtrap.js'
import { testClock } from '../net/test-clock.js'

const TOKEN = 'rate-token-0f1e2d3c'
const WINDOW = { requests: 50, windowMs: 250 }

const fakes: FakeMailtrap[] = []
const clients: MailtrapClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

async function fake(options: Parameters<typeof startFakeMailtrap>[0] = {}) {
  const f = await startFakeMailtrap({
    token: TOKEN,
    accounts: [{ id: 31001, name: 'A' }],
    ...options
  })
  fakes.push(f)
  return f
}

function client(options: Partial<Parameters<typeof createMailtrapClient>[0]>) {
  const c = createMailtrapClient({ token: TOKEN, ...options })
  clients.push(c)
  return c
}

describe('Mailtrap rate limit', () => {
  it('has a stand-in that refuses a burst over the limit, per token', async () => {
    // A long window, so the whole burst lands in one window however loaded the machine is.
    const f = await fake({ rateLimit: { requests: 50, windowMs: 30_000 } })
    const ask = (token: string) =>
      request(`${f.url}/api/domains/870001`, {
        headers: { authorization: `Bearer ${token}` }
      }).then(async (res) => {
        await res.body.dump()
        return res.statusCode
      })
    const statuses = await Promise.all(Array.from({ length: 80 }, () => ask(TOKEN)))
    expect(statuses.filter((s) => s === 200)).toHaveLength(50)
    expect(statuses.filter((s) => s === 429)).toHaveLength(30)
    expect(f.rateLimited).toBe(30)
    // Another token has a window of its own.
    await expect(ask('another-token')).resolves.toBe(401)
  })

  it('reads 1,000 domains one by one without a single 429 (scaled window)', async () => {
    const f = await fake({ rateLimit: WINDOW })
    const c = client({ baseUrl: f.url, rateLimit: WINDOW })
    const listed = await c.listDomains()
    const read = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => c.getDomain(listed[i % listed.length]!.id))
    )
    expect(read).toHaveLength(1000)
    expect(new Set(read.map((d) => d.domainName)).size).toBe(4)
    expect(f.rateLimited).toBe(0)
    expect(f.requests).toHaveLength(1001)
    expect(f.requests.every((r) => r.status === 200)).toBe(true)
    expect(f.mostInWindow).toBeLessThanOrEqual(WINDOW.requests)
  })

  it('on the account-scoped paths too, with one list request for all the domains', async () => {
    const f = await fake({ rateLimit: WINDOW, families: 'account' })
    const c = client({ baseUrl: f.url, rateLimit: WINDOW })
    const listed = await c.listDomains()
    await Promise.all(Array.from({ length: 300 }, (_, i) => c.getDomain(listed[i % 4]!.id)))
    expect(f.rateLimited).toBe(0)
    const lists = f.requests.filter((r) => /\/(domains|sending_domains)$/.test(r.path))
    expect(lists.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/api/domains 404',
      '/api/accounts/31001/sending_domains 200'
    ])
  })

  it('shares the window between clients of one token, one after another', async () => {
    const limit = { requests: 3, windowMs: 1500 }
    const f = await fake({ rateLimit: limit })
    const first = client({ baseUrl: f.url, rateLimit: limit })
    for (let i = 0; i < 3; i++) await first.getDomain(870001)
    await first.close()
    // A new client, as the next round of `wait` makes: it must wait for the same window.
    const second = client({ baseUrl: f.url, rateLimit: limit })
    for (let i = 0; i < 3; i++) await second.getDomain(870002)
    expect(f.rateLimited).toBe(0)
    // Each client finds the path family first: 4 requests each, all answered.
    expect(f.requests.map((r) => r.status)).toEqual(Array(8).fill(200))
  })

  it('slows down when Mailtrap says few requests are left', async () => {
    const f = await fake({ rateLimit: false })
    const clock = testClock()
    const c = client({ baseUrl: f.url, clock })
    await c.listDomains()
    f.failNext(
      200,
      { id: 1, domain_name: 'x.test', compliance_status: 'compliant' },
      {
        'x-ratelimit-limit': '150',
        'x-ratelimit-remaining': '3'
      }
    )
    await c.getDomain(1)
    await c.getDomain(870001)
    // Paced at the limit's average rate: 10 s / 150 apart.
    expect(clock.sleeps).toHaveLength(1)
    expect(clock.sleeps[0]).toBeCloseTo(10_000 / 150, 1)
  })

  it('backs off on 429 without Retry-After, with jitter, and gives up in bounded time', async () => {
    const f = await fake({ rateLimit: false })
    const clock = testClock()
    const c = client({ baseUrl: f.url, clock, retries: 20, retryBudgetMs: 90_000 })
    await c.listDomains()
    const start = clock.now()
    f.failNext(429, undefined, {}, 100)
    const error = await c.getDomain(870001).then(
      () => undefined,
      (err: Error) => err
    )
    const tries = f.requests.filter((r) => r.status === 429).length
    expect(error?.message).toBe(
      `Mailtrap GET /api/domains/870001 failed after ${tries} tries ` +
        '(gave up: retrying longer than 90 s would not help): rate limited (429): Rate limit exceeded'
    )
    // 0.5, 1, 2, 4, 8, then 10 s ceilings, jittered: never fewer than 9 tries in 90 s, never 21.
    expect(tries).toBeGreaterThanOrEqual(9)
    expect(tries).toBeLessThan(21)
    // The budget bounds the retries' waits; the rate limiter's own pause adds at most 10 s.
    expect(clock.now() - start).toBeLessThanOrEqual(100_000)
  })

  it('gives up on 429s with a long Retry-After once the next wait would pass the budget', async () => {
    const f = await fake({ rateLimit: false })
    const clock = testClock()
    const c = client({ baseUrl: f.url, clock, retries: 10 })
    await c.listDomains()
    f.failNext(429, undefined, { 'retry-after': '40' }, 100)
    const error = await c.getDomain(870001).then(
      () => undefined,
      (err: Error) => err
    )
    expect(error?.message).toMatch(
      /^Mailtrap GET \/api\/domains\/870001 failed after 3 tries \(gave up: retrying longer than 90 s would not help\): rate limited \(429\)/
    )
    expect(f.requests.filter((r) => r.status === 429)).toHaveLength(3)
  })
})
