/**
 * Secrets out of text shown to users. A local stand-in for the shared `redactSecrets` of
 * src/net/, which also covers encoded forms; the lead switches callers to it at merge.
 */

/** Remove every secret from `text`, whatever its case. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length < 4) continue
    const pattern = new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi')
    out = out.replace(pattern, '***')
  }
  return out
}

/** One line: secrets removed, control, bidi and zero-width characters dropped, cut at `max`. */
export function oneLine(text: string, secrets: readonly string[], max: number): string {
  const clean = redact(text, secrets)
    .replace(/[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}
