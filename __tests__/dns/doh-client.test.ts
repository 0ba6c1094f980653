/**
 * The DoH client against a loopback RFC 8484 relay in front of a real Knot DNS, and against
 * the relay switched into the ways endpoints fail (5xx, 4xx, HTML, garbage, silence).
 */
import net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import {
  createDohResolver,
  DOH_PRESETS,
  type DohResolverOptions
} from '../../src/dns/doh-client.js'
import type { Resolver } from '../../src/dns/types.js'
import { startDohRelay, type DohRelay } from '../support/doh-relay.js'
import { startKnot, type KnotServer } from '../support/knot.js'
import { testClock } from '../net/test-clock.js'

const ZONE = `$ORIGIN example.test.
$TTL 300
@       IN SOA ns1.example.test. hostmaster.example.test. ( 2024010101 3600 600 86400 300 )
@       IN NS  ns1
ns1     IN A   127.0.0.1
www     IN A   192.0.2.1
mt07    IN CNAME mt07.dkim.example.net.
spf     IN TXT "v=spf1 include:_spf.example.net " "include:_spf.example.org" " ~all"
`

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('DoH client', () => {
  let knot: KnotServer
  const relays: DohRelay[] = []
  const resolvers: Resolver[] = []

  beforeAll(async () => {
    knot = await startKnot({ zones: { 'example.test': ZONE } })
  })

  afterEach(async () => {
    await Promise.all(resolvers.splice(0).map((r) => r.close()))
    await Promise.all(relays.splice(0).map((r) => r.close()))
  })

  afterAll(async () => {
    await knot?.stop()
  })

  /** A relay in front of Knot; closed after the test. */
  const relay = async (): Promise<DohRelay> => {
    const started = await startDohRelay({ host: knot.host, port: knot.port })
    relays.push(started)
    return started
  }

  /** A resolver named `corp`; closed after the test. */
  const doh = (url: string, options: Partial<DohResolverOptions> = {}): Resolver => {
    const resolver = createDohResolver({ name: 'corp', url, timeoutMs: 1000, ...options })
    resolvers.push(resolver)
    return resolver
  }

  it('answers A through the relay, with the AA flag and RD passed through', async () => {
    const r = await relay()
    const resolver = doh(r.url)
    expect(resolver).toMatchObject({ name: 'corp', kind: 'doh', address: r.url })
    const outcome = await resolver.query({ name: 'WWW.Example.Test.', type: 'A' })
    expect(outcome).toEqual({
      ok: true,
      response: {
        rcode: 'NOERROR',
        flags: { aa: true, tc: false, rd: true, ra: false },
        answers: [{ name: 'www.example.test', type: 'A', ttl: 300, data: '192.0.2.1' }],
        authority: []
      }
    })
    const headers = r.lastHeaders()
    expect(headers?.['content-type']).toBe('application/dns-message')
    expect(headers?.['accept']).toBe('application/dns-message')
    expect(headers?.['authorization']).toBeUndefined()
  })

  it('answers CNAME, and TXT with its strings kept', async () => {
    const resolver = doh((await relay()).url)
    const cname = await resolver.query({ name: 'mt07.example.test', type: 'CNAME' })
    expect(cname.ok && cname.response.answers).toEqual([
      { name: 'mt07.example.test', type: 'CNAME', ttl: 300, data: 'mt07.dkim.example.net' }
    ])
    const txt = await resolver.query({ name: 'spf.example.test', type: 'TXT' })
    expect(txt.ok && txt.response.answers).toEqual([
      {
        name: 'spf.example.test',
        type: 'TXT',
        ttl: 300,
        data: 'v=spf1 include:_spf.example.net include:_spf.example.org ~all',
        strings: ['v=spf1 include:_spf.example.net ', 'include:_spf.example.org', ' ~all']
      }
    ])
  })

  it('answers NXDOMAIN with the SOA in the authority section', async () => {
    const resolver = doh((await relay()).url)
    const outcome = await resolver.query({ name: 'missing.example.test', type: 'TXT' })
    expect(outcome.ok).toBe(true)
    if (!outcome.ok) return
    expect(outcome.response.rcode).toBe('NXDOMAIN')
    expect(outcome.response.flags.aa).toBe(true)
    expect(outcome.response.answers).toEqual([])
    expect(outcome.response.authority).toEqual([
      {
        name: 'example.test',
        type: 'SOA',
        ttl: 300,
        data: 'ns1.example.test hostmaster.example.test 2024010101 3600 600 86400 300'
      }
    ])
  })

  it('takes a content type in any case and with parameters', async () => {
    const r = await relay()
    r.contentType = 'Application/DNS-Message; charset=binary'
    const outcome = await doh(r.url).query({ name: 'www.example.test', type: 'A' })
    expect(outcome.ok && outcome.response.answers[0]?.data).toBe('192.0.2.1')
  })

  it('sends identical questions once, concurrent or later, and keeps the outcome', async () => {
    const r = await relay()
    r.delayMs = 50
    const resolver = doh(r.url)
    const outcomes = await Promise.all([
      resolver.query({ name: 'www.example.test', type: 'A' }),
      resolver.query({ name: 'WWW.EXAMPLE.TEST.', type: 'a' }),
      resolver.query({ name: 'www.example.test', type: 'A' }),
      resolver.query({ name: 'spf.example.test', type: 'TYPE16' })
    ])
    expect(outcomes.every((o) => o.ok)).toBe(true)
    expect(outcomes[0]).toBe(outcomes[1])
    expect(r.requests()).toBe(2)
    await resolver.query({ name: 'spf.example.test', type: 'TXT' })
    await resolver.query({ name: 'www.example.test.', type: 'A' })
    expect(r.requests()).toBe(2)
  })

  it('keeps at most maxInFlight requests in flight', async () => {
    const r = await relay()
    r.delayMs = 30
    const resolver = doh(r.url, { maxInFlight: 2 })
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => resolver.query({ name: `q${i}.example.test`, type: 'A' }))
    )
    expect(outcomes.map((o) => o.ok && o.response.rcode)).toEqual(Array(6).fill('NXDOMAIN'))
    expect(r.requests()).toBe(6)
    expect(r.maxConcurrent()).toBe(2)
  })

  it('retries a 5xx, and says so when every try got one', async () => {
    const r = await relay()
    r.mode = 'http-503'
    const resolver = doh(r.url)
    const outcome = await resolver.query({ name: 'MT07.example.test', type: 'CNAME' })
    expect(outcome).toEqual({
      ok: false,
      error: `corp (${r.url}): HTTP 503 for mt07.example.test CNAME after 2 tries`
    })
    expect(r.requests()).toBe(2)
    // The endpoint answered, if badly: it is not given up on.
    r.mode = 'relay'
    const next = await resolver.query({ name: 'www.example.test', type: 'A' })
    expect(next.ok).toBe(true)
    expect(r.requests()).toBe(3)
  })

  it('takes the answer to a retry after a 5xx', async () => {
    const r = await relay()
    r.next = ['http-503']
    const outcome = await doh(r.url).query({ name: 'www.example.test', type: 'A' })
    expect(outcome.ok && outcome.response.answers[0]?.data).toBe('192.0.2.1')
    expect(r.requests()).toBe(2)
  })

  it('retries a try that timed out, and keeps the endpoint once it answered', async () => {
    const r = await relay()
    r.next = ['silent']
    const resolver = doh(r.url, { timeoutMs: 150 })
    const outcome = await resolver.query({ name: 'www.example.test', type: 'A' })
    expect(outcome.ok && outcome.response.answers[0]?.data).toBe('192.0.2.1')
    expect(r.requests()).toBe(2)
    // Silence now costs this question its tries, but the endpoint is not given up on.
    r.mode = 'silent'
    const lost = await resolver.query({ name: 'spf.example.test', type: 'TXT' })
    expect(!lost.ok && lost.error).toMatch(/no answer for spf\.example\.test TXT after 2 tries/)
    r.mode = 'relay'
    const back = await resolver.query({ name: 'mt07.example.test', type: 'CNAME' })
    expect(back.ok).toBe(true)
    expect(r.requests()).toBe(5)
  })

  it('retries a 429 after its Retry-After, capped at a second', async () => {
    const r = await relay()
    r.next = ['http-429']
    const clock = testClock()
    const outcome = await doh(r.url, { clock }).query({ name: 'www.example.test', type: 'A' })
    expect(outcome.ok && outcome.response.answers[0]?.data).toBe('192.0.2.1')
    expect(r.requests()).toBe(2)
    expect(clock.sleeps).toEqual([1000])
  })

  it('does not retry a 4xx', async () => {
    const r = await relay()
    r.mode = 'http-400'
    const outcome = await doh(r.url, { tries: 3 }).query({ name: 'www.example.test', type: 'A' })
    expect(outcome).toEqual({
      ok: false,
      error: `corp (${r.url}): HTTP 400 for www.example.test A`
    })
    expect(r.requests()).toBe(1)
  })

  it('names a wrong content type, without retrying', async () => {
    const r = await relay()
    r.mode = 'text-html'
    const outcome = await doh(r.url).query({ name: 'www.example.test', type: 'A' })
    expect(outcome).toEqual({
      ok: false,
      error: `corp (${r.url}): answered text/html; charset=utf-8, not application/dns-message, when asked for www.example.test A`
    })
    expect(r.requests()).toBe(1)
  })

  it('says a body that is not a DNS message is not one', async () => {
    const r = await relay()
    r.mode = 'garbage'
    const outcome = await doh(r.url).query({ name: 'www.example.test', type: 'TXT' })
    expect(outcome.ok).toBe(false)
    expect(!outcome.ok && outcome.error).toMatch(
      new RegExp(
        `^corp \\(${escape(r.url)}\\): answered something that is not a DNS message when asked for www\\.example\\.test TXT \\(`
      )
    )
    expect(r.requests()).toBe(1)
  })

  it('refuses an answer to another question', async () => {
    const r = await relay()
    r.mode = 'wrong-question'
    const outcome = await doh(r.url).query({ name: 'www.example.test', type: 'A' })
    expect(outcome).toEqual({
      ok: false,
      error: `corp (${r.url}): answered another question (other.www.example.test A) when asked for www.example.test A`
    })
  })

  it('times out on a silent endpoint, then fails fast for the next question', async () => {
    const r = await relay()
    r.mode = 'silent'
    const clock = testClock()
    const resolver = doh(r.url, { timeoutMs: 150, clock })
    const first = await resolver.query({ name: 'mt07.example.test', type: 'CNAME' })
    expect(first).toEqual({
      ok: false,
      error: `corp (${r.url}): no answer for mt07.example.test CNAME after 2 tries of 150 ms`
    })
    expect(r.requests()).toBe(2)
    // Two deadlines of 150 ms ran out, with a short jittered backoff between the tries.
    expect(clock.timers).toEqual([150, 150])
    expect(clock.fired).toBe(2)
    expect(clock.sleeps).toHaveLength(1)
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(10)
    expect(clock.sleeps[0]).toBeLessThanOrEqual(20)
    const second = await resolver.query({ name: 'www.example.test', type: 'A' })
    expect(second).toEqual({
      ok: false,
      error: `corp (${r.url}): no answer for www.example.test A: not asked, the server has not answered anything (gave up after 2 tries of 150 ms)`
    })
    // Failing fast: no request, no deadline armed, no wait.
    expect(r.requests()).toBe(2)
    expect(clock.timers).toHaveLength(2)
    expect(clock.sleeps).toHaveLength(1)
  })

  it('fails every question waiting on a dead endpoint after one round of timeouts', async () => {
    const r = await relay()
    r.mode = 'silent'
    const clock = testClock()
    const resolver = doh(r.url, { timeoutMs: 150, maxInFlight: 2, clock })
    const outcomes = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((n) => resolver.query({ name: `${n}.example.test`, type: 'A' }))
    )
    expect(outcomes.every((o) => !o.ok)).toBe(true)
    // One round: the two questions in flight used their tries; the three waiting sent nothing.
    expect(r.requests()).toBe(4)
    expect(clock.timers).toEqual([150, 150, 150, 150])
  })

  it('names a refused connection, then fails fast', async () => {
    const port = await closedPort()
    const url = `http://127.0.0.1:${port}/dns-query`
    const resolver = doh(url)
    const first = await resolver.query({ name: 'www.example.test', type: 'A' })
    expect(first).toEqual({
      ok: false,
      error: `corp (${url}): connection refused for www.example.test A after 2 tries`
    })
    const second = await resolver.query({ name: 'spf.example.test', type: 'TXT' })
    expect(!second.ok && second.error).toBe(
      `corp (${url}): no answer for spf.example.test TXT: not asked, the server has not answered anything (gave up after 2 tries: connection refused)`
    )
  })

  it('sends credentials from the URL as Basic auth and never shows them', async () => {
    const r = await relay()
    const withUser = r.url.replace('http://', 'http://alice:s3cr%40t@')
    const resolver = doh(withUser)
    expect(resolver.address).toBe(r.url)
    const ok = await resolver.query({ name: 'www.example.test', type: 'A' })
    expect(ok.ok).toBe(true)
    expect(r.lastHeaders()?.['authorization']).toBe(
      `Basic ${Buffer.from('alice:s3cr@t').toString('base64')}`
    )
    r.mode = 'http-503'
    const failed = await resolver.query({ name: 'mt07.example.test', type: 'CNAME' })
    expect(failed).toEqual({
      ok: false,
      error: `corp (${r.url}): HTTP 503 for mt07.example.test CNAME after 2 tries`
    })

    const refusedUrl = `http://bob:hunter2@127.0.0.1:${await closedPort()}/dns-query`
    const refused = await doh(refusedUrl).query({ name: 'www.example.test', type: 'A' })
    expect(!refused.ok && refused.error).toMatch(/connection refused/)
    for (const message of [resolver.address, !refused.ok ? refused.error : '']) {
      expect(message).not.toMatch(/alice|s3cr|bob|hunter2/)
    }
    expect(() => createDohResolver({ name: 'x', url: 'ftp://carol:pw123@127.0.0.1/q' })).toThrow(
      'DoH server x: "ftp://127.0.0.1/q" is not an http:// or https:// URL'
    )
  })

  it('settles requests in flight when closed, and refuses new questions', async () => {
    const r = await relay()
    r.mode = 'silent'
    const resolver = doh(r.url, { timeoutMs: 5000 })
    const pending = resolver.query({ name: 'www.example.test', type: 'A' })
    // Let the request reach the relay before closing.
    while (r.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    await resolver.close()
    expect(await pending).toEqual({
      ok: false,
      error: `corp (${r.url}): closed before www.example.test A was answered`
    })
    const after = await resolver.query({ name: 'spf.example.test', type: 'TXT' })
    expect(after).toEqual({
      ok: false,
      error: `corp (${r.url}): closed, cannot ask for spf.example.test TXT`
    })
  })

  it('turns a question that cannot be encoded into an outcome, without a request', async () => {
    const r = await relay()
    const resolver = doh(r.url)
    const long = await resolver.query({ name: `${'a'.repeat(64)}.example.test`, type: 'A' })
    expect(!long.ok && long.error).toMatch(
      new RegExp(`^corp \\(${escape(r.url)}\\): cannot ask for a+\\.example\\.test A: .*63`)
    )
    const bogus = await resolver.query({ name: 'example.test', type: 'BOGUS' })
    expect(!bogus.ok && bogus.error).toMatch(/unknown record type BOGUS/)
    expect(r.requests()).toBe(0)
  })
})

