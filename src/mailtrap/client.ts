/**
 * A client for the part of Mailtrap's API this tool reads: the account a token reaches and its
 * sending domains, with the DNS records Mailtrap expects and its own view of them. It keeps only
 * what is Mailtrap's (paths, auth, error statuses, answer shapes); the HTTP plumbing (agent,
 * deadline, retry, rate limit, size cap) is the layer in `net/`. Errors are one line that names
 * the call and never holds the token.
 *
 * Two path families exist: the spec's `/api/domains[/{id}]` and the account-scoped
 * `/api/accounts/{id}/sending_domains[/{id}]` of the setup guides and most SDKs. The spec's is
 * tried first; a 404 (which may be an HTML page) moves the client to the other, for its life.
 */
import { setMaxListeners } from 'node:events'
import { createHash } from 'node:crypto'
import type { Dispatcher } from 'undici'
import type { z } from 'zod'
import { TOOL } from '../version.js'
import { headerValue } from '../net/errors.js'
import { systemClock, type Clock } from '../net/clock.js'
import { createHttpTransport, type HttpRequest } from '../net/http.js'
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from '../net/rate-limit.js'
import { retrying, type RetryPolicy, type TryOutcome } from '../net/retry.js'
import { parseHttpUrl } from '../net/url.js'
import { apiMessage } from '../net/api-message.js'
import { MAX_QUOTED, safeText } from '../net/text.js'
import {
  accountListSchema,
  describeIssues,
  domainListSchema,
  domainSchema,
  toDomain,
  type DomainList,
  type MailtrapAccount,
  type MailtrapDomain
} from './schemas.js'

export type { MailtrapAccount, MailtrapDomain, MailtrapRecord } from './schemas.js'

/** Options for {@link createMailtrapClient}. */
export interface MailtrapClientOptions {
  /** The API token, sent as `Authorization: Bearer`; never shown in messages. */
  token: string
  /** Where the API is, `http://` or `https://`, with or without a trailing slash. Default https://mailtrap.io. */
  baseUrl?: string
  /** The account to use when the token reaches several. */
  accountId?: number
  /** How long one try (connect, send, whole answer) may take. Default 10000 ms. */
  timeoutMs?: number
  /** Retries after a 429, a 5xx, a timeout or a connection error. Default 3. */
  retries?: number
  /**
   * The most time one call spends on retries: a retry whose wait would end later than this
   * after the first try is not made, and the call fails naming itself. Default 90000 ms.
   */
  retryBudgetMs?: number
  /**
   * Where requests go instead of the client's own keep-alive Agent (a proxy, a mock).
   * The caller owns it: `close()` leaves it open.
   */
  dispatcher?: Dispatcher
  /** Where time is read and waited for (deadlines, backoff, rate limit). Default: the system clock. */
  clock?: Clock
  /**
   * The client-side rate limit. Default: Mailtrap's, 150 requests per 10 s. On the system
   * clock, clients of one token (and base URL and limit) share it for the process's life, so
   * one run after another (`wait`'s rounds) stays under the limit too.
   */
  rateLimit?: RateLimitOptions
  /**
   * Told, one line at a time, what the client chose and why: the path family, retries and
   * their waits. For `--verbose` and `core.debug`; never holds the token.
   */
  debug?: (line: string) => void
}

/** Which of Mailtrap's path families the client uses; see the module's comment. */
export type MailtrapPathFamily = 'spec' | 'account'

