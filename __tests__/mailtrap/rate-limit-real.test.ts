/**
 * The honest run: 1,000 domains read one by one against a stand-in that enforces Mailtrap's
 * real limit, 150 requests per 10 s per token, draw no 429. It takes about a minute by
 * design (1,001 requests at 150 per 10 s); rate-limit.test.ts runs the same on a scaled window.
 */
import { afterAll, expect, it } from '@jest/globals'
import { createMailtrapClient, MAILTRAP_RATE_LIMIT } from '../../src/mailtrap/client.js'
import { startFakeMailtrap, type FakeMailtrap } from '../support/fake-mailtrap.js'

const TOKEN = 'honest-token-5a4b3c2d'
let f: FakeMailtrap | undefined

afterAll(async () => {
  await f?.close()
})

it('reads 1,000 domains at Mailtrap’s real limit, 150 per 10 s, without a single 429', async () => {
  f = await startFakeMailtrap({ token: TOKEN, rateLimit: MAILTRAP_RATE_LIMIT })
  const c = createMailtrapClient({ token: TOKEN, baseUrl: f.url })
  try {
    const listed = await c.listDomains()
    const read = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => c.getDomain(listed[i % listed.length]!.id))
    )
    expect(read).toHaveLength(1000)
  } finally {
    await c.close()
  }
  expect(f.rateLimited).toBe(0)
  expect(f.requests).toHaveLength(1001)
  expect(f.requests.every((r) => r.status === 200)).toBe(true)
  expect(f.mostInWindow).toBeLessThanOrEqual(150)
}, 180_000)
