import { setMaxListeners } from 'node:events'
import { getOctokit } from '@actions/github'
import { fetch as undiciFetch, Response } from 'undici'
import { setTimeout as sleepFor } from 'node:timers/promises'
import { oneLine } from './redact.js'

export { redact } from './redact.js'

/**
 * A GitHub client that cannot hang: every request has one deadline from connect to last byte,
 * 5xx answers and secondary rate limits are retried with backoff, listings stop at a page cap,
 * and a whole step can be bounded with {@link withDeadline}. Errors come out as one short line
 * with the token taken out.
 */

/** Time as the client sees it; tests pass a fake one so backoff is deterministic. */
export interface Clock {
  now(): number
  /** Resolve after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }).catch(() => undefined)
}

export interface GitHubClientOptions {
  token: string
  /** The REST API root, e.g. `GITHUB_API_URL`; GraphQL is `${baseUrl}/graphql`. */
  baseUrl: string
  /** One try of one request, connect to last byte. */
  timeoutMs?: number
  /** Retries after the first try (5xx, network errors, timeouts, rate limits). */
  retries?: number
  /** The longest wait a rate limit may ask for before the client gives up instead. */
  maxWaitMs?: number
  /** Listings stop after this many pages of 100, with a warning. */
  maxPages?: number
  /** The largest response body read, in bytes. */
  maxBodyBytes?: number
  clock?: Clock
  warn?: (line: string) => void
  /** The fetch under the client: undici's unless a test passes another. */
  fetch?: typeof undiciFetch
}

export type GitHubErrorKind =
  'timeout' | 'network' | 'secondary-rate-limit' | 'rate-limit' | 'server' | 'too-large' | 'http'

/** A request that failed for a reason the client itself saw (no answer, too large, limited). */
export class GitHubApiError extends Error {
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.name = 'GitHubApiError'
  }
}

export type Octokit = ReturnType<typeof getOctokit>

export interface GitHubClient {
  octokit: Octokit
  /** Every item of a REST listing, at most `maxPages` pages of 100 (then a warning). */
  list<T>(route: string, params: Record<string, unknown>, what: string): Promise<T[]>
  /** A GraphQL query or mutation; GraphQL `errors` become an Error. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>
  /** Abort every request in flight and every later one (a step's deadline ran out). */
  abort(): void
  /** The error as one short line, token removed. */
  describe(error: unknown): string
}

const SAFE_TO_REPEAT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'])

/** Build the client over `@actions/github`'s octokit with a fetch that bounds every request. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const clock = options.clock ?? realClock
  const warn = options.warn ?? (() => {})
  const maxPages = options.maxPages ?? 30
  const stop = new AbortController()
  // Every request listens on it while it lasts (no warning past 10).
  setMaxListeners(0, stop.signal)
  const fetch = boundedFetch({ ...options, clock, signal: stop.signal })
  const octokit = getOctokit(options.token, {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    request: { fetch }
  })
  return {
    octokit,
    async list<T>(route: string, params: Record<string, unknown>, what: string) {
      const items: T[] = []
      let pages = 0
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const iterator = octokit.paginate.iterator(route as any, { ...params, per_page: 100 })
      for await (const page of iterator) {
        items.push(...(page.data as T[]))
        if (++pages >= maxPages && /rel="next"/.test(String(page.headers.link ?? ''))) {
          warn(
            `Stopped listing ${what} after ${pages} pages (${items.length} items): GitHub still offered more. Later ones are not considered.`
          )
          break
        }
      }
      return items
    },
    async graphql<T>(query: string, variables: Record<string, unknown> = {}) {
      const response = await octokit.request('POST /graphql', { query, variables })
      const data = response.data as { data?: T; errors?: { message?: string; type?: string }[] }
      if (data.errors?.length) {
        const first = data.errors[0]!
        throw new GitHubApiError('http', `GraphQL: ${first.message ?? first.type ?? 'error'}`)
      }
      return data.data as T
    },
    abort: () => stop.abort(new GitHubApiError('timeout', 'the step ran out of time')),
    describe: (error) => describeGitHubError(error, [options.token])
  }
}

interface BoundedFetchOptions extends GitHubClientOptions {
  clock: Clock
  signal: AbortSignal
}

/**
 * A fetch with one deadline per try covering the whole body, a size cap, and retries: 5xx,
 * network errors and timeouts for methods that are safe to repeat; rate limits for every method
 * (GitHub did nothing with a limited request). The answer handed on is fully read, so octokit
 * cannot wait on a body that never ends.
 */
