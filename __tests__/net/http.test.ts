/**
 * The HTTP transport against node:http servers on loopback: the size cap, the deadline, a
 * refused connection, close() in flight, the rate limiter fed from headers, and the URL rules.
 */
import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import { createHttpTransport, type HttpTransport } from '../../src/net/http.js'
import { createRateLimiter } from '../../src/net/rate-limit.js'
import { parseHttpUrl } from '../../src/net/url.js'
import { stderrDuring } from './stderr.js'
import { testClock } from './test-clock.js'

const servers: http.Server[] = []
const transports: HttpTransport[] = []

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()))
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve())
          s.closeAllConnections()
        })
    )
  )
})

/** A server answering each request with `handle`; its URL. */
async function serve(handle: http.RequestListener): Promise<string> {
  const server = http.createServer(handle)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
}

function transport(options: Partial<Parameters<typeof createHttpTransport>[0]> = {}) {
  const t = createHttpTransport({ timeoutMs: 2000, maxBodyBytes: 100, ...options })
  transports.push(t)
  return t
}

describe('createHttpTransport', () => {
  it('reads a body up to the cap for its status, and reports Retry-After', async () => {
    const url = await serve((req, res) => {
      const status = req.url === '/big' ? 200 : req.url === '/error' ? 503 : 200
      res.writeHead(status, { 'retry-after': '4' })
      res.end('x'.repeat(req.url === '/small' ? 100 : 150))
    })
    const t = transport({ maxErrorBodyBytes: 200 })
    const small = await t.exchange({ method: 'GET', url: `${url}/small`, headers: {} })
    expect(small).toMatchObject({ kind: 'response', status: 200, retryAfterMs: 4000 })
    expect(small.kind === 'response' && small.body?.length).toBe(100)
    const big = await t.exchange({ method: 'GET', url: `${url}/big`, headers: {} })
    expect(big).toMatchObject({ kind: 'response', status: 200, body: undefined })
    const error = await t.exchange({ method: 'GET', url: `${url}/error`, headers: {} })
    expect(error.kind === 'response' && error.body?.length).toBe(150)
  })

  it('ends a try that gets no answer at its deadline, armed on the clock', async () => {
    const url = await serve(() => undefined)
    const clock = testClock()
    const t = transport({ timeoutMs: 150, clock })
    const result = await t.exchange({ method: 'GET', url, headers: {} })
    expect(result).toEqual({
      kind: 'failure',
      timedOut: true,
      aborted: false,
      notSent: false,
      reason: 'no answer within 150 ms'
    })
    expect(clock.timers).toEqual([150])
    expect(clock.fired).toBe(1)
  })

  it('says a refused connection sent nothing', async () => {
    const probe = net.createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()))
    const { port } = probe.address() as net.AddressInfo
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const result = await transport().exchange({
      method: 'POST',
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: '{}'
    })
    expect(result).toMatchObject({ kind: 'failure', notSent: true, reason: 'connection refused' })
  })

  it('aborts what is in flight on close, and sends nothing after', async () => {
    let arrived = 0
    const url = await serve(() => arrived++)
    const t = transport()
    const pending = t.exchange({ method: 'GET', url, headers: {} })
    while (arrived === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    await t.close()
    expect(await pending).toMatchObject({ kind: 'failure', aborted: true, timedOut: false })
    expect(await t.exchange({ method: 'GET', url, headers: {} })).toMatchObject({
      kind: 'failure',
      aborted: true,
      notSent: true
    })
    expect(arrived).toBe(1)
  })

  it('takes a slot from the rate limiter for each request and tells it what headers said', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'x-ratelimit-limit': '150', 'x-ratelimit-remaining': '0' })
      res.end('{}')
    })
    const clock = testClock()
    const limiter = createRateLimiter({ requests: 150, windowMs: 10_000 }, clock, () => 1)
    const t = transport({ clock, rateLimiter: limiter })
    await t.exchange({ method: 'GET', url, headers: {} })
    await t.exchange({ method: 'GET', url, headers: {} })
    // None left after the first: the second waited the limiter's first backoff.
    expect(clock.sleeps).toEqual([500])
  })

  it('keeps 50 exchanges in flight on its one close signal without a listener warning', async () => {
    // A fleet with a Mailtrap token has many requests waiting at once; Node warns on stderr
    // ("MaxListenersExceededWarning") past 10 listeners on one AbortSignal unless told not to.
    const url = await serve((_req, res) => setTimeout(() => res.end('ok'), 50))
    const printed = await stderrDuring(async () => {
      const t = transport()
      const results = await Promise.all(
        Array.from({ length: 50 }, () => t.exchange({ method: 'GET', url, headers: {} }))
      )
      expect(results.every((r) => r.kind === 'response' && r.status === 200)).toBe(true)
    })
    expect(printed).not.toContain('MaxListenersExceededWarning')
  })
})

describe('parseHttpUrl', () => {
  it('takes http and https, strips userinfo and fragment, and keeps the credentials apart', () => {
    const parsed = parseHttpUrl('https://al%40ice:s3cr%40t@dns.example/q?x=1#frag', 'DoH x:')
    expect(parsed.url.href).toBe('https://dns.example/q?x=1')
    expect(parsed.basicAuth).toBe(`Basic ${Buffer.from('al@ice:s3cr@t').toString('base64')}`)
    expect(parsed.secrets).toEqual(['al%40ice', 'al@ice', 's3cr%40t', 's3cr@t'])
    expect(parseHttpUrl('http://127.0.0.1:8080', 'x').basicAuth).toBeUndefined()
  })

  it.each([
    ['ftp://bob:hunter2@127.0.0.1/q', 'L "ftp://127.0.0.1/q" is not an http:// or https:// URL!'],
    ['file:///etc/passwd', 'L "file:///etc/passwd" is not an http:// or https:// URL!'],
    ['//bob:hunter2@host', 'L "//host" is not a valid URL'],
    ['bob:p@ss@host/x', 'L "bob:host/x" is not an http:// or https:// URL!'],
    ['https://bob:hunter2@', 'L "https://" is not a valid URL']
  ])('refuses %j without repeating its password', (text, message) => {
    expect(() => parseHttpUrl(text, 'L', '!')).toThrow(message)
  })
})