/** Reads a Mailtrap account's sending domains. Every method fails with {@link MailtrapError}. */
export interface MailtrapClient {
  /** The account the token reaches; chosen by accountId when the token reaches several. */
  account(): Promise<MailtrapAccount>
  /**
   * Every sending domain of the account, in one request (the first call may take two more:
   * the spec's path answering 404, then the account lookup).
   */
  listDomains(): Promise<MailtrapDomain[]>
  /**
   * One domain as Mailtrap sees it now (GET the domain: Mailtrap's "verify"), on the path
   * family in use; finding the family first, if no call has yet, costs one list request.
   * A domain Mailtrap does not know fails with status 404.
   */
  getDomain(id: number): Promise<MailtrapDomain>
  /**
   * Adds a sending domain (POST on the path family in use) and returns it with the records to
   * publish. Sent again only after a 429 or when it never left: a 5xx or a lost answer is an
   * error, as the domain may have been created. Mailtrap's 422 (a name taken or invalid) is an
   * error with its message.
   */
  createDomain(name: string): Promise<MailtrapDomain>
  /** The path family in use; undefined until the first call found it. */
  readonly pathFamily: MailtrapPathFamily | undefined
  /** Aborts requests in flight and releases the client's connections. */
  close(): Promise<void>
}

/** A failed call to Mailtrap's API: one line that names the call and never holds the token. */
export class MailtrapError extends Error {
  override readonly name = 'MailtrapError'
  /** The call that failed, e.g. `GET /api/accounts`. */
  readonly call: string
  /** The HTTP status Mailtrap answered with, when it answered. */
  readonly status?: number
  /**
   * True when only the user can fix it (a refused token, no access, an account to choose):
   * trying again later will not help, so the check stops with a usage error.
   */
  readonly fixable: boolean

  constructor(
    call: string,
    message: string,
    status?: number,
    fixable = status === 401 || status === 403
  ) {
    super(message)
    this.call = call
    if (status !== undefined) this.status = status
    this.fixable = fixable
  }
}

const DEFAULT_BASE_URL = 'https://mailtrap.io'

/** The spec's list path; a domain is `${SPEC_PATH}/{id}`. */
const SPEC_PATH = '/api/domains'

/** Mailtrap's documented limit: 150 requests per 10 s per token. */
export const MAILTRAP_RATE_LIMIT: RateLimitOptions = { requests: 150, windowMs: 10_000 }

/** What a successful answer may weigh; sending domains of a big account fit easily. */
const MAX_BODY = 10 * 1024 * 1024
/** Text from the API (error messages, account names) is untrusted: one line, this long at most. */
const MAX_UPSTREAM_TEXT = MAX_QUOTED

const RETRY = { baseMs: 500, capMs: 10_000, retryAfterCapMs: 60_000 }

/**
 * Creates a client for Mailtrap's API. Nothing is asked until a method is called; the account
 * is looked up once and kept for the client's life. Throws only on invalid options.
 */
