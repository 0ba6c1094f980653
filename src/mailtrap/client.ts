/**
 * A client for the part of Mailtrap's API this tool reads: the account a token reaches and its
 * sending domains, with the DNS records Mailtrap expects and its own view of them. Responses
 * are checked with zod but leniently, as real ones hold partial records and enum values the
 * docs do not list; errors are one line that names the call and never the token.
 */
import { Agent, request, type Dispatcher } from 'undici'
import { z } from 'zod'
import { TOOL } from '../version.js'
import { connectionError, errorCode, headerValue, stripUserinfo } from '../net/errors.js'
import { readLimited } from '../net/body.js'
import { abortAfter } from '../net/deadline.js'

/** One entry of a domain's `dns_records`; any field but `key` may be missing (real ones are). */
export interface MailtrapRecord {
  /** What the record is for: `verification`, `dkim1`, `dkim2`, `dmarc`, `link_verification`, `spf`. */
  key: string
  /** `CNAME` or `TXT`. */
  type?: string
  /** The host relative to the domain (`rwmt1._domainkey`, `''` for the apex). */
  name?: string
  /** The host as an FQDN, without a trailing dot. */
  domain?: string
  /** The CNAME target or TXT text Mailtrap expects. */
  value?: string
  /** Mailtrap's own check of the record: `pass`, `fail`, `missing`, ..., or a value new to us. */
  status?: string
}

/** A sending domain as Mailtrap reports it. */
export interface MailtrapDomain {
  id: number
  domainName: string
  /** `compliant`, `unverified_dns`, ..., kept as given, even a value the docs do not list. */
  complianceStatus: string
  dnsVerified: boolean
  /** When Mailtrap last found the DNS records right; null when never (the API may send `""`). */
  dnsVerifiedAt: string | null
  records: MailtrapRecord[]
}

/** A Mailtrap account the token reaches. */
export interface MailtrapAccount {
  id: number
  name: string
}

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
   * Where requests go instead of the client's own keep-alive Agent (a proxy, a mock).
   * The caller owns it: `close()` leaves it open.
   */
  dispatcher?: Dispatcher
  /** How the client waits between tries; tests pass one that records and returns at once. */
  sleep?: (ms: number) => Promise<void>
}

/** Reads a Mailtrap account's sending domains. Every method fails with {@link MailtrapError}. */
export interface MailtrapClient {
  /** The account the token reaches; chosen by accountId when the token reaches several. */
  account(): Promise<MailtrapAccount>
  /** Every sending domain of the account (GET /api/accounts/{id}/sending_domains). */
  listDomains(): Promise<MailtrapDomain[]>
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

/** What a successful answer may weigh; sending domains of a big account fit easily. */
const MAX_BODY = 10 * 1024 * 1024
/** What an error answer may weigh before its text is not worth reading. */
const MAX_ERROR_BODY = 64 * 1024
/** Text from the API (error messages, account names) is untrusted: one line, this long at most. */
const MAX_UPSTREAM_TEXT = 300

const RETRY_AFTER_CAP_MS = 60_000
const BACKOFF_BASE_MS = 500
const BACKOFF_CAP_MS = 10_000

/** A string field that may be missing or null; both become undefined. */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined)

// Objects keep only the fields below (zod strips the rest), and enums are plain strings, so a
// field or a status value Mailtrap adds later does not break the check.
const recordSchema = z.object({
  key: z.string(),
  type: optionalText,
  name: optionalText,
  domain: optionalText,
  value: optionalText,
  status: optionalText
})

const domainSchema = z.object({
  id: z.number().int(),
  domain_name: z.string(),
  compliance_status: z.string(),
  dns_verified: z.boolean().nullish(),
  dns_verified_at: z.string().nullish(),
  dns_records: z.array(recordSchema).nullish()
})

const domainListSchema = z.object({ data: z.array(domainSchema) })

