/**
 * A DNS-over-HTTPS client (RFC 8484, wire format over POST), for runners whose network lets
 * HTTPS out but not port 53. It behaves like the wire client: one request per question per
 * resolver, answers and failures kept for its life, and a dead endpoint given up on once.
 */
import {
  createQueryGate,
  failure,
  resolverLimits,
  showQuestion,
  triesText,
  type Flight
} from './query-gate.js'
import { answersQuestion, decodeMessage, encodeQuery, type DecodedMessage } from './codec.js'
import type { DnsResponse, QueryMeter, Resolver } from './types.js'
import { errorText, headerValue } from '../net/errors.js'
import { systemClock, type Clock } from '../net/clock.js'
import { createHttpTransport } from '../net/http.js'
import { retrying, type RetryPolicy } from '../net/retry.js'
import { parseHttpUrl } from '../net/url.js'
import { redactSecrets } from '../net/redact.js'
import { safeText } from '../net/text.js'
import type { Dispatcher } from 'undici'

/** Well-known public DoH endpoints, by the names users may give them. Never used by tests. */
export const DOH_PRESETS = {
  'cloudflare-doh': 'https://cloudflare-dns.com/dns-query',
  'google-doh': 'https://dns.google/dns-query'
} as const

/** The media type of RFC 8484 requests and answers. */
const DNS_MESSAGE = 'application/dns-message'

/** A DNS message is at most 65535 bytes; anything longer is not one, so stop reading. */
const MAX_DNS_MESSAGE = 0xffff

/** Options for {@link createDohResolver}. */
export interface DohResolverOptions {
  /** Shown in messages and reports, e.g. `cloudflare-doh`. */
  name: string
  /**
   * The endpoint, `http://` or `https://`, e.g. `https://dns.google/dns-query`. Credentials in
   * it (`https://user:password@host/...`) are sent as HTTP Basic auth and never shown.
   */
  url: string
  /** How long one try (connect, send, whole answer) may take. Default 2000 ms. */
  timeoutMs?: number
  /** HTTP requests per question before giving up, on timeouts, connection errors, 5xx. Default 2. */
  tries?: number
  /** Requests in flight at once; the rest wait. Default 64. */
  maxInFlight?: number
  /**
   * Questions started per second at most (query-gate.ts, rate-cap.ts); none by default.
   * Retries of an unanswered question are not counted.
   */
  rateLimit?: number
  /** Counted up by one for every question asked (the progress line's rate). */
  meter?: QueryMeter
  /**
   * Where requests go instead of the resolver's own keep-alive Agent (a proxy, a mock).
   * The caller owns it: `close()` leaves it open.
   */
  dispatcher?: Dispatcher
  /** Where time is read and waited for (deadlines, backoff). Default: the system clock. */
  clock?: Clock
}

/** How one try ended, when it did not end with an answer. */
type TryFailure =
  /** Timed out or could not connect: nothing heard from the server. Retried. */
  | { kind: 'silent'; reason: string; timedOut: boolean }
  /** A 5xx or a 429: the server is there but could not answer now. Retried. */
  | { kind: 'server-error'; status: number; retryAfterMs?: number }
  /** An answer that will not get better by asking again. */
  | { kind: 'final'; error: string }
  /** The flight was settled by someone else (close, server given up on) during the try. */
  | { kind: 'abandoned' }

type TryResult = { kind: 'answer'; response: DnsResponse } | TryFailure

/**
 * Backoff between tries: short, as a DNS question has a deadline of its own; a `Retry-After`
 * is honoured up to a second.
 */
const RETRY_BASE_MS = 20
const RETRY_CAP_MS = 200
const RETRY_AFTER_CAP_MS = 1000

/**
 * Creates a resolver that asks one DoH endpoint with RFC 8484 POST requests.
 * Each question is asked once per resolver: outcomes, failures included, are kept for its
 * life, and an endpoint that has never answered is given up on after one question's full
 * tries, so a dead endpoint costs `timeoutMs × tries` once per run rather than per question.
 * Throws only on invalid options (a URL that is not http(s), bad numbers); `query` never throws.
 */
