/**
 * What went wrong with a request or a socket, in a few words, read from errors of any realm.
 * Shared by the DNS clients and the Mailtrap client.
 */

/**
 * An error's fields, read by shape rather than `instanceof`: errors from Node's sockets may
 * come from another realm (a test VM context), where `instanceof Error` is false.
 */
export interface ErrorLike {
  message?: unknown
  code?: unknown
  cause?: unknown
  errors?: unknown
}

export function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined
}

/** The first of an AggregateError's errors (as `net` gives when every address failed). */
export function firstAggregated(err: ErrorLike): unknown {
  return Array.isArray(err.errors) && err.errors.length > 0 ? err.errors[0] : undefined
}

/** The error code of a failed request, looking through wrappers (`cause`, AggregateError). */
export function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>()
  let current = asErrorLike(err)
  while (current && !seen.has(current)) {
    seen.add(current)
    if (typeof current.code === 'string' && current.code !== '') return current.code
    current = asErrorLike(firstAggregated(current) ?? current.cause)
  }
  return undefined
}

/** What went wrong with a connection, in a few words. */
export function connectionError(err: unknown): string {
  const code = errorCode(err)
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset'
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'the server closed the connection'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `cannot resolve the host name (${errorText(err)})`
    case 'EHOSTUNREACH':
      return 'host unreachable'
    case 'ENETUNREACH':
      return 'network unreachable'
    default: {
      const text = errorText(err)
      if (code && /CERT|TLS|SSL|SELF_SIGNED|VERIFY/.test(code)) return `TLS error: ${text}`
      return text === '' && code ? code : text
    }
  }
}

/**
 * `scheme://user:password@rest` → `scheme://rest`, for showing a URL that may not parse; also
 * without a scheme (`//user@host`, `user:password@host`), up to the last `@` of the authority.
 */
export function stripUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:)?(\/\/)?[^/?#]*@/i, '$1$2')
}

/** The first value of a header that may come as a list. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export function errorText(err: unknown): string {
  const e = asErrorLike(err)
  if (e && typeof e.message === 'string') {
    const inner = firstAggregated(e)
    return e.message === '' && inner !== undefined ? errorText(inner) : e.message
  }
  return String(err)
}