const accountListSchema = z.array(z.object({ id: z.number().int(), name: z.string() }))

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
  if (options.accountId !== undefined) {
    checkInteger('accountId', options.accountId, 1, Number.MAX_SAFE_INTEGER)
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))

  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    'user-agent': `${TOOL.name}/${TOOL.version}`
  }
  /** Removes the token from text that came from elsewhere (the API, socket errors). */
  const scrub = (text: string): string => text.split(token).join('***')
  /**
   * Text from elsewhere made safe for a message: no token, one line, bounded. Every piece of a
   * message that did not come from this module goes through here; the rest is our own words.
   */
  const clean = (text: string, max = MAX_UPSTREAM_TEXT): string =>
    truncate(scrub(oneLine(scrub(text))), max)

  let agent: Agent | undefined
  let closed = false
  const inFlight = new Set<AbortController>()
  let cachedAccount: Promise<MailtrapAccount> | undefined
  /** Set when Mailtrap said no requests are left in this window: wait this long before the next. */
  let pendingPauseMs = 0
  /** Answers in a row that left no requests in the window, for the backoff. */
  let exhaustedStreak = 0

  function checkInteger(what: string, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`Mailtrap client: ${what} must be an integer from ${min} to ${max}`)
    }
  }

  function dispatcher(): Dispatcher {
    if (options.dispatcher) return options.dispatcher
    // One keep-alive Agent per client, so the calls of a run share a connection (and TLS
    // handshake), and close() can release it.
    agent ??= new Agent({ connect: { timeout: timeoutMs } })
    return agent
  }

  /** Reads the rate-limit headers of any answer, to slow down before Mailtrap says 429. */
  function noteRateLimit(responseHeaders: ResponseHeaders): void {
    const remaining = headerValue(responseHeaders['x-ratelimit-remaining'])
    if (remaining === undefined) return
    if (remaining.trim() !== '0') {
      exhaustedStreak = 0
      return
    }
    exhaustedStreak++
    const retryAfter = retryAfterMs(headerValue(responseHeaders['retry-after']))
    pendingPauseMs = Math.max(pendingPauseMs, retryAfter ?? backoffMs(exhaustedStreak - 1))
  }

  async function tryOnce(path: string, call: string): Promise<TryResult> {
    const controller = new AbortController()
    inFlight.add(controller)
    const deadline = abortAfter(controller, timeoutMs)
    try {
      const res = await request(base.join(path), {
        method: 'GET',
        headers,
        dispatcher: dispatcher(),
        signal: controller.signal
      })
      noteRateLimit(res.headers)
      const status = res.statusCode
      if (status >= 200 && status < 300) {
        const bytes = await readLimited(res.body, MAX_BODY)
        if (bytes === undefined) {
          return final(call, `Mailtrap ${call} answered more than ${MAX_BODY} bytes`, status)
        }
        const text = bytes.toString('utf8')
        try {
          return { kind: 'ok', json: JSON.parse(text) as unknown }
        } catch {
          const type = headerValue(res.headers['content-type']) ?? 'no content type'
          const start = text.trim() === '' ? 'an empty body' : `"${clean(text, 80)}"`
          return final(
            call,
            `Mailtrap ${call} answered something that is not JSON (${clean(type, 80)}): ${start}`,
            status
          )
        }
      }
      const reason = await errorReason(res.body, headerValue(res.headers['content-type']))
      const said = reason === undefined ? '' : `: ${clean(reason)}`
      if (status === 429 || status >= 500) {
        const retryAfter = retryAfterMs(headerValue(res.headers['retry-after']))
        const what = status === 429 ? 'rate limited (429)' : `HTTP ${status}`
        return { kind: 'retry', reason: `${what}${said}`, status, retryAfterMs: retryAfter }
      }
      switch (status) {
        case 401:
          return final(
            call,
            `Mailtrap refused the API token (401 on ${call}): check the token and its access`,
            status
          )
        case 403:
          return final(
            call,
            `The Mailtrap API token has no access (403 on ${call})${said || ': no reason given'}`,
            status
          )
        case 404:
          return final(
            call,
            `Mailtrap found nothing at ${call} (404 from ${base.shown})${said}`,
            status
          )
        case 422:
          return final(call, `Mailtrap rejected ${call} (422)${said}`, status)
      }
      const hint =
        status >= 300 && status < 400 ? ' (redirects are not followed; check the base URL)' : ''
      return final(call, `Mailtrap answered HTTP ${status} to ${call}${hint}${said}`, status)
    } catch (err) {
      if (closed) return final(call, `Mailtrap client closed before ${call} was answered`)
      if (deadline.timedOut || errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT') {
        return { kind: 'retry', reason: `no answer from ${base.shown} within ${timeoutMs} ms` }
      }
      return { kind: 'retry', reason: `cannot reach ${base.shown}: ${clean(connectionError(err))}` }
    } finally {
      deadline.clear()
      inFlight.delete(controller)
    }
  }

  function final(call: string, message: string, status?: number): TryResult {
    return { kind: 'final', error: new MailtrapError(call, message, status) }
  }

  /** GETs `path` with retries and returns its JSON, or throws a MailtrapError naming the call. */
  async function getJson(path: string): Promise<unknown> {
    const call = `GET ${path}`
    let last: Extract<TryResult, { kind: 'retry' }> | undefined
    for (let attempt = 0; attempt <= retries; attempt++) {
      // One wait before a try: the longer of the retry's backoff and what the rate limit asks.
      let waitMs = pendingPauseMs
      pendingPauseMs = 0
      if (last) waitMs = Math.max(waitMs, last.retryAfterMs ?? backoffMs(attempt - 1))
      if (waitMs > 0) await sleep(waitMs)
      if (closed) throw new MailtrapError(call, `Mailtrap client is closed; ${call} was not sent`)
      const result = await tryOnce(path, call)
      if (result.kind === 'ok') return result.json
      if (result.kind === 'final') throw result.error
      last = result
    }
    const tries = retries + 1
    throw new MailtrapError(
      call,
      `Mailtrap ${call} failed after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${last?.reason}`,
      last?.status
    )
  }

  /** GETs `path` and checks its JSON against `schema`, saying what it should have been. */
  async function get<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
    const json = await getJson(path)
    const parsed = schema.safeParse(json)
    if (parsed.success) return parsed.data
    const call = `GET ${path}`
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
    if (accounts.length === 0) {
      throw new MailtrapError(
        call,
        `the token reaches no Mailtrap account (${call} answered an empty list)`,
        undefined,
        true
      )
    }
    const wanted = options.accountId
    if (wanted !== undefined) {
      const found = accounts.find((a) => a.id === wanted)
      if (found) return found
      throw new MailtrapError(
        call,
        `the token does not reach Mailtrap account ${wanted}; it reaches ${list()}`,
        undefined,
        true
      )
    }
    const [only] = accounts
    if (accounts.length === 1 && only) return only
    throw new MailtrapError(
      call,
      `the token reaches ${accounts.length} accounts: ${list()}; ` +
        'choose one with --mailtrap-account ID (action input mailtrap-account)',
      undefined,
      true
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

  return {
    account,
    async listDomains(): Promise<MailtrapDomain[]> {
      const { id } = await account()
      const path = `/api/accounts/${id}/sending_domains`
      const list = await get(path, domainListSchema, 'a list of domains')
      return list.data.map(toDomain)
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      for (const controller of inFlight) controller.abort(new Error('client closed'))
      const a = agent
      agent = undefined
      if (a) await a.destroy()
    }
  }
}