export function boundedFetch(options: BoundedFetchOptions): typeof undiciFetch {
  const underlying = options.fetch ?? undiciFetch
  const timeoutMs = options.timeoutMs ?? 10_000
  const retries = options.retries ?? 3
  const maxWaitMs = options.maxWaitMs ?? 60_000
  const maxBody = options.maxBodyBytes ?? 20 * 1024 * 1024
  const { clock } = options
  return (async (
    input: Parameters<typeof undiciFetch>[0],
    init?: Parameters<typeof undiciFetch>[1]
  ) => {
    const method = (init?.method ?? 'GET').toUpperCase()
    const what = `${method} ${pathOf(String(input instanceof URL ? input.href : input))}`
    for (let attempt = 0; ; attempt++) {
      if (options.signal.aborted)
        throw new GitHubApiError('timeout', `${what}: the step ran out of time`)
      let outcome: Response | GitHubApiError
      try {
        outcome = await oneTry(underlying, input, init, timeoutMs, maxBody, options.signal, what)
      } catch (error) {
        outcome =
          error instanceof GitHubApiError
            ? error
            : new GitHubApiError('network', `${what}: ${causeText(error)}`)
      }
      const last = attempt >= retries
      if (outcome instanceof GitHubApiError) {
        if (last || !SAFE_TO_REPEAT.has(method) || outcome.kind === 'too-large') throw outcome
        await clock.sleep(backoff(attempt), options.signal)
        continue
      }
      const limit = await rateLimitWait(outcome, clock.now())
      if (limit) {
        if (last || limit.waitMs > maxWaitMs) return outcome // describe() names the limit
        options.warn?.(
          `GitHub's ${limit.secondary ? 'secondary ' : ''}rate limit on ${what}: waiting ${Math.ceil(limit.waitMs / 1000)} s before try ${attempt + 2}.`
        )
        await clock.sleep(limit.waitMs, options.signal)
        continue
      }
      if (outcome.status >= 500 && !last && SAFE_TO_REPEAT.has(method)) {
        await clock.sleep(backoff(attempt), options.signal)
        continue
      }
      return outcome
    }
  }) as typeof undiciFetch
}

/** 1 s, 2 s, 4 s, … capped at 30 s; no jitter, so tests can count the waits. */
function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** attempt)
}

async function oneTry(
  fetch: typeof undiciFetch,
  input: Parameters<typeof undiciFetch>[0],
  init: Parameters<typeof undiciFetch>[1],
  timeoutMs: number,
  maxBody: number,
  stepSignal: AbortSignal,
  what: string
): Promise<Response> {
  const controller = new AbortController()
  const onStep = () => controller.abort()
  stepSignal.addEventListener('abort', onStep, { once: true })
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const response = await fetch(input, { ...init, signal: controller.signal })
    const chunks: Uint8Array[] = []
    let size = 0
    if (response.body) {
      for await (const chunk of response.body) {
        size += chunk.length
        if (size > maxBody) {
          controller.abort()
          throw new GitHubApiError(
            'too-large',
            `${what}: the answer is larger than ${maxBody} bytes`
          )
        }
        chunks.push(chunk)
      }
    }
    // A fully read copy: octokit's later reads cannot wait on the network.
    const status = response.status
    const nullBody = status === 204 || status === 205 || status === 304
    return new Response(nullBody ? null : Buffer.concat(chunks), {
      status,
      statusText: response.statusText,
      headers: response.headers
    })
  } catch (error) {
    if (error instanceof GitHubApiError) throw error
    if (stepSignal.aborted) throw new GitHubApiError('timeout', `${what}: the step ran out of time`)
    if (controller.signal.aborted) {
      throw new GitHubApiError('timeout', `${what}: no complete answer within ${timeoutMs} ms`)
    }
    throw new GitHubApiError('network', `${what}: ${causeText(error)}`)
  } finally {
    clearTimeout(timer)
    stepSignal.removeEventListener('abort', onStep)
  }
}

