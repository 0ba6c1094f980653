/**
 * A DNS-over-HTTPS client (RFC 8484, wire format over POST), for runners whose network lets
 * HTTPS out but not port 53. It behaves like the wire client: one request per question per
 * resolver, answers and failures kept for its life, and a dead endpoint given up on once.
 */
import { Agent, request, type Dispatcher } from 'undici'
import {
  createQueryGate,
  failure,
  resolverLimits,
  showQuestion,
  triesText,
  type Flight
} from './query-gate.js'
import {
  answersQuestion,
  canonicalType,
  decodeMessage,
  encodeQuery,
  type DecodedMessage
} from './wire-client.js'
import type { DnsResponse, Resolver } from './types.js'
import { connectionError, errorCode, errorText, headerValue, stripUserinfo } from '../net/errors.js'
import { readLimited } from '../net/body.js'
import { abortAfter } from '../net/deadline.js'

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
   * Where requests go instead of the resolver's own keep-alive Agent (a proxy, a mock).
   * The caller owns it: `close()` leaves it open.
   */
  dispatcher?: Dispatcher
}

/** A question being asked, with its try under way so settling the question can abort it. */
interface Asking {
  flight: Flight
  /** Aborts the current try: on timeout, on close, when the server is given up on. */
  controller?: AbortController
}

/** How one try ended, when it did not end with an answer. */
type TryFailure =
  /** Timed out or could not connect: nothing heard from the server. Retried. */
  | { kind: 'silent'; reason: string; timedOut: boolean }
  /** A 5xx: the server is there but could not answer now. Retried. */
  | { kind: 'server-error'; status: number }
  /** An answer that will not get better by asking again. */
  | { kind: 'final'; error: string }
  /** The flight was settled by someone else (close, server given up on) during the try. */
  | { kind: 'abandoned' }

type TryResult = { kind: 'answer'; response: DnsResponse } | TryFailure

/**
 * Creates a resolver that asks one DoH endpoint with RFC 8484 POST requests.
 * Each question is asked once per resolver: outcomes, failures included, are kept for its
 * life, and an endpoint that has never answered is given up on after one question's full
 * tries, so a dead endpoint costs `timeoutMs × tries` once per run rather than per question.
 * Throws only on invalid options (a URL that is not http(s), bad numbers); `query` never throws.
 */
