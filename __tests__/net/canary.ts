/**
 * A canary token and the forms a server may echo it back in, for tests that assert a secret
 * appears nowhere: as sent, in another case, in base64 (of the token, of `Bearer <token>`, of
 * `user:<token>`, standard and URL-safe), and split by invisible characters or line breaks.
 */

export const CANARY = 'CanaryTok3n-9f8e7d6c5b4a39281706'

export const b64 = (text: string) => Buffer.from(text).toString('base64')
export const b64url = (text: string) => Buffer.from(text).toString('base64url')

/** Every form of `token` a server might send back, by name. */
export function echoes(token: string): Record<string, string> {
  const invisibles = ['\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u2064', '\u200f']
  return {
    'as sent': token,
    'upper-cased': token.toUpperCase(),
    'lower-cased': token.toLowerCase(),
    base64: b64(token),
    'base64 url-safe': b64url(token),
    'base64 of Bearer': b64(`Bearer ${token}`),
    'base64 url-safe of Bearer': b64url(`Bearer ${token}`),
    'base64 of user:token': b64(`api:${token}`),
    'base64 of the upper-cased token': b64(token.toUpperCase()),
    'zero-width spaces': [...token].join('\u200b'),
    'mixed invisibles': [...token].map((c, i) => c + invisibles[i % invisibles.length]).join(''),
    'line breaks': `${token.slice(0, 10)}\r\n${token.slice(10)}`
  }
}

/** True when `text` still holds the canary in some form. */
export function holdsCanary(text: string): boolean {
  const squeezed = text.replace(/[\s\p{Cc}\p{Cf}\u00ad]/gu, '').toLowerCase()
  if (squeezed.includes(CANARY.toLowerCase())) return true
  // The middle of each base64 form (its ends depend on what surrounds the token).
  const forms = [CANARY, `Bearer ${CANARY}`, `api:${CANARY}`, CANARY.toUpperCase()].flatMap(
    (form) => [b64(form), b64url(form)]
  )
  return forms.some((form) => text.replace(/\s/g, '').includes(form.slice(-24, -4)))
}

/** Every form of the canary a server might send back. */
export const ECHOES: Record<string, string> = echoes(CANARY)
