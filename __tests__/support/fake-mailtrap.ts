/**
 * A small Mailtrap API on loopback for tests. It serves the recorded sample payloads of the
 * shared fixtures on both path families (the spec's `/api/domains[/{id}]` and the account-scoped
 * `/api/accounts/{id}/sending_domains[/{id}]`), or on one of them only; takes creates on both;
 * checks the token as Mailtrap does; enforces Mailtrap's rate limit (150 per 10 s per token, the
 * window scalable for test speed); and can stage any error real clients meet (4xx, an HTML 404,
 * 429 with Retry-After, 5xx, a stall, bodies that echo the token back).
 */
import { readFile } from 'node:fs/promises'
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The recorded API payloads, copied from the project's shared fixtures (`shared/fixtures/mailtrap`
 * beside the repository) so the suite runs from a clone alone; a test keeps the copy current.
 */
export const MAILTRAP_FIXTURES = new URL('../fixtures/mailtrap/', import.meta.url)

/** A fixture payload by file name (`accounts.json`), parsed. */
export async function readMailtrapFixture(name: string): Promise<unknown> {
  return JSON.parse(await readFile(new URL(name, MAILTRAP_FIXTURES), 'utf8')) as unknown
}

/**
 * Which API paths exist: `both` (default); `account`, the account-scoped paths only, the spec's
 * answering 404 with an HTML page as a missing route does; `spec`, the spec's paths only.
 */
export type FakeMailtrapFamilies = 'both' | 'account' | 'spec'

/** Options for {@link startFakeMailtrap}. */
export interface FakeMailtrapOptions {
  /** The token it accepts. Default `test-token`. */
  token?: string
  /** What GET /api/accounts answers. Default: the two accounts of `accounts.json`. */
  accounts?: unknown
  /** The sending domains of every known account. Default: the data of `domains-list.json`. */
  domains?: unknown[]
  families?: FakeMailtrapFamilies
  /** The limit enforced per token, sliding. Default Mailtrap's 150 per 10 s; false for none. */
  rateLimit?: { requests: number; windowMs: number } | false
  /** The token may read but not create: every POST is answered 403, as Mailtrap answers it. */
  readOnly?: boolean
  /** Seconds sent as `Retry-After` with the enforced limit's 429s. Default: none, as Mailtrap's docs name none. */
  retryAfterSeconds?: number
}

/** One request as the server saw it. */
export interface FakeMailtrapRequest {
  method: string
  /** Path and query, as sent. */
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** How it was answered (0 for a stall). */
  status: number
}

/** A staged answer's body: a value, or one made from the token the request carried. */
export type StagedBody = unknown | ((token: string) => unknown)

/** A running fake. */
export interface FakeMailtrap {
  /** `http://127.0.0.1:<port>`, the base URL to give the client. */
  url: string
  /** Every request received, in order, whatever it was answered with. */
  requests: FakeMailtrapRequest[]
  /** The sending domains as they stand, created ones included. */
  domains: unknown[]
  /** 429s the enforced rate limit sent (staged ones not counted). */
  readonly rateLimited: number
  /** The most requests of one token within any window. */
  readonly mostInWindow: number
  /**
   * Answers the next `times` requests (default 1), whatever they ask, with `status` and `body`
   * (default: the fixture error body for that status, if there is one). A string body is sent
   * as it is (`text/plain` unless `headers` say otherwise), anything else as JSON; a function
   * is called with the request's token first. `headers` are added to (and override) the usual
   * ones. Calls queue up in order.
   */
  failNext(
    status: number,
    body?: StagedBody,
    headers?: Record<string, string>,
    times?: number
  ): void
  /** The next `times` requests (default 1) are read and never answered. */
  stallNext(times?: number): void
  /** Closes the server, dropping connections held open. */
  close(): Promise<void>
}

/** Mailtrap's rate limit: 150 requests per 10 s per token. */
const RATE_LIMIT = { requests: 150, windowMs: 10_000 }

/** What Mailtrap's web front answers for a route it does not have. */
const HTML_404 =
  "<!DOCTYPE html>\n<html><head><title>The page you were looking for doesn't exist (404)</title></head>" +
  '<body><h1>404</h1><p>Not Found</p></body></html>\n'