export function createDohResolver(options: DohResolverOptions): Resolver {
  const target = parseDohUrl(options.name, options.url)
  const { timeoutMs, tries, maxInFlight } = resolverLimits(`DoH server ${options.name}`, options)
  const address = target.url
  const prefix = `${options.name} (${address})`

  let agent: Agent | undefined
  const gate = createQueryGate({ prefix, maxInFlight, canonicalType, start, release })

  function dispatcher(): Dispatcher {
    if (options.dispatcher) return options.dispatcher
    // One keep-alive Agent per resolver, so the questions of a run share connections (and
    // TLS handshakes) to the endpoint, and close() can release them all.
    agent ??= new Agent({ connect: { timeout: timeoutMs } })
    return agent
  }

  async function release(): Promise<void> {
    const a = agent
    agent = undefined
    // Every request was aborted before this, so nothing is left to wait for: drop the sockets.
    if (a) await a.destroy()
  }

  function start(flight: Flight): void {
    // RFC 8484 §4.1: id 0, so identical questions make identical, cacheable requests.
    // Throws on a question that cannot be encoded; the gate makes that the outcome.
    const body = encodeQuery(
      { name: flight.name, type: flight.type },
      { id: 0, recursionDesired: true }
    )
    const asking: Asking = { flight }
    flight.onSettle(() => asking.controller?.abort(new Error('settled')))
    run(asking, body).catch((err: unknown) => {
      // run() catches what it expects; this is the promise that query never throws.
      flight.settle(failure(`${prefix}: failed asking for ${flight.what}: ${errorText(err)}`))
    })
  }

  async function run(asking: Asking, body: Buffer): Promise<void> {
    const f = asking.flight
    const what = f.what
    let last: TryFailure | undefined
    for (let done = 0; done < tries; done++) {
      const result = await tryOnce(asking, body)
      if (f.settled || result.kind === 'abandoned') return
      if (result.kind === 'answer') {
        f.settle({ ok: true, response: result.response })
        return
      }
      if (result.kind === 'final') {
        f.settle(failure(result.error))
        return
      }
      last = result
    }
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

  async function tryOnce(asking: Asking, body: Buffer): Promise<TryResult> {
    const f = asking.flight
    const what = f.what
    const controller = new AbortController()
    asking.controller = controller
    const deadline = abortAfter(controller, timeoutMs)
    try {
      const headers: Record<string, string> = {
        'content-type': DNS_MESSAGE,
        accept: DNS_MESSAGE
      }
      if (target.authorization) headers['authorization'] = target.authorization
      const res = await request(target.url, {
        method: 'POST',
        headers,
        body,
        dispatcher: dispatcher(),
        signal: controller.signal
      })
      // Any HTTP response means the endpoint is alive, whatever it said.
      gate.markAnswered()
      if (res.statusCode !== 200) {
        await discard(res.body)
        if (res.statusCode >= 500) return { kind: 'server-error', status: res.statusCode }
        const redirect = res.statusCode >= 300 && res.statusCode < 400
        const hint = redirect ? ' (redirects are not followed; give the final URL)' : ''
        return { kind: 'final', error: `${prefix}: HTTP ${res.statusCode} for ${what}${hint}` }
      }
      const contentType = headerValue(res.headers['content-type'])
      if (mediaType(contentType) !== DNS_MESSAGE) {
        await discard(res.body)
        const got = contentType === undefined ? 'without a content type' : contentType
        return {
          kind: 'final',
          error: `${prefix}: answered ${got}, not ${DNS_MESSAGE}, when asked for ${what}`
        }
      }
      const bytes = await readLimited(res.body, MAX_DNS_MESSAGE)
      if (bytes === undefined) {
        return {
          kind: 'final',
          error:
            `${prefix}: answered something that is not a DNS message when asked for ${what} ` +
            `(more than ${MAX_DNS_MESSAGE} bytes)`
        }
      }
      let decoded: DecodedMessage
      try {
        decoded = decodeMessage(bytes)
      } catch (err) {
        return {
          kind: 'final',
          error:
            `${prefix}: answered something that is not a DNS message when asked for ${what} ` +
            `(${errorText(err)})`
        }
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
    } catch (err) {
      if (f.settled) return { kind: 'abandoned' }
      if (deadline.timedOut || errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT') {
        return { kind: 'silent', reason: 'no answer', timedOut: true }
      }
      return { kind: 'silent', reason: target.scrub(connectionError(err)), timedOut: false }
    } finally {
      deadline.clear()
      if (asking.controller === controller) asking.controller = undefined
    }
  }

  return {
    name: options.name,
    kind: 'doh',
    address,
    query: (question) => gate.query(question),
    close: () => gate.close()
  }
}

/** A DoH endpoint as requests use it, and how messages may show it. */
interface DohTarget {
  /** The URL without userinfo or fragment: what is requested and what messages show. */
  url: string
  /** `Basic …` from the URL's userinfo, if it had any. */
  authorization?: string
  /** Removes the URL's credentials from text that came from elsewhere (error messages). */
  scrub(text: string): string
}

function parseDohUrl(name: string, text: string): DohTarget {
  const shown = stripUserinfo(String(text))
  let url: URL
  try {
    url = new URL(String(text))
  } catch {
    throw new Error(`DoH server ${name}: "${shown}" is not a valid URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(
      `DoH server ${name}: "${shown}" is not an http:// or https:// URL ` +
        `(like https://dns.google/dns-query)`
    )
  }
  const secrets: string[] = []
  let authorization: string | undefined
  if (url.username !== '' || url.password !== '') {
    const user = safeDecode(url.username)
    const password = safeDecode(url.password)
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    secrets.push(`${url.username}:${url.password}@`, `${url.username}@`)
    if (url.password !== '') secrets.push(url.password, password)
    url.username = ''
    url.password = ''
  }
  url.hash = ''
  const scrub = (message: string): string => {
    let out = message
    for (const secret of secrets) out = out.split(secret).join(secret.endsWith('@') ? '' : '***')
    return out
  }
  return { url: url.href, authorization, scrub }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** `Application/DNS-Message; charset=x` → `application/dns-message`. */
function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase()
}

/** Drops a body we will not read, so its connection can be reused (or is closed). */
async function discard(body: { dump(opts?: { limit: number }): Promise<void> }): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 })
  } catch {
    // The connection is closed instead; nothing to report.
  }
}