type ResponseHeaders = Record<string, string | string[] | undefined>

/** How one try ended. */
type TryResult =
  | { kind: 'ok'; json: unknown }
  /** A 429, a 5xx, a timeout or a connection error: worth asking again. */
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  /** An answer that will not get better by asking again. */
  | { kind: 'final'; error: MailtrapError }

function toDomain(d: z.infer<typeof domainSchema>): MailtrapDomain {
  return {
    id: d.id,
    domainName: d.domain_name,
    complianceStatus: d.compliance_status,
    dnsVerified: d.dns_verified ?? false,
    // Mailtrap sends "" for a domain never verified.
    dnsVerifiedAt: d.dns_verified_at ? d.dns_verified_at : null,
    records: (d.dns_records ?? []).map(toRecord)
  }
}

function toRecord(r: z.infer<typeof recordSchema>): MailtrapRecord {
  const record: MailtrapRecord = { key: r.key }
  // Missing fields stay missing rather than becoming `undefined` keys, so JSON reports of a
  // partial record look like what Mailtrap sent.
  for (const field of ['type', 'name', 'domain', 'value', 'status'] as const) {
    const value = r[field]
    if (value !== undefined) record[field] = value
  }
  return record
}

/** The base URL as requests use it and messages show it. */
interface BaseUrl {
  /** `origin + path`, without credentials, query or fragment, and without a trailing slash. */
  shown: string
  /** The URL of an API path (`/api/accounts`) under the base. */
  join(path: string): string
}