interface Staged {
  status: number | 'stall'
  body: StagedBody
  headers: Record<string, string>
  left: number
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeMailtrap(options: FakeMailtrapOptions = {}): Promise<FakeMailtrap> {
  const token = options.token ?? 'test-token'
  const families = options.families ?? 'both'
  const limit = options.rateLimit === false ? undefined : (options.rateLimit ?? RATE_LIMIT)
  const errors = {
    401: await readMailtrapFixture('error-401.json'),
    403: await readMailtrapFixture('error-403.json'),
    404: await readMailtrapFixture('error-404.json'),
    422: await readMailtrapFixture('error-422.json'),
    429: await readMailtrapFixture('error-429.json')
  } as Record<number, unknown>
  const template = (await readMailtrapFixture('domain-new.json')) as Record<string, unknown>
  const accounts = options.accounts ?? (await readMailtrapFixture('accounts.json'))
  const domains: unknown[] = [
    ...(options.domains ??
      ((await readMailtrapFixture('domains-list.json')) as { data: unknown[] }).data)
  ]
  const accountIds = new Set(
    (Array.isArray(accounts) ? accounts : [])
      .map((a: unknown) => (a as { id?: unknown } | null)?.id)
      .filter((id): id is number => typeof id === 'number')
  )
  let nextId = 900001

  const requests: FakeMailtrapRequest[] = []
  const staged: Staged[] = []
  /** When each recent request of each token came. */
  const recent = new Map<string, number[]>()
  let rateLimited = 0
  let mostInWindow = 0

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const seen: FakeMailtrapRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0
      }
      requests.push(seen)
      answer(req, res, seen)
    })
  })

  function answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    seen: FakeMailtrapRequest
  ): void {
    const authorization = req.headers['authorization']
    const apiToken = req.headers['api-token']
    const sent =
      typeof authorization === 'string'
        ? authorization.replace(/^Bearer /, '')
        : typeof apiToken === 'string'
          ? apiToken
          : ''
    const now = Date.now()
    const times = (recent.get(sent) ?? []).filter((t) => limit && now - t < limit.windowMs)
    times.push(now)
    recent.set(sent, times)
    mostInWindow = Math.max(mostInWindow, times.length)
    const rateHeaders: Record<string, string> = limit
      ? {
          'x-ratelimit-limit': String(limit.requests),
          'x-ratelimit-remaining': String(Math.max(limit.requests - times.length, 0))
        }
      : {}
    const send = (status: number, body: StagedBody, extra: Record<string, string> = {}): void => {
      seen.status = status
      const value = typeof body === 'function' ? (body as (t: string) => unknown)(sent) : body
      const raw = typeof value === 'string'
      res.writeHead(status, {
        'content-type': raw ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        ...rateHeaders,
        ...extra
      })
      res.end(raw ? value : JSON.stringify(value))
    }
    const html404 = (): void => send(404, HTML_404, { 'content-type': 'text/html; charset=utf-8' })

    const stage = staged[0]
    if (stage) {
      if (--stage.left <= 0) staged.shift()
      if (stage.status === 'stall') return
      send(stage.status, stage.body ?? errors[stage.status] ?? '', stage.headers)
      return
    }
    if (options.readOnly && req.method === 'POST') return send(403, errors[403])
    if (limit && times.length > limit.requests) {
      rateLimited++
      const retry = options.retryAfterSeconds
      return send(429, errors[429], retry === undefined ? {} : { 'retry-after': String(retry) })
    }

    // Mailtrap takes `Authorization: Bearer` or `Api-Token`, and refuses both at once.
    const bearer = authorization === `Bearer ${token}`
    const authorized =
      authorization !== undefined ? bearer && apiToken === undefined : apiToken === token
    if (!authorized) return send(401, errors[401])

    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const method = req.method
    if (method === 'GET' && path === '/api/accounts') return send(200, accounts)

    const spec = /^\/api\/domains(?:\/(\d+))?$/.exec(path)
    const scoped = /^\/api\/accounts\/(\d+)\/sending_domains(?:\/(\d+))?$/.exec(path)
    const route = spec && families !== 'account' ? { id: spec[1], wrapper: 'domain' } : undefined
    const other =
      scoped && families !== 'spec' ? { id: scoped[2], wrapper: 'sending_domain' } : undefined
    if (other && !accountIds.has(Number(scoped?.[1]))) return send(403, errors[403])
    const found = route ?? other
    if (!found) return html404()
    if (method === 'GET' && found.id === undefined) return send(200, { data: domains })
    if (method === 'GET') {
      const domain = domains.find((d) => (d as { id?: unknown } | null)?.id === Number(found.id))
      return domain === undefined ? send(404, errors[404]) : send(200, domain)
    }
    if (method === 'POST' && found.id === undefined) {
      return create(seen.body, found.wrapper, send)
    }
    html404()
  }

  function create(
    body: string,
    wrapper: string,
    send: (status: number, body: unknown) => void
  ): void {
    let name: unknown
    try {
      name = (JSON.parse(body) as Record<string, { domain_name?: unknown }>)[wrapper]?.domain_name
    } catch {
      name = undefined
    }
    if (typeof name !== 'string' || name.trim() === '') return send(422, errors[422])
    const taken = domains.some((d) => (d as { domain_name?: unknown }).domain_name === name)
    if (taken) return send(422, { errors: { domain_name: ['has already been taken'] } })
    const records = (template.dns_records as Record<string, unknown>[]).map((r) => ({
      ...r,
      ...(typeof r.domain === 'string'
        ? { domain: r.domain.replace('acme-mail.test', name as string) }
        : {})
    }))
    const domain = { ...template, id: nextId++, domain_name: name, dns_records: records }
    domains.push(domain)
    send(200, domain)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    domains,
    get rateLimited() {
      return rateLimited
    },
    get mostInWindow() {
      return mostInWindow
    },
    failNext(status, body, headers = {}, times = 1): void {
      staged.push({ status, body, headers, left: times })
    },
    stallNext(times = 1): void {
      staged.push({ status: 'stall', body: undefined, headers: {}, left: times })
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    }
  }
}
