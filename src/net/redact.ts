/**
 * Secrets out of text that came from elsewhere: an API's error body, a socket's error, a page
 * a proxy sent. Servers echo what they were sent, and not always as it was sent: in another
 * case, in base64 (an `Authorization` header quoted back), split by invisible characters.
 */

/** What a removed secret is shown as. */
export const REDACTED = '***'

/**
 * Characters that render as nothing (zero-width spaces and joiners, marks, word joiner and
 * invisible operators, BOM, soft hyphen), removed before secrets are looked for, so a secret
 * split by them is still found; bidi and other format controls go too.
 */
const INVISIBLE = /\p{Cf}|\u034f|\u115f|\u1160|\u17b4|\u17b5|\u180e|\u3164|\uffa0/gu

/** Between two characters of a secret: white space or control characters a server inserted. */
const GAP = '[\\s\\u0000-\\u001f\\u007f-\\u009f]*'

/** A character of either base64 alphabet, or padding. */
const BASE64_CHAR = /[A-Za-z0-9+/_=-]/

/** Shorter than this, a "secret" would redact ordinary words; such values are not secrets. */
const MIN_SECRET = 4

/**
 * `text` with every form of every secret replaced by `***`: the secret in any case, its
 * base64 (standard and URL-safe, at any byte offset, so inside `Bearer <token>` or
 * `user:<password>` too, in the token's own case and upper- and lower-cased) and its
 * percent-encoding, each also when white space, control or invisible characters split it.
 * A base64 form takes the whole base64 run it sits in with it.
 * Invisible characters are removed from the result. Secrets shorter than 4 characters are
 * ignored.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = String(text).replace(INVISIBLE, '')
  for (const secret of secrets) {
    const plain = String(secret ?? '').replace(INVISIBLE, '')
    if (plain.length < MIN_SECRET) continue
    out = out.replace(spread(plain, 'giu'), REDACTED)
    const encoded = encodeURIComponent(plain)
    if (encoded !== plain) out = out.replace(spread(encoded, 'giu'), REDACTED)
    for (const form of base64Forms(plain)) out = replaceWithRun(out, spread(form, 'gu'))
  }
  return out
}

/**
 * `text` with each match of `pattern` replaced, together with the base64 run it sits in:
 * what precedes or follows a secret in one encoded string is no one's business. The run is
 * found by stepping out from the match, not by the pattern, which keeps the work linear.
 */
function replaceWithRun(text: string, pattern: RegExp): string {
  let out = ''
  let done = 0
  for (const match of text.matchAll(pattern)) {
    let start = match.index
    let end = start + match[0].length
    if (start < done) continue
    while (start > done && BASE64_CHAR.test(text[start - 1]!)) start--
    while (end < text.length && BASE64_CHAR.test(text[end]!)) end++
    out += text.slice(done, start) + REDACTED
    done = end
  }
  return out + text.slice(done)
}

/** A pattern for `literal` that also matches it with {@link GAP}s between its characters. */
function spread(literal: string, flags: string): RegExp {
  const chars = Array.from(literal, (c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  return new RegExp(chars.join(GAP), flags)
}

/**
 * The base64 text every encoding of `secret` contains, whatever comes before it: for each of
 * the three byte offsets, the characters that depend on the secret's bytes alone. Standard
 * and URL-safe alphabets; the secret as given, upper- and lower-cased.
 */
function base64Forms(secret: string): string[] {
  const forms = new Set<string>()
  for (const variant of new Set([secret, secret.toUpperCase(), secret.toLowerCase()])) {
    const bytes = Buffer.from(variant, 'utf8')
    for (let offset = 0; offset < 3; offset++) {
      const padded = Buffer.concat([Buffer.alloc(offset), bytes])
      const encoded = padded.toString('base64').replace(/=+$/, '')
      // Leading characters mix in the filler bytes; trailing ones mix in what follows.
      const start = offset === 0 ? 0 : Math.ceil((offset * 4) / 3)
      const end = Math.floor((padded.length * 8) / 6)
      const core = encoded.slice(start, end)
      if (core.length < MIN_SECRET) continue
      forms.add(core)
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'))
    }
  }
  return [...forms]
}