export function createMailtrapClient(options: MailtrapClientOptions): MailtrapClient {
  const token = String(options.token ?? '').trim()
  // A token is printable ASCII; anything else would be refused by undici with a message of its
  // own, so say so here, without repeating the token.
  if (token === '') throw new Error('Mailtrap API token is empty')
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new Error('Mailtrap API token holds spaces or characters that cannot be sent')
  }
  const base = parseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL)
  const timeoutMs = options.timeoutMs ?? 10_000
  const retries = options.retries ?? 3
  checkInteger('timeoutMs', timeoutMs, 1, 600_000)
  checkInteger('retries', retries, 0, 20)
  const retryBudgetMs = options.retryBudgetMs ?? 90_000
  checkInteger('retryBudgetMs', retryBudgetMs, 0, 3_600_000)
  if (options.accountId !== undefined) {
    checkInteger('accountId', options.accountId, 1, Number.MAX_SAFE_INTEGER)
  }
  const clock = options.clock ?? systemClock
  const policy: RetryPolicy = { tries: retries + 1, ...RETRY, budgetMs: retryBudgetMs }
  const http = createHttpTransport({
    timeoutMs,
    maxBodyBytes: MAX_BODY,
    clock,
    rateLimiter: options.clock
      ? createRateLimiter(options.rateLimit ?? MAILTRAP_RATE_LIMIT, clock)
      : sharedLimiter(base.shown, token, options.rateLimit ?? MAILTRAP_RATE_LIMIT),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {})
  })
  const closing = new AbortController()
  // Every request of a fleet's run listens on it while it lasts (no warning past 10).
  setMaxListeners(0, closing.signal)

  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    'user-agent': `${TOOL.name}/${TOOL.version}`
  }
  /**
   * Text from elsewhere made safe for a message: no token in any form (any case, base64,
   * split by invisible characters; see redactSecrets), one line, bounded. Every piece of a
   * message or a debug line that did not come from this module goes through here, and of an
   * error answer only its message field is ever quoted.
   */
  const clean = (text: string, max = MAX_UPSTREAM_TEXT): string => safeText(text, [token], max)

  let cachedAccount: Promise<MailtrapAccount> | undefined
  let family: MailtrapPathFamily | undefined
  /** The first list request, which finds the family; see {@link findFamily}. */
  let probing: Promise<{ list?: DomainList }> | undefined

  const debug = (line: string): void => options.debug?.(clean(line, 500))

  /** How one try ended: JSON, an error that will not get better, or worth another try. */
  async function tryOnce(
    req: HttpRequest,
    call: string
  ): Promise<TryOutcome<{ json: unknown } | { error: MailtrapError }>> {
    const final = (message: string, status?: number) => ({
      done: true as const,
      value: { error: new MailtrapError(call, message, status) }
    })
    // A GET may be sent again; a POST that may have reached Mailtrap may not, or it could
    // create twice: only a 429 or a request that never left is retried.
    const idempotent = req.method === 'GET'
    const notAgain = (what: string, status?: number) =>
      final(
        `Mailtrap ${call}: ${what}; not sent again, as it may have been carried out: ` +
          'look in Sending Domains before trying again',
        status
      )
    const res = await http.exchange(req)
    if (res.kind === 'failure') {
      if (res.aborted) return final(`Mailtrap client closed before ${call} was answered`)
      const reason = res.timedOut
        ? `no answer from ${base.shown} within ${timeoutMs} ms`
        : `cannot reach ${base.shown}: ${clean(res.reason)}`
      if (!idempotent && !res.notSent) return notAgain(reason)
      return { done: false, reason }
    }
    const status = res.status
    if (status >= 200 && status < 300) {
      if (res.body === undefined) {
        return final(`Mailtrap ${call} answered more than ${MAX_BODY} bytes`, status)
      }
      try {
        return { done: true, value: { json: JSON.parse(res.body.toString('utf8')) as unknown } }
      } catch {
        // What it sent instead is not quoted: a page from elsewhere may hold anything.
        const type = headerValue(res.headers['content-type']) ?? 'no content type'
        const size = res.body.length === 0 ? 'an empty body' : `${res.body.length} bytes`
        return final(
          `Mailtrap ${call} answered something that is not JSON (${clean(type, 80)}, ${size})`,
          status
        )
      }
    }
    const reason = apiMessage(res.body)
    const said = reason === undefined ? '' : `: ${clean(reason)}`
    if (status >= 500 && !idempotent) return notAgain(`HTTP ${status}${said}`, status)
    if (status === 429 || status >= 500) {
      const what = status === 429 ? 'rate limited (429)' : `HTTP ${status}`
      return {
        done: false,
        reason: `${what}${said}`,
        status,
        ...(res.retryAfterMs === undefined ? {} : { retryAfterMs: res.retryAfterMs })
      }
    }
    switch (status) {
      case 401:
        return final(
          `Mailtrap refused the API token (401 on ${call}): check the token and its access`,
          status
        )
      case 403:
        return final(
          `The Mailtrap API token has no access (403 on ${call})${said || ': no reason given'}`,
          status
        )
      case 404:
        return final(`Mailtrap found nothing at ${call} (404 from ${base.shown})${said}`, status)
      case 422:
        return final(`Mailtrap rejected ${call} (422)${said}`, status)
    }
    const hint =
      status >= 300 && status < 400 ? ' (redirects are not followed; check the base URL)' : ''
    return final(`Mailtrap answered HTTP ${status} to ${call}${hint}${said}`, status)
  }

  /** Sends `method path` with retries and returns its JSON, or throws a MailtrapError naming the call. */
  async function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const call = `${method} ${path}`
    if (http.closed) {
      throw new MailtrapError(call, `Mailtrap client is closed; ${call} was not sent`)
    }
    const req: HttpRequest = { method, url: base.join(path), headers, signal: closing.signal }
    if (body !== undefined) {
      req.headers = { ...headers, 'content-type': 'application/json' }
      req.body = JSON.stringify(body)
    }
    const outcome = await retrying(policy, clock, () => tryOnce(req, call), {
      signal: closing.signal,
      onRetry: (index, reason, waitMs) =>
        debug(
          `Mailtrap ${call}: ${reason}; try ${index + 2} of ${policy.tries} in ${seconds(waitMs)}`
        )
    })
    if (outcome.ok) {
      if ('error' in outcome.value) throw outcome.value.error
      return outcome.value.json
    }
    const tries = `${outcome.tries} ${outcome.tries === 1 ? 'try' : 'tries'}`
    const why = outcome.outOfTime
      ? `${tries} (gave up: retrying longer than ${seconds(retryBudgetMs)} would not help)`
      : tries
    throw new MailtrapError(
      call,
      `Mailtrap ${call} failed after ${why}: ${outcome.reason}`,
      outcome.status
    )
  }

  /** GETs `path` and checks its JSON against `schema`, saying what it should have been. */
  function get<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
    return call('GET', path, schema, what)
  }

  /** Sends a request and checks its JSON against `schema`, saying what it should have been. */
  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    what: string,
    body?: unknown
  ): Promise<T> {
    const json = await send(method, path, body)
    const parsed = schema.safeParse(json)
    if (parsed.success) return parsed.data
    const call = `${method} ${path}`
    throw new MailtrapError(
      call,
      `Mailtrap ${call} answered JSON that is not ${what}: ${clean(describeIssues(parsed.error))}`
    )
  }

  async function loadAccount(): Promise<MailtrapAccount> {
    const call = 'GET /api/accounts'
    const accounts = (await get('/api/accounts', accountListSchema, 'a list of accounts')).map(
      (a) => ({ id: a.id, name: a.name })
    )
    const list = (): string => {
      const shown = accounts.slice(0, 10).map((a) => `${clean(a.name, 80)} (${a.id})`)
      if (accounts.length > 10) shown.push(`and ${accounts.length - 10} more`)
      return shown.join(', ')
    }
    const fixable = (message: string) => new MailtrapError(call, message, undefined, true)
    if (accounts.length === 0) {
      throw fixable(`the token reaches no Mailtrap account (${call} answered an empty list)`)
    }
    const wanted = options.accountId
    if (wanted !== undefined) {
      const found = accounts.find((a) => a.id === wanted)
      if (found) return found
      throw fixable(`the token does not reach Mailtrap account ${wanted}; it reaches ${list()}`)
    }
    const [only] = accounts
    if (accounts.length === 1 && only) return only
    throw fixable(
      `the token reaches ${accounts.length} accounts: ${list()}; ` +
        'choose one with --mailtrap-account ID (action input mailtrap-account)'
    )
  }

  function account(): Promise<MailtrapAccount> {
    // Kept for the client's life once found; a failure is not kept, so a later call may retry.
    cachedAccount ??= loadAccount().catch((err: unknown) => {
      cachedAccount = undefined
      throw err
    })
    return cachedAccount
  }

  /**
   * Finds the path family with the spec's list request: an answer means the spec's paths, a
   * 404 the account-scoped ones. Shared by concurrent callers; a failure is not kept.
   */
  function findFamily(): Promise<{ list?: DomainList }> {
    probing ??= (async () => {
      try {
        const list = await get(SPEC_PATH, domainListSchema, 'a list of domains')
        family = 'spec'
        const unused =
          options.accountId === undefined
            ? ''
            : `; account ${options.accountId} is not used, as these paths name no account`
        debug(`Mailtrap API: using the spec's paths (${SPEC_PATH})${unused}`)
        return { list }
      } catch (err) {
        if (!(err instanceof MailtrapError && err.status === 404)) throw err
        family = 'account'
        debug(
          `Mailtrap API: GET ${SPEC_PATH} answered 404; using the account-scoped paths ` +
            '(/api/accounts/{id}/sending_domains)'
        )
        return {}
      }
    })().catch((err: unknown) => {
      probing = undefined
      throw err
    })
    return probing
  }

  /** The list path of the family in use (found first if need be); a domain's is below it. */
  async function domainsPath(): Promise<string> {
    if (family === undefined) await findFamily()
    if (family === 'spec') return SPEC_PATH
    const { id } = await account()
    return `/api/accounts/${id}/sending_domains`
  }

  return {
    account,
    get pathFamily() {
      return family
    },
    async listDomains(): Promise<MailtrapDomain[]> {
      if (family === undefined && probing === undefined) {
        // This call finds the family: the spec's list, when it answered, is the answer.
        const { list } = await findFamily()
        if (list) return list.data.map(toDomain)
      }
      const list = await get(await domainsPath(), domainListSchema, 'a list of domains')
      return list.data.map(toDomain)
    },
    async getDomain(id: number): Promise<MailtrapDomain> {
      if (!Number.isSafeInteger(id) || id < 1) {
        throw new MailtrapError('GET', `Mailtrap domain id ${String(id)} is not a positive integer`)
      }
      return toDomain(await get(`${await domainsPath()}/${id}`, domainSchema, 'a domain'))
    },
    async createDomain(name: string): Promise<MailtrapDomain> {
      const domainName = String(name ?? '').trim()
      const path = await domainsPath()
      if (domainName === '') {
        throw new MailtrapError(`POST ${path}`, 'Mailtrap cannot create a domain without a name')
      }
      // The spec's body and the account-scoped one differ only in their wrapper's name.
      const wrapper = family === 'spec' ? 'domain' : 'sending_domain'
      const body = { [wrapper]: { domain_name: domainName } }
      return toDomain(await call('POST', path, domainSchema, 'a domain', body))
    },
    async close(): Promise<void> {
      closing.abort(new Error('client closed'))
      await http.close()
    }
  }
}

