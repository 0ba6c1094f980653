/**
 * One HTTP exchange, the way every client of the tool makes it: on a keep-alive Agent made on
 * first use, one deadline from connect to last byte, a cap on what the answer may weigh, an
 * optional rate limit, and `close()` aborting whatever is in flight. It never throws: every
 * way a request can end is a value, and the caller decides what is worth a retry.
 */
import { setMaxListeners } from 'node:events'
import type { Agent, Dispatcher } from 'undici'
import { systemClock, type Clock } from './clock.js'
import { abortAfter } from './deadline.js'
import { readLimited } from './body.js'
import { connectionError, errorCode, headerValue } from './errors.js'
import { headerCount, type RateLimiter } from './rate-limit.js'
import { retryAfterMs } from './retry.js'

/** Response headers, lower-cased, as undici gives them. */
export type HttpHeaders = Record<string, string | string[] | undefined>

/** One request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers: Record<string, string>
  body?: string | Buffer
  /** Aborts the request (the exchange then ends as a failure with `aborted`). */
  signal?: AbortSignal
}

/** How an exchange ended. */
export type HttpResult =
  | {
      kind: 'response'
      status: number
      headers: HttpHeaders
      /** The body; undefined when it was longer than the cap for its status (then unread). */
      body: Buffer | undefined
      /** The `Retry-After` header in ms, if any (not capped). */
      retryAfterMs?: number
    }
  | {
      kind: 'failure'
      /** The deadline passed. */
      timedOut: boolean
      /** Stopped by `close()` or the request's own signal. */
      aborted: boolean
      /** Nothing reached the server (refused or timed-out connection): safe to send again. */
      notSent: boolean
      /** In a few words, from {@link connectionError}; may hold text from elsewhere. */
      reason: string
    }

/** Options for {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** One try, connect to last byte. */
  timeoutMs: number
  /** The most a 2xx body may weigh; a longer one is not read. */
  maxBodyBytes: number
  /** The most an error body may weigh. Default 64 KiB. */
  maxErrorBodyBytes?: number
  /**
   * Where requests go instead of the transport's own keep-alive Agent (a proxy, a mock).
   * The caller owns it: `close()` leaves it open.
   */
  dispatcher?: Dispatcher
  clock?: Clock
  /** Requests wait for a slot here before they are sent, and answers report to it. */
  rateLimiter?: RateLimiter
}

/** Makes exchanges; see {@link createHttpTransport}. */
export interface HttpTransport {
  exchange(req: HttpRequest): Promise<HttpResult>
  /** True once {@link close} was called. */
  readonly closed: boolean
  /** Aborts exchanges in flight and waiting, and releases the connections. */
  close(): Promise<void>
}

const DEFAULT_ERROR_BODY = 64 * 1024

type Undici = Pick<typeof import('undici'), 'Agent' | 'request'>
let undiciModule: Promise<Undici> | undefined

/**
 * undici, loaded at the first exchange: most runs ask no HTTP server at all (UDP resolvers, no
 * token), and loading it cost a sixth of the CLI's start-up (issue 12). A chunk of its own in
 * the bundle (src/bundle.ts): a run that asks no HTTP server does not even read it.
 */
function loadUndici(): Promise<Undici> {
  return (undiciModule ??= import('undici').then(({ Agent, request }) => ({ Agent, request })))
}

/** Creates a transport. Nothing connects until the first exchange. */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const clock = options.clock ?? systemClock
  const { timeoutMs } = options
  let agent: Agent | undefined
  let closed = false
  const closing = new AbortController()
  // Every exchange in flight or waiting for the rate limiter listens on it, and lets go when done:
  // a fleet has hundreds at once, which Node would warn of on stderr past 10.
  setMaxListeners(0, closing.signal)

  function dispatcher(undici: Undici): Dispatcher {
    if (options.dispatcher) return options.dispatcher
    // One keep-alive Agent per transport, so the requests of a run share connections (and
    // TLS handshakes), and close() can release them.
    agent ??= new undici.Agent({ connect: { timeout: timeoutMs } })
    return agent
  }

  const failed = (fields: Partial<Extract<HttpResult, { kind: 'failure' }>>): HttpResult => ({
    kind: 'failure',
    timedOut: false,
    aborted: false,
    notSent: false,
    reason: 'failed',
    ...fields
  })

  async function exchange(req: HttpRequest): Promise<HttpResult> {
    if (closed || req.signal?.aborted)
      return failed({ aborted: true, notSent: true, reason: 'closed' })
    const release = options.rateLimiter
      ? await options.rateLimiter.acquire(closing.signal)
      : undefined
    const controller = new AbortController()
    const abort = (): void => controller.abort(new Error('aborted'))
    closing.signal.addEventListener('abort', abort)
    req.signal?.addEventListener('abort', abort)
    const deadline = abortAfter(controller, timeoutMs, clock)
    try {
      if (closed || req.signal?.aborted) {
        return failed({ aborted: true, notSent: true, reason: 'closed' })
      }
      const undici = await loadUndici()
      const res = await undici.request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: dispatcher(undici),
        signal: controller.signal
      })
      const status = res.statusCode
      const retryAfter = retryAfterMs(headerValue(res.headers['retry-after']), clock.now())
      options.rateLimiter?.observe({
        status,
        limit: headerCount(headerValue(res.headers['x-ratelimit-limit'])),
        remaining: headerCount(headerValue(res.headers['x-ratelimit-remaining'])),
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter })
      })
      const cap =
        status >= 200 && status < 300
          ? options.maxBodyBytes
          : (options.maxErrorBodyBytes ?? DEFAULT_ERROR_BODY)
      const body = await readLimited(res.body, cap)
      return {
        kind: 'response',
        status,
        headers: res.headers,
        body,
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter })
      }
    } catch (err) {
      const code = errorCode(err)
      if (deadline.timedOut)
        return failed({ timedOut: true, reason: `no answer within ${timeoutMs} ms` })
      if (closed || req.signal?.aborted) return failed({ aborted: true, reason: 'closed' })
      if (code === 'UND_ERR_CONNECT_TIMEOUT') {
        return failed({ timedOut: true, notSent: true, reason: 'connection timed out' })
      }
      return failed({ notSent: code === 'ECONNREFUSED', reason: connectionError(err) })
    } finally {
      deadline.clear()
      release?.()
      closing.signal.removeEventListener('abort', abort)
      req.signal?.removeEventListener('abort', abort)
    }
  }

  return {
    exchange,
    get closed() {
      return closed
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      closing.abort(new Error('closed'))
      const a = agent
      agent = undefined
      if (a) await a.destroy()
    }
  }
}