describe('createDohResolver options', () => {
  it.each([
    ['ftp://127.0.0.1/dns-query', 'is not an http:// or https:// URL'],
    ['dns://127.0.0.1', 'is not an http:// or https:// URL'],
    ['127.0.0.1/dns-query', 'is not a valid URL'],
    ['https://', 'is not a valid URL'],
    ['', 'is not a valid URL']
  ])('rejects %j', (url, message) => {
    expect(() => createDohResolver({ name: 'bad', url })).toThrow(
      `DoH server bad: "${url}" ${message}`
    )
  })

  it('takes https URLs without contacting them, and checks its numbers', async () => {
    const r = createDohResolver({ name: 'google-doh', url: DOH_PRESETS['google-doh'] })
    expect(r).toMatchObject({ kind: 'doh', address: 'https://dns.google/dns-query' })
    await r.close()
    expect(DOH_PRESETS).toEqual({
      'cloudflare-doh': 'https://cloudflare-dns.com/dns-query',
      'google-doh': 'https://dns.google/dns-query'
    })
    expect(() => createDohResolver({ name: 'n', url: 'http://127.0.0.1/', tries: 0 })).toThrow(
      'DoH server n: tries must be an integer from 1 to 100'
    )
    expect(() =>
      createDohResolver({ name: 'n', url: 'http://127.0.0.1/', timeoutMs: 1.5 })
    ).toThrow(/timeoutMs must be an integer/)
  })
})

/** A loopback port that was free a moment ago, so connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