/** Rate limiters by token, base URL and limit; see {@link MailtrapClientOptions.rateLimit}. */
const limiters = new Map<string, RateLimiter>()

function sharedLimiter(base: string, token: string, limit: RateLimitOptions): RateLimiter {
  // Keyed by a hash, so the map holds no token.
  const key = createHash('sha256')
    .update(`${base}\n${token}\n${limit.requests}/${limit.windowMs}/${limit.lowWater ?? ''}`)
    .digest('hex')
  let limiter = limiters.get(key)
  if (!limiter) {
    limiter = createRateLimiter(limit, systemClock)
    limiters.set(key, limiter)
  }
  return limiter
}

/** `1.5 s`, `250 ms`: a wait as a debug line shows it. */
function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`
}

function checkInteger(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Mailtrap client: ${what} must be an integer from ${min} to ${max}`)
  }
}

/** The base URL as requests use it and messages show it. */
interface BaseUrl {
  /** `origin + path`, without credentials, query or fragment, and without a trailing slash. */
  shown: string
  /** The URL of an API path (`/api/accounts`) under the base. */
  join(path: string): string
}

function parseBaseUrl(text: string): BaseUrl {
  const { url } = parseHttpUrl(text, 'Mailtrap base URL')
  // The token is the only credential; userinfo, a query or a fragment in the base have no use.
  const shown = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  return { shown, join: (path) => `${shown}${path}` }
}
