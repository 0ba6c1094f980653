/**
 * A small Mailtrap API on loopback for tests: the documented account-scoped endpoints,
 * answering with the recorded sample payloads from the shared fixtures, checking the token as
 * Mailtrap does, and switchable into the errors real clients meet (4xx, 429, 5xx, odd bodies).
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

/** Options for {@link startFakeMailtrap}. */
export interface FakeMailtrapOptions {
  /** The token it accepts. Default `test-token`. */
  token?: string
  /** What GET /api/accounts answers. Default: the two accounts of `accounts.json`. */
  accounts?: unknown
  /** The sending domains of every known account. Default: the data of `domains-list.json`. */
  domains?: unknown[]
}

/** One request as the server saw it. */
export interface FakeMailtrapRequest {
  method: string
  /** Path and query, as sent. */
  path: string
  headers: IncomingHttpHeaders
}

/** A running fake. */
export interface FakeMailtrap {
  /** `http://127.0.0.1:<port>`, the base URL to give the client. */
  url: string
  /** Every request received, in order, whatever it was answered with. */
  requests: FakeMailtrapRequest[]
  /**
   * Answers the next `times` requests (default 1), whatever they ask, with `status` and `body`
   * (default: the fixture error body for that status, if there is one). A string body is sent
   * as it is (`text/plain` unless `headers` say otherwise), anything else as JSON. `headers`
   * are added to (and override) the usual ones. Calls queue up in order.
   */
  failNext(status: number, body?: unknown, headers?: Record<string, string>, times?: number): void
  /** Closes the server, dropping connections held open. */
  close(): Promise<void>
}

/** Mailtrap's rate limit: 150 requests per 10 s per token. */
const RATE_LIMIT = 150
const RATE_WINDOW_MS = 10_000

interface Failure {
  status: number
  body: unknown
  headers: Record<string, string>
  left: number
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeMailtrap(options: FakeMailtrapOptions = {}): Promise<FakeMailtrap> {
  const token = options.token ?? 'test-token'
  const errors = {
    401: await readMailtrapFixture('error-401.json'),
    403: await readMailtrapFixture('error-403.json'),
    404: await readMailtrapFixture('error-404.json'),
    422: await readMailtrapFixture('error-422.json'),
    429: await readMailtrapFixture('error-429.json')
  } as Record<number, unknown>
  const accounts = options.accounts ?? (await readMailtrapFixture('accounts.json'))
  const domains =
    options.domains ??
    ((await readMailtrapFixture('domains-list.json')) as { data: unknown[] }).data
  const accountIds = new Set(
    (Array.isArray(accounts) ? accounts : [])
      .map((a: unknown) => (a as { id?: unknown } | null)?.id)
      .filter((id): id is number => typeof id === 'number')
  )

  const requests: FakeMailtrapRequest[] = []
  const failures: Failure[] = []
  /** When each recent request came, for `X-Ratelimit-Remaining`. */
  let recent: number[] = []

  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    const now = Date.now()
    recent = recent.filter((t) => now - t < RATE_WINDOW_MS)
    recent.push(now)
    const rateHeaders = {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(RATE_LIMIT - recent.length, 0))
    }
    const send = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      const raw = typeof body === 'string'
      const text = raw ? body : JSON.stringify(body)
      res.writeHead(status, {
        'content-type': raw ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        ...rateHeaders,
        ...extra
      })
      res.end(text)
    }
    // Drain the request (GETs have no body) before answering.
    req.resume()
    req.on('end', () => {
      const failure = failures[0]
      if (failure) {
        if (--failure.left <= 0) failures.shift()
        send(failure.status, failure.body ?? errors[failure.status] ?? '', failure.headers)
        return
      }
      if (recent.length > RATE_LIMIT) return send(429, errors[429])

      // Mailtrap takes `Authorization: Bearer` or `Api-Token`, and refuses both at once.
      const authorization = req.headers['authorization']
      const apiToken = req.headers['api-token']
      const bearer = authorization === `Bearer ${token}`
      const authorized =
        authorization !== undefined ? bearer && apiToken === undefined : apiToken === token
      if (!authorized) return send(401, errors[401])

      const path = new URL(req.url ?? '/', 'http://fake').pathname
      if (req.method === 'GET' && path === '/api/accounts') return send(200, accounts)
      const match = /^\/api\/accounts\/(\d+)\/sending_domains(?:\/(\d+))?$/.exec(path)
      if (req.method === 'GET' && match) {
        if (!accountIds.has(Number(match[1]))) return send(403, errors[403])
        if (match[2] === undefined) return send(200, { data: domains })
        const domain = domains.find((d) => (d as { id?: unknown } | null)?.id === Number(match[2]))
        return domain === undefined ? send(404, errors[404]) : send(200, domain)
      }
      send(404, errors[404])
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, body, headers = {}, times = 1): void {
      failures.push({ status, body, headers, left: times })
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
