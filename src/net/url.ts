/**
 * The URL rules every HTTP client of the tool follows: http:// or https:// only, and
 * credentials in the URL never shown, neither in messages nor in the address reports show.
 */
import { stripUserinfo } from './errors.js'

/** A parsed endpoint. */
export interface HttpUrl {
  /** The URL without userinfo and fragment: what is requested and shown. */
  url: URL
  /** `Basic …` made from the URL's userinfo, if it had any. */
  basicAuth?: string
  /** The userinfo's parts, raw and decoded, for {@link redactSecrets} on text from elsewhere. */
  secrets: string[]
}

/**
 * Parses `text` as an http:// or https:// URL. Throws an Error reading
 * `<label> "<url without userinfo>" is not a valid URL` or `... is not an http:// or https://
 * URL<hint>`, so a password in a mistyped URL is never repeated.
 */
export function parseHttpUrl(text: string, label: string, hint = ''): HttpUrl {
  const shown = stripUserinfo(String(text))
  let url: URL
  try {
    url = new URL(String(text))
  } catch {
    throw new Error(`${label} "${shown}" is not a valid URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${label} "${shown}" is not an http:// or https:// URL${hint}`)
  }
  const secrets: string[] = []
  let basicAuth: string | undefined
  if (url.username !== '' || url.password !== '') {
    const user = safeDecode(url.username)
    const password = safeDecode(url.password)
    basicAuth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    secrets.push(url.username, user, url.password, password)
    url.username = ''
    url.password = ''
  }
  url.hash = ''
  return { url, basicAuth, secrets: [...new Set(secrets.filter((s) => s !== ''))] }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
