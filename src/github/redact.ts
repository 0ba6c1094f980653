/**
 * Secrets out of GitHub's text before it is shown: the shared redactor of src/net/ (the token
 * in any case, in base64, split by invisible characters), then the one filter for what is left.
 */
import { redactSecrets } from '../net/redact.js'
import { printable } from '../text/printable.js'

/** Remove every secret from `text`, in every form the shared redactor knows. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets)
}

/** One line: secrets removed, control and invisible characters escaped, cut at `max`. */
export function oneLine(text: string, secrets: readonly string[], max: number): string {
  const clean = printable(redact(text, secrets).replace(/\s+/g, ' ').trim())
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}
