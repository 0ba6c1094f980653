/**
 * The Mailtrap client against a fake Mailtrap API on loopback that answers with the recorded
 * payloads, and against the ways the API and the network fail (4xx, 429, 5xx, silence,
 * nothing listening, odd bodies). Waits go through a test clock, so no test waits for a backoff
 * and none asserts on the wall clock.
 */
import net from 'node:net'
import { inspect } from 'node:util'
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { request } from 'undici'
import {
  createMailtrapClient,
  MailtrapError,
  type MailtrapClient,
  type MailtrapClientOptions
} from '../../src/mailtrap/client.js'
import {
  readMailtrapFixture,
  startFakeMailtrap,
  type FakeMailtrap,
  type FakeMailtrapOptions
} from '../support/fake-mailtrap.js'
import { stderrDuring } from '../net/stderr.js'
import { testClock, type TestClock } from '../net/test-clock.js'

interface Account {
  id: number
  name: string
}

const TOKEN = 'test-token'

describe('Mailtrap client', () => {
  let accounts: Account[]
  let domains: Record<string, unknown>[]
  const fakes: FakeMailtrap[] = []
  const clients: MailtrapClient[] = []
  const servers: net.Server[] = []
  /** Sockets a silent server holds open; destroyed so the server can close. */
  const held: net.Socket[] = []
  let sleeps: number[]
  let clock: TestClock

  beforeAll(async () => {
    accounts = (await readMailtrapFixture('accounts.json')) as Account[]
    domains = ((await readMailtrapFixture('domains-list.json')) as { data: typeof domains }).data
  })

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await Promise.all(fakes.splice(0).map((f) => f.close()))
    for (const socket of held.splice(0)) socket.destroy()
    await Promise.all(
      servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
    )
  })

  /** A fake Mailtrap; by default the token reaches one account, the first of the fixture. */
  const fake = async (options: FakeMailtrapOptions = {}): Promise<FakeMailtrap> => {
    const started = await startFakeMailtrap({ accounts: [accounts[0]], ...options })
    fakes.push(started)
    return started
  }

  /** A client whose waits are recorded in `sleeps` and pass at once; closed after the test. */
  const client = (baseUrl: string, options: Partial<MailtrapClientOptions> = {}) => {
    clock = testClock()
    sleeps = clock.sleeps
    const created = createMailtrapClient({ token: TOKEN, baseUrl, clock, ...options })
    clients.push(created)
    return created
  }

  /** The error a call rejected with; fails the test if it resolved. */
  const failure = async (promise: Promise<unknown>): Promise<MailtrapError> => {
    const outcome = await promise.then(
      () => undefined,
      (err: unknown) => err
    )
    expect(outcome).toBeInstanceOf(MailtrapError)
    return outcome as MailtrapError
  }

  /** Every way an error can be shown, logged or serialised. */
  const everyRendering = (error: MailtrapError): string[] => [
    error.message,
    String(error),
    error.stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    ...Object.getOwnPropertyNames(error).map((key) => String(Reflect.get(error, key)))
  ]

  it('lists the sending domains of the one account the token reaches', async () => {
    const f = await fake({ families: 'account' })
    const c = client(f.url)
    await expect(c.account()).resolves.toEqual({ id: 31001, name: 'Acme Mail' })
    const list = await c.listDomains()
    expect(list.map((d) => [d.id, d.domainName, d.complianceStatus, d.dnsVerified])).toEqual([
      [870001, 'acme-mail.test', 'unverified_dns', false],
      [870002, 'news.acme-mail.test', 'compliant', true],
      [870003, 'billing.acme-mail.test', 'unverified_dns', false],
      [412233, 'legacy-acme.test', 'compliant', true]
    ])
    expect(list[1]).toEqual({
      id: 870002,
      domainName: 'news.acme-mail.test',
      complianceStatus: 'compliant',
      dnsVerified: true,
      dnsVerifiedAt: '2026-10-02T09:14:27.512Z',
      inboundEnabled: false,
      inboundVerified: false,
      customDomainTrackingEnabled: true,
      records: [
        {
          key: 'verification',
          domain: 'mt07.news.acme-mail.test',
          type: 'CNAME',
          name: 'mt07',
          value: 'smtp.mailtrap.live',
          status: 'pass'
        },
        expect.objectContaining({ key: 'dkim1', name: 'rwmt1._domainkey' }),
        expect.objectContaining({ key: 'dkim2', value: 'rwmt2.dkim.smtp.mailtrap.live' }),
        expect.objectContaining({ key: 'dmarc', type: 'TXT', name: '_dmarc' }),
        expect.objectContaining({ key: 'link_verification', name: 'mt-link' })
      ]
    })
    expect(list[3]?.records.find((r) => r.key === 'spf')).toEqual({
      key: 'spf',
      domain: 'legacy-acme.test',
      type: 'TXT',
      name: '',
      value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all',
      status: 'pass'
    })
    expect(list[3]?.records.at(-1)?.status).toBe('network_error')

    // The account is asked for once, then kept; the spec's path was tried first.
    expect(f.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /api/accounts 200',
      'GET /api/domains 404',
      'GET /api/accounts/31001/sending_domains 200'
    ])
    for (const r of f.requests) {
      expect(r.headers['authorization']).toBe(`Bearer ${TOKEN}`)
      expect(r.headers['api-token']).toBeUndefined()
      expect(r.headers['accept']).toBe('application/json')
      expect(r.headers['user-agent']).toMatch(/^mailtrap-dns-verify\b/)
    }
    expect(sleeps).toEqual([])
  })

  it('asks for 30 domains at once on one client without a listener warning', async () => {
    // Every request listens on the client's close signal while it lasts; a fleet has hundreds.
    const f = await fake({ families: 'account' })
    const c = client(f.url)
    const [first] = await c.listDomains()
    const printed = await stderrDuring(async () => {
      const got = await Promise.all(Array.from({ length: 30 }, () => c.getDomain(first!.id)))
      expect(got.map((d) => d.id)).toEqual(Array(30).fill(first!.id))
    })
    expect(printed).not.toContain('MaxListenersExceededWarning')
  })

  it('names the accounts when the token reaches several and none was chosen', async () => {
    const f = await fake({ accounts, families: 'account' })
    const error = await failure(client(f.url).listDomains())
    expect(error.message).toBe(
      'the token reaches 2 accounts: Acme Mail (31001), Acme Staging (31002); ' +
        'choose one with --mailtrap-account ID (action input mailtrap-account)'
    )
    expect(error.call).toBe('GET /api/accounts')
    expect(error.status).toBeUndefined()
    expect(error.fixable).toBe(true)
    expect(f.requests.map((r) => r.path)).toEqual(['/api/domains', '/api/accounts'])
  })

  it('uses the account chosen by accountId', async () => {
    const f = await fake({ accounts, families: 'account' })
    const c = client(f.url, { accountId: 31002 })
    await expect(c.account()).resolves.toEqual({ id: 31002, name: 'Acme Staging' })
    await expect(c.listDomains()).resolves.toHaveLength(4)
    expect(f.requests.map((r) => r.path)).toEqual([
      '/api/accounts',
      '/api/domains',
      '/api/accounts/31002/sending_domains'
    ])
  })

  it('says which accounts the token reaches when accountId is not one of them', async () => {
    const f = await fake({ accounts, families: 'account' })
    const error = await failure(client(f.url, { accountId: 99999 }).listDomains())
    expect(error.message).toBe(
      'the token does not reach Mailtrap account 99999; ' +
        'it reaches Acme Mail (31001), Acme Staging (31002)'
    )
    expect(error.call).toBe('GET /api/accounts')
  })

  it('reads a partial dmarc record and dns_verified_at "" leniently', async () => {
    const f = await fake()
    const [fresh] = await client(f.url).listDomains()
    expect(fresh?.dnsVerifiedAt).toBeNull()
    expect(fresh?.dnsVerified).toBe(false)
    const dmarc = fresh?.records.find((r) => r.key === 'dmarc')
    expect(dmarc).toEqual({ key: 'dmarc', name: '_dmarc' })
    expect(dmarc?.value).toBeUndefined()
    expect(dmarc?.type).toBeUndefined()
    expect(fresh?.records).toHaveLength(5)
  })

  it('keeps compliance and record statuses it does not know, and ignores new fields', async () => {
    const [first] = domains
    const changed = {
      ...first,
      compliance_status: 'awaiting_new_paperwork',
      sending_region: 'eu',
      dns_records: [
        { key: 'dkim3', type: 'CNAME', name: 'rwmt3._domainkey', status: 'propagating', ttl: 60 },
        { key: 'dmarc', name: '_dmarc', value: null }
      ]
    }
    const f = await fake({ domains: [changed] })
    await expect(client(f.url).listDomains()).resolves.toEqual([
      {
        id: 870001,
        domainName: 'acme-mail.test',
        complianceStatus: 'awaiting_new_paperwork',
        dnsVerified: false,
        dnsVerifiedAt: null,
        inboundEnabled: false,
        inboundVerified: false,
        customDomainTrackingEnabled: false,
        records: [
          { key: 'dkim3', type: 'CNAME', name: 'rwmt3._domainkey', status: 'propagating' },
          { key: 'dmarc', name: '_dmarc' }
        ]
      }
    ])
  })

  it('says which call answered JSON that does not fit even leniently', async () => {
    const f = await fake({ domains: [{ id: 1, dns_records: [{ name: 'x' }] }] })
    const error = await failure(client(f.url).listDomains())
    expect(error.call).toBe('GET /api/domains')
    expect(error.message).toMatch(
      /^Mailtrap GET \/api\/domains answered JSON that is not a list of domains: data\[0\]\.domain_name: .*expected string/
    )
    expect(error.message).not.toContain('\n')

    const g = await fake({ accounts: { id: 31001 } })
    const other = await failure(client(g.url).account())
    expect(other.message).toMatch(
      /^Mailtrap GET \/api\/accounts answered JSON that is not a list of accounts: /
    )
  })

  it('says the token was refused on 401, and the token appears nowhere in the error', async () => {
    const secret = 'wrong-SECRET-7f3a9c21'
    const f = await fake()
    const error = await failure(client(f.url, { token: secret }).listDomains())
    expect(error.message).toBe(
      'Mailtrap refused the API token (401 on GET /api/domains): check the token and its access'
    )
    expect(error.call).toBe('GET /api/domains')
    expect(error.fixable).toBe(true)
    expect(error.status).toBe(401)
    expect(error.name).toBe('MailtrapError')
    for (const text of everyRendering(error)) expect(text).not.toContain(secret)
    expect(f.requests[0]?.headers['authorization']).toBe(`Bearer ${secret}`)
  })

  it('removes the token from error text the API echoes', async () => {
    const secret = 'echo-SECRET-51be02d7'
    const f = await fake({ token: secret })
    f.failNext(403, { errors: [`token ${secret} may not read account 31001`] })
    const error = await failure(client(f.url, { token: secret }).account())
    expect(error.message).toBe(
      'The Mailtrap API token has no access (403 on GET /api/accounts): ' +
        'token *** may not read account 31001'
    )
    for (const text of everyRendering(error)) expect(text).not.toContain(secret)
  })

  it('says the token has no access on 403, with what Mailtrap said', async () => {
    const f = await fake()
    const c = client(f.url)
    await c.account()
    f.failNext(403)
    const error = await failure(c.listDomains())
    expect(error.message).toBe(
      'The Mailtrap API token has no access (403 on GET /api/domains): Account access forbidden'
    )
    expect(error).toMatchObject({ call: 'GET /api/domains', status: 403, fixable: true })
    expect(sleeps).toEqual([])
  })

  it('names the call and the base URL on 404, quoting no HTML page', async () => {
    const f = await fake()
    const error = await failure(client(`${f.url}/nope`).account())
    expect(error.message).toBe(
      `Mailtrap found nothing at GET /api/accounts (404 from ${f.url}/nope)`
    )
    expect(error).toMatchObject({ call: 'GET /api/accounts', status: 404 })
    expect(f.requests.map((r) => r.path)).toEqual(['/nope/api/accounts'])
  })

  it('flattens every shape of 422 errors into one bounded line', async () => {
    const f = await fake()
    const c = client(f.url)
    f.failNext(422)
    const fixture = await failure(c.account())
    expect(fixture.message).toBe(
      "Mailtrap rejected GET /api/accounts (422): Validation failed: Domain name can't be blank, " +
        'Tracking domain name is not a valid domain name'
    )
    expect(fixture.status).toBe(422)

    f.failNext(422, {
      errors: { domain_name: ["can't be blank", 'is invalid'], base: ['Limit\nreached'] }
    })
    const object = await failure(c.account())
    expect(object.message).toBe(
      "Mailtrap rejected GET /api/accounts (422): domain_name: can't be blank, is invalid; " +
        'Limit reached'
    )

    f.failNext(422, { errors: ['first', 'second'] })
    expect((await failure(c.account())).message).toBe(
      'Mailtrap rejected GET /api/accounts (422): first, second'
    )

    f.failNext(422, { errors: `${'x'.repeat(100)}\r\n\u001b[31m${'y'.repeat(400)}` })
    const long = await failure(c.account())
    const said = long.message.slice('Mailtrap rejected GET /api/accounts (422): '.length)
    expect(said.length).toBeLessThanOrEqual(200)
    expect(said).toMatch(/^x{100} \[31my{94}…$/)
    for (const control of ['\r', '\n', '\u001b']) expect(long.message).not.toContain(control)
  })

  it('retries a 429 after the Retry-After it names', async () => {
    const f = await fake()
    f.failNext(429, undefined, { 'retry-after': '1' }, 2)
    const c = client(f.url)
    await expect(c.account()).resolves.toEqual({ id: 31001, name: 'Acme Mail' })
    expect(sleeps).toEqual([1000, 1000])
    expect(f.requests).toHaveLength(3)
  })

  it('reads Retry-After as an HTTP date, and waits at most 60 s', async () => {
    const f = await fake()
    const c = client(f.url)
    f.failNext(429, undefined, { 'retry-after': new Date(clock.now() + 30_000).toUTCString() })
    f.failNext(503, undefined, { 'retry-after': '3600' })
    await c.account()
    expect(sleeps).toEqual([30_000, 60_000])
  })

  it('waits before the next request when no requests are left in the window', async () => {
    const f = await fake()
    f.failNext(200, [accounts[0]], { 'x-ratelimit-remaining': '0' })
    const c = client(f.url)
    await c.account()
    await c.listDomains()
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(250)
    expect(sleeps[0]).toBeLessThanOrEqual(500)
    expect(f.requests).toHaveLength(2)
  })

  it('backs off exponentially on 503 and names the call when the retries run out', async () => {
    const f = await fake()
    f.failNext(503, { errors: 'Down for maintenance' }, {}, 10)
    const error = await failure(client(f.url).account())
    expect(error.message).toBe(
      'Mailtrap GET /api/accounts failed after 4 tries: HTTP 503: Down for maintenance'
    )
    expect(error).toMatchObject({ call: 'GET /api/accounts', status: 503 })
    expect(f.requests).toHaveLength(4)
    expect(sleeps).toHaveLength(3)
    sleeps.forEach((ms, n) => {
      expect(ms).toBeGreaterThanOrEqual(250 * 2 ** n)
      expect(ms).toBeLessThanOrEqual(500 * 2 ** n)
    })
  })

  it('retries a server that never answers, then names the call and the timeout', async () => {
    // Counted by requests sent, not connections: undici may open a spare one after an abort.
    let requests = 0
    const silent = net.createServer((socket) => {
      held.push(socket)
      socket.on('error', () => undefined)
      socket.once('data', () => requests++)
    })
    servers.push(silent)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    const { port } = silent.address() as net.AddressInfo
    const base = `http://127.0.0.1:${port}`
    const error = await failure(client(base, { timeoutMs: 200, retries: 1 }).account())
    expect(error.message).toBe(
      `Mailtrap GET /api/accounts failed after 2 tries: no answer from ${base} within 200 ms`
    )
    expect(error.call).toBe('GET /api/accounts')
    expect(error.status).toBeUndefined()
    expect(requests).toBe(2)
    expect(sleeps).toHaveLength(1)
    // Each try ended on its own deadline of 200 ms.
    expect(clock.timers).toEqual([200, 200])
    expect(clock.fired).toBe(2)
  })

  it('names the call when nothing listens on the port', async () => {
    const probe = net.createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()))
    const { port } = probe.address() as net.AddressInfo
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const base = `http://127.0.0.1:${port}`
    const error = await failure(client(base, { retries: 2 }).listDomains())
    expect(error.message).toBe(
      `Mailtrap GET /api/domains failed after 3 tries: cannot reach ${base}: connection refused`
    )
    expect(error.call).toBe('GET /api/domains')
    expect(error.fixable).toBe(false)
    expect(sleeps).toHaveLength(2)
  })

  it('names the call that answered something that is not JSON', async () => {
    const f = await fake()
    f.failNext(200, '<html><body>Maintenance</body></html>', { 'content-type': 'text/html' })
    const error = await failure(client(f.url).account())
    expect(error.message).toBe(
      'Mailtrap GET /api/accounts answered something that is not JSON (text/html, 37 bytes)'
    )
    expect(error).toMatchObject({ call: 'GET /api/accounts', status: 200 })
  })

  it('takes a base URL with or without a trailing slash', async () => {
    const f = await fake()
    await expect(client(`${f.url}/`).account()).resolves.toMatchObject({ id: 31001 })
    await expect(client(f.url).account()).resolves.toMatchObject({ id: 31001 })
    expect(f.requests.map((r) => r.path)).toEqual(['/api/accounts', '/api/accounts'])
  })

  it('refuses options it cannot use, without showing the token', () => {
    expect(() => createMailtrapClient({ token: '' })).toThrow('Mailtrap API token is empty')
    expect(() => createMailtrapClient({ token: 'a b' })).toThrow(/cannot be sent/)
    expect(() => createMailtrapClient({ token: TOKEN, baseUrl: 'ftp://127.0.0.1' })).toThrow(
      'Mailtrap base URL "ftp://127.0.0.1" is not an http:// or https:// URL'
    )
    expect(() => createMailtrapClient({ token: TOKEN, retries: -1 })).toThrow(/retries/)
  })

  it("uses the spec's paths when they answer: one list request, and says so", async () => {
    const f = await fake({ accounts })
    const lines: string[] = []
    const c = client(f.url, { debug: (line) => lines.push(line) })
    expect(c.pathFamily).toBeUndefined()
    const list = await c.listDomains()
    expect(list.map((d) => d.domainName)).toEqual([
      'acme-mail.test',
      'news.acme-mail.test',
      'billing.acme-mail.test',
      'legacy-acme.test'
    ])
    expect(c.pathFamily).toBe('spec')
    expect(lines).toEqual(["Mailtrap API: using the spec's paths (/api/domains)"])
    // Two accounts, none chosen: no matter, these paths name no account.
    await c.listDomains()
    expect(f.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/domains',
      'GET /api/domains'
    ])
  })

  it('moves to the account-scoped paths on an HTML 404, for the life of the client', async () => {
    const f = await fake({ families: 'account' })
    const lines: string[] = []
    const c = client(f.url, { debug: (line) => lines.push(line) })
    await expect(c.listDomains()).resolves.toHaveLength(4)
    await expect(c.listDomains()).resolves.toHaveLength(4)
    expect(c.pathFamily).toBe('account')
    expect(f.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/api/domains 404',
      '/api/accounts 200',
      '/api/accounts/31001/sending_domains 200',
      '/api/accounts/31001/sending_domains 200'
    ])
    expect(f.requests[0]?.status).toBe(404)
    expect(lines).toEqual([
      'Mailtrap API: GET /api/domains answered 404; using the account-scoped paths ' +
        '(/api/accounts/{id}/sending_domains)'
    ])
  })

  it("works when only the spec's paths exist, without asking for the account", async () => {
    const f = await fake({ families: 'spec', accounts })
    const lines: string[] = []
    const c = client(f.url, { accountId: 31002, debug: (line) => lines.push(line) })
    await expect(c.listDomains()).resolves.toHaveLength(4)
    expect(f.requests.map((r) => r.path)).toEqual(['/api/domains'])
    expect(lines).toEqual([
      "Mailtrap API: using the spec's paths (/api/domains); account 31002 is not used, " +
        'as these paths name no account'
    ])
  })

  it('finds the family once when calls come together', async () => {
    const f = await fake({ families: 'account' })
    const c = client(f.url)
    const lists = await Promise.all([c.listDomains(), c.listDomains(), c.listDomains()])
    expect(lists.map((l) => l.length)).toEqual([4, 4, 4])
    const paths = f.requests.map((r) => r.path)
    expect(paths.filter((p) => p === '/api/domains')).toHaveLength(1)
    expect(paths.filter((p) => p === '/api/accounts')).toHaveLength(1)
    expect(paths.filter((p) => p.endsWith('/sending_domains'))).toHaveLength(3)
  })

  it('does not keep a failed family lookup: the next call asks again', async () => {
    const f = await fake()
    const c = client(f.url, { retries: 0 })
    f.failNext(500, { errors: 'boom' })
    await failure(c.listDomains())
    expect(c.pathFamily).toBeUndefined()
    await expect(c.listDomains()).resolves.toHaveLength(4)
    expect(c.pathFamily).toBe('spec')
  })

  it('keeps every record the API lists, keys it does not know included, and reads leniently', async () => {
    const [first] = domains
    const inbound = {
      ...first,
      compliance_status: null,
      dns_verified: 'yes',
      inbound_enabled: true,
      inbound_verified: false,
      tracking_opt_out_enabled: true,
      custom_domain_tracking_enabled: 'maybe',
      dns_records: [
        ...((first as { dns_records: unknown[] }).dns_records ?? []),
        {
          key: 'inbound_mx',
          domain: 'acme-mail.test',
          type: 'MX',
          name: '',
          value: '10 mx.inbound.mailtrap.live',
          status: 'brand_new_status',
          priority: 10
        },
        { key: 'odd', type: 5, name: null }
      ]
    }
    const f = await fake({ domains: [inbound] })
    const [domain] = await client(f.url).listDomains()
    expect(domain).toMatchObject({
      complianceStatus: 'unknown',
      dnsVerified: false,
      inboundEnabled: true,
      inboundVerified: false,
      trackingOptOutEnabled: true
    })
    expect(domain).not.toHaveProperty('customDomainTrackingEnabled')
    expect(domain?.records.map((r) => r.key)).toEqual([
      'verification',
      'dkim1',
      'dkim2',
      'dmarc',
      'link_verification',
      'inbound_mx',
      'odd'
    ])
    expect(domain?.records.at(-2)).toEqual({
      key: 'inbound_mx',
      domain: 'acme-mail.test',
      type: 'MX',
      name: '',
      value: '10 mx.inbound.mailtrap.live',
      status: 'brand_new_status'
    })
    expect(domain?.records.at(-1)).toEqual({ key: 'odd', type: '5' })
  })

  it('reads one domain as it stands now, on the family in use', async () => {
    const f = await fake()
    const c = client(f.url)
    await c.listDomains()
    const domain = await c.getDomain(870002)
    expect(domain).toMatchObject({
      id: 870002,
      domainName: 'news.acme-mail.test',
      dnsVerified: true
    })
    expect(f.requests.map((r) => r.path)).toEqual(['/api/domains', '/api/domains/870002'])

    const g = await fake({ families: 'account' })
    const d = client(g.url)
    await expect(d.getDomain(870003)).resolves.toMatchObject({
      domainName: 'billing.acme-mail.test'
    })
    await expect(d.getDomain(870001)).resolves.toMatchObject({ domainName: 'acme-mail.test' })
    expect(g.requests.map((r) => r.path)).toEqual([
      '/api/domains',
      '/api/accounts',
      '/api/accounts/31001/sending_domains/870003',
      '/api/accounts/31001/sending_domains/870001'
    ])
  })

  it('says Mailtrap has no such domain on a 404 for it', async () => {
    const f = await fake()
    const c = client(f.url)
    await c.listDomains()
    const error = await failure(c.getDomain(999))
    expect(error.message).toBe(
      `Mailtrap found nothing at GET /api/domains/999 (404 from ${f.url}): Not Found`
    )
    expect(error).toMatchObject({ status: 404, fixable: false, call: 'GET /api/domains/999' })
    await expect(c.getDomain(0)).rejects.toThrow(/not a positive integer/)
  })

  it.each([
    ['both' as const, '/api/domains', { domain: { domain_name: 'new.acme-mail.test' } }],
    [
      'account' as const,
      '/api/accounts/31001/sending_domains',
      { sending_domain: { domain_name: 'new.acme-mail.test' } }
    ]
  ])('creates a domain on the %s paths with that family’s body', async (families, path, body) => {
    const f = await fake({ families })
    const c = client(f.url)
    const created = await c.createDomain(' new.acme-mail.test ')
    expect(created).toMatchObject({
      domainName: 'new.acme-mail.test',
      complianceStatus: 'unverified_dns',
      dnsVerified: false
    })
    expect(created.records.find((r) => r.key === 'verification')?.domain).toBe(
      'mt42.new.acme-mail.test'
    )
    const post = f.requests.find((r) => r.method === 'POST')
    expect(post?.path).toBe(path)
    expect(post?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(post?.body ?? '')).toEqual(body)
    await expect(c.getDomain(created.id)).resolves.toMatchObject({
      domainName: 'new.acme-mail.test'
    })
  })

  it("says why Mailtrap would not create a domain (422), with Mailtrap's words", async () => {
    const f = await fake()
    const c = client(f.url)
    const taken = await failure(c.createDomain('news.acme-mail.test'))
    expect(taken.message).toBe(
      'Mailtrap rejected POST /api/domains (422): domain_name: has already been taken'
    )
    expect(taken).toMatchObject({ status: 422, fixable: false })
    await expect(c.createDomain('  ')).rejects.toThrow(
      'Mailtrap cannot create a domain without a name'
    )
  })

  it('sends a create again after a 429, never after a 5xx or a lost answer', async () => {
    const f = await fake()
    const c = client(f.url, { timeoutMs: 300 })
    await c.listDomains()
    f.failNext(429, undefined, { 'retry-after': '2' })
    await expect(c.createDomain('a.acme-mail.test')).resolves.toMatchObject({ id: 900001 })
    expect(sleeps).toEqual([2000])

    f.failNext(502, { errors: 'Bad gateway' })
    const gateway = await failure(c.createDomain('b.acme-mail.test'))
    expect(gateway.message).toBe(
      'Mailtrap POST /api/domains: HTTP 502: Bad gateway; not sent again, as it may have been ' +
        'carried out: look in Sending Domains before trying again'
    )
    f.stallNext()
    const lost = await failure(c.createDomain('c.acme-mail.test'))
    expect(lost.message).toMatch(
      /^Mailtrap POST \/api\/domains: no answer from .* within 300 ms; not sent again/
    )
    const posts = f.requests.filter((r) => r.method === 'POST').map((r) => r.status)
    expect(posts).toEqual([429, 200, 502, 0])
    expect(sleeps).toEqual([2000])
  })

  it('has a fake that refuses what Mailtrap refuses: Api-Token beside Authorization', async () => {
    const f = await fake()
    const ask = async (headers: Record<string, string>) => {
      const res = await request(`${f.url}/api/accounts`, { headers })
      return { status: res.statusCode, body: await res.body.json() }
    }
    const refused = { status: 401, body: { error: 'Incorrect API token' } }
    await expect(ask({ authorization: `Bearer ${TOKEN}`, 'api-token': TOKEN })).resolves.toEqual(
      refused
    )
    await expect(ask({})).resolves.toEqual(refused)
    await expect(ask({ 'api-token': TOKEN })).resolves.toMatchObject({ status: 200 })
    await expect(ask({ authorization: `Bearer ${TOKEN}` })).resolves.toMatchObject({ status: 200 })
  })

  it('fails calls made after close', async () => {
    const f = await fake()
    const c = client(f.url)
    await c.close()
    const error = await failure(c.account())
    expect(error.message).toMatch(/closed/)
    expect(f.requests).toHaveLength(0)
  })
})