export function createDohResolver(options: DohResolverOptions): Resolver {
  const target = parseHttpUrl(
    options.url,
    `DoH server ${options.name}:`,
    ' (like https://dns.google/dns-query)'
  )
  const { timeoutMs, tries, maxInFlight } = resolverLimits(`DoH server ${options.name}`, options)
  const address = target.url.href
  const prefix = `${options.name} (${address})`
  const clock = options.clock ?? systemClock
  const policy: RetryPolicy = {
    tries,
    baseMs: RETRY_BASE_MS,
    capMs: RETRY_CAP_MS,
    retryAfterCapMs: RETRY_AFTER_CAP_MS
  }
  const http = createHttpTransport({
    timeoutMs,
    maxBodyBytes: MAX_DNS_MESSAGE,
    clock,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {})
  })
  const headers: Record<string, string> = { 'content-type': DNS_MESSAGE, accept: DNS_MESSAGE }
  if (target.basicAuth) headers['authorization'] = target.basicAuth

  // Every request was aborted before release, so nothing is left to wait for.
  const gate = createQueryGate({
    prefix,
    maxInFlight,
    start,
    release: http.close,
    rateLimit: options.rateLimit,
    meter: options.meter
  })

  function start(flight: Flight): void {
    // RFC 8484 §4.1: id 0, so identical questions make identical, cacheable requests.
    // Throws on a question that cannot be encoded; the gate makes that the outcome.
    const body = encodeQuery(
      { name: flight.name, type: flight.type },
      { id: 0, recursionDesired: true }
    )
    const settled = new AbortController()
    flight.onSettle(() => settled.abort(new Error('settled')))
    run(flight, body, settled.signal).catch((err: unknown) => {
      // run() catches what it expects; this is the promise that query never throws.
      flight.settle(failure(`${prefix}: failed asking for ${flight.what}: ${errorText(err)}`))
    })
  }

  async function run(f: Flight, body: Buffer, signal: AbortSignal): Promise<void> {
    let last: TryFailure | undefined
    const outcome = await retrying<TryResult>(
      policy,
      clock,
      async () => {
        const result = await tryOnce(f, body, signal)
        if (result.kind !== 'silent' && result.kind !== 'server-error') {
          return { done: true, value: result }
        }
        last = result
        return result.kind === 'silent'
          ? { done: false, reason: result.reason }
          : {
              done: false,
              reason: `HTTP ${result.status}`,
              status: result.status,
              ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs })
            }
      },
      { signal }
    )
    if (f.settled) return
    if (outcome.ok) {
      const result = outcome.value
      if (result.kind === 'answer') f.settle({ ok: true, response: result.response })
      else if (result.kind === 'final') f.settle(failure(result.error))
      return
    }
    const what = f.what
    if (last?.kind === 'server-error') {
      f.settle(failure(`${prefix}: HTTP ${last.status} for ${what} after ${triesText(tries)}`))
      return
    }
    const silent = last?.kind === 'silent' ? last : undefined
    const message = silent?.timedOut
      ? `${prefix}: no answer for ${what} after ${triesText(tries)} of ${timeoutMs} ms`
      : `${prefix}: ${silent?.reason ?? 'no answer'} for ${what} after ${triesText(tries)}`
    const after = silent?.timedOut
      ? `${triesText(tries)} of ${timeoutMs} ms`
      : `${triesText(tries)}: ${silent?.reason ?? 'no answer'}`
    gate.failUnanswered(f, message, after)
  }

  async function tryOnce(f: Flight, body: Buffer, signal: AbortSignal): Promise<TryResult> {
    const what = f.what
    const res = await http.exchange({ method: 'POST', url: address, headers, body, signal })
    if (f.settled) return { kind: 'abandoned' }
    if (res.kind === 'failure') {
      if (res.aborted) return { kind: 'abandoned' }
      if (res.timedOut) return { kind: 'silent', reason: 'no answer', timedOut: true }
      return {
        kind: 'silent',
        reason: redactSecrets(res.reason, target.secrets),
        timedOut: false
      }
    }
    // Any HTTP response means the endpoint is alive, whatever it said.
    gate.markAnswered()
    const status = res.status
    if (status !== 200) {
      if (status >= 500 || status === 429) {
        return {
          kind: 'server-error',
          status,
          ...(res.retryAfterMs === undefined ? {} : { retryAfterMs: res.retryAfterMs })
        }
      }
      const redirect = status >= 300 && status < 400
      const hint = redirect ? ' (redirects are not followed; give the final URL)' : ''
      return { kind: 'final', error: `${prefix}: HTTP ${status} for ${what}${hint}` }
    }
    const contentType = headerValue(res.headers['content-type'])
    if (mediaType(contentType) !== DNS_MESSAGE) {
      // A header from elsewhere: one line, bounded, the URL's credentials cut out.
      const got =
        contentType === undefined
          ? 'without a content type'
          : safeText(contentType, target.secrets, 80)
      return {
        kind: 'final',
        error: `${prefix}: answered ${got}, not ${DNS_MESSAGE}, when asked for ${what}`
      }
    }
    const notMessage = `${prefix}: answered something that is not a DNS message when asked for ${what}`
    if (res.body === undefined) {
      return { kind: 'final', error: `${notMessage} (more than ${MAX_DNS_MESSAGE} bytes)` }
    }
    let decoded: DecodedMessage
    try {
      decoded = decodeMessage(res.body)
    } catch (err) {
      return { kind: 'final', error: `${notMessage} (${errorText(err)})` }
    }
    if (!answersQuestion(decoded, f)) {
      const other =
        decoded.questions.length === 0
          ? 'no question'
          : decoded.questions.map((q) => showQuestion(q.name, q.type)).join(', ')
      return {
        kind: 'final',
        error: `${prefix}: answered another question (${other}) when asked for ${what}`
      }
    }
    return { kind: 'answer', response: decoded.response }
  }

  return {
    name: options.name,
    kind: 'doh',
    address,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    query: (question) => gate.query(question),
    close: () => gate.close()
  }
}

/** `Application/DNS-Message; charset=x` → `application/dns-message`. */
function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase()
}