/**
 * How long GitHub asks us to wait, when an answer is a rate limit: a secondary limit is a 403
 * or 429 with `retry-after` or that says so; a primary one has `x-ratelimit-remaining: 0`.
 */
async function rateLimitWait(
  response: Response,
  now: number
): Promise<{ waitMs: number; secondary: boolean } | undefined> {
  if (response.status !== 403 && response.status !== 429) return undefined
  const text = await response.clone().text()
  const secondary = /secondary rate limit/i.test(text)
  const retryAfter = Number(response.headers.get('retry-after'))
  const remaining = response.headers.get('x-ratelimit-remaining')
  const reset = Number(response.headers.get('x-ratelimit-reset'))
  if (Number.isFinite(retryAfter) && response.headers.has('retry-after')) {
    return { waitMs: Math.max(0, retryAfter) * 1000, secondary: secondary || remaining !== '0' }
  }
  if (remaining === '0' && Number.isFinite(reset)) {
    return { waitMs: Math.max(0, reset * 1000 - now), secondary: false }
  }
  // GitHub: without a header, wait at least a minute before retrying a secondary limit; a
  // 429 is one whatever its text says.
  if (secondary || response.status === 429) return { waitMs: 60_000, secondary: true }
  return undefined
}

function pathOf(url: string): string {
  try {
    const u = new URL(url)
    return u.pathname
  } catch {
    return url.split('?')[0]!
  }
}

function causeText(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown; code?: unknown } }
  const inner = e?.cause?.code ?? e?.cause?.message
  return String(inner ?? e?.message ?? error)
}

/**
 * Bound a whole step: reject with a timeout after `ms` and call `onExpire` (e.g. the client's
 * `abort`), so the caller goes on (sets outputs, fails clearly) whatever the API does.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  options: { what?: string; onExpire?: () => void; clock?: Clock } = {}
): Promise<T> {
  const clock = options.clock ?? realClock
  const done = new AbortController()
  const expired = clock.sleep(ms, done.signal).then(() => {
    if (done.signal.aborted) return new Promise<never>(() => {})
    options.onExpire?.()
    throw new GitHubApiError(
      'timeout',
      `${options.what ?? 'The step'} did not finish within ${ms} ms`
    )
  })
  try {
    return await Promise.race([promise, expired])
  } finally {
    done.abort()
  }
}

/** The longest error line shown. */
export const MAX_ERROR_LENGTH = 300

/**
 * A failed GitHub request as one short line: rate limits said as such (never as a missing
 * permission), timeouts as timeouts, GitHub's own message otherwise; secrets removed, control
 * characters dropped, cut at {@link MAX_ERROR_LENGTH}.
 */
export function describeGitHubError(error: unknown, secrets: readonly string[]): string {
  const own = findOwn(error)
  const e = error as {
    status?: number
    message?: unknown
    response?: { headers?: Record<string, string>; data?: unknown }
  }
  let line: string
  if (own) line = own.message
  else {
    const data = e?.response?.data as { message?: unknown } | undefined
    const message = typeof data?.message === 'string' ? data.message : String(e?.message ?? error)
    const headers = e?.response?.headers ?? {}
    if ((e.status === 403 && /secondary rate limit/i.test(message)) || e.status === 429) {
      line = `GitHub's secondary rate limit stopped the request (HTTP ${e.status}${headers['retry-after'] ? `, retry after ${headers['retry-after']} s` : ''}); too many writes at once, not a permission problem`
    } else if ((e.status === 403 || e.status === 429) && headers['x-ratelimit-remaining'] === '0') {
      line = `GitHub's API rate limit for this token is used up (HTTP ${e.status}); not a permission problem`
    } else line = e.status ? `HTTP ${e.status}: ${message}` : message
  }
  return oneLine(line, secrets, MAX_ERROR_LENGTH)
}

function findOwn(error: unknown): GitHubApiError | undefined {
  const seen = new Set<unknown>()
  let current = error as { cause?: unknown } | undefined
  while (current && typeof current === 'object' && !seen.has(current)) {
    if (current instanceof GitHubApiError) return current
    seen.add(current)
    current = current.cause as { cause?: unknown } | undefined
  }
  return undefined
}
