/**
 * Text from elsewhere (an API's message, a socket's error, a name an API listed) made fit for
 * one line of a message: no secret, no control characters, bounded.
 */
import { redactSecrets } from './redact.js'

/** Control characters, line and paragraph separators and bidi controls: never in a message. */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** Text on one line, its unprintable characters and runs of white space made one space. */
export function oneLine(text: string): string {
  return text.replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim()
}

/** `text` cut to `max` characters, ending in `…` when cut, never in half a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let cut = text.slice(0, Math.max(0, max - 1))
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}

/** How much of an upstream text a message quotes, unless told otherwise. */
export const MAX_QUOTED = 200

/**
 * Untrusted text ready to quote: secrets redacted (see {@link redactSecrets}) before anything
 * is cut, so no part of a secret survives, then one line, then at most `max` characters.
 */
export function safeText(text: string, secrets: readonly string[], max = MAX_QUOTED): string {
  return truncate(oneLine(redactSecrets(text, secrets)), max)
}