function parseBaseUrl(text: string): BaseUrl {
  let url: URL
  try {
    url = new URL(String(text))
  } catch {
    throw new Error(`Mailtrap base URL "${stripUserinfo(String(text))}" is not a valid URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(
      `Mailtrap base URL "${stripUserinfo(String(text))}" is not an http:// or https:// URL`
    )
  }
  // The token is the only credential; userinfo, a query or a fragment in the base have no use.
  const shown = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  return { shown, join: (path) => `${shown}${path}` }
}

/** The wait a `Retry-After` header asks for (seconds or an HTTP date), capped; undefined if none. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_CAP_MS)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.min(Math.max(at - Date.now(), 0), RETRY_AFTER_CAP_MS)
}

/** Exponential backoff for the n-th retry (from 0): 500 ms × 2^n, capped, half of it jittered. */
function backoffMs(n: number): number {
  const ceiling = Math.min(BACKOFF_BASE_MS * 2 ** n, BACKOFF_CAP_MS)
  // Jitter spreads out clients that failed together, so they do not retry together.
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
}

/** What an error answer says, from Mailtrap's `errors`/`error`/`message`, or a short text body. */
async function errorReason(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  contentType: string | undefined
): Promise<string | undefined> {
  let bytes: Buffer | undefined
  try {
    bytes = await readLimited(body, MAX_ERROR_BODY)
  } catch {
    return undefined
  }
  if (bytes === undefined) return undefined
  const text = bytes.toString('utf8')
  try {
    const json = JSON.parse(text) as unknown
    if (typeof json === 'object' && json !== null) {
      const fields = json as Record<string, unknown>
      const said = flattenErrors(fields.errors ?? fields.error ?? fields.message)
      return said === '' ? undefined : said
    }
  } catch {
    // Not JSON: a proxy's page or plain text.
  }
  // A plain-text body is worth showing; an HTML page is not.
  const plain = (contentType ?? '').toLowerCase().startsWith('text/plain')
  return plain && text.trim() !== '' ? text : undefined
}

/**
 * Mailtrap's `errors` as one line, whatever its shape: a string, an array of them, or an object
 * of arrays (`{"base": ["..."], "domain_name": ["can't be blank"]}`, where `base` needs no label).
 */
function flattenErrors(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (depth > 3 || typeof value !== 'object' || value === null) return ''
  if (Array.isArray(value)) {
    return value
      .map((item) => flattenErrors(item, depth + 1))
      .filter((s) => s !== '')
      .join(', ')
  }
  return Object.entries(value)
    .map(([key, item]) => {
      const text = flattenErrors(item, depth + 1)
      if (text === '') return ''
      return key === 'base' ? text : `${key}: ${text}`
    })
    .filter((s) => s !== '')
    .join('; ')
}

/** A zod error's first issues as `path: message`, for a one-line message. */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path
      .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
      .join('')
      .replace(/^\./, '')
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  const more = error.issues.length - shown.length
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '')
}

/** Control characters, line and paragraph separators and bidi controls: never in a message. */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** Text on one line, its unprintable characters and runs of white space made one space. */
function oneLine(text: string): string {
  return text.replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim()
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let cut = text.slice(0, max - 1)
  // Do not leave half of a surrogate pair at the end.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}
