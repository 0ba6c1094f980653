/**
 * What an API's error answer says, and only that: the `errors`, `error` or `message` field of a
 * JSON body. Anything else a server sends (an HTML page, plain text, a stack trace, the request
 * echoed back) is never quoted, as it may hold anything, the caller's credentials included.
 */

/**
 * The message of a JSON error body, as one string (not yet made safe: pass it through
 * `safeText`); undefined when the body is missing, not JSON, or has no message field.
 */
export function apiMessage(body: Buffer | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined
  const fields = json as Record<string, unknown>
  const said = flattenErrors(fields.errors ?? fields.error ?? fields.message)
  return said === '' ? undefined : said
}

/**
 * An `errors` field as one line, whatever its shape: a string, an array of them, or an object
 * of arrays (`{"base": ["..."], "domain_name": ["can't be blank"]}`, where `base` needs no
 * label).
 */
function flattenErrors(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (depth > 3 || typeof value !== 'object' || value === null) return ''
  if (Array.isArray(value)) {
    return value
      .slice(0, 20)
      .map((item) => flattenErrors(item, depth + 1))
      .filter((s) => s !== '')
      .join(', ')
  }
  return Object.entries(value)
    .slice(0, 20)
    .map(([key, item]) => {
      const text = flattenErrors(item, depth + 1)
      if (text === '') return ''
      return key === 'base' ? text : `${key}: ${text}`
    })
    .filter((s) => s !== '')
    .join('; ')
}
