/**
 * redactSecrets and safeText against a canary token echoed back in the forms servers echo it:
 * as sent, in another case, in base64 (of the token, of `Bearer <token>`, of `user:<token>`,
 * standard and URL-safe), percent-encoded, and split by invisible characters or white space.
 */
import { describe, expect, it } from '@jest/globals'
import { redactSecrets } from '../../src/net/redact.js'
import { safeText } from '../../src/net/text.js'
import { b64, CANARY, ECHOES, holdsCanary } from './canary.js'

describe('redactSecrets', () => {
  it.each(Object.entries(ECHOES))('removes the token %s', (_form, echo) => {
    const text = `Invalid token: ${echo} (request 42)`
    expect(holdsCanary(text)).toBe(true)
    const out = redactSecrets(text, [CANARY])
    expect(holdsCanary(out)).toBe(false)
    expect(out.startsWith('Invalid token: ')).toBe(true)
    expect(out.endsWith(' (request 42)')).toBe(true)
    expect(out).toBe('Invalid token: *** (request 42)')
  })

  it('removes the token inside any base64 text, whatever precedes it', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', 'Authorization: Bearer ', 'x'.repeat(7)]) {
      const out = redactSecrets(`echo=${b64(prefix + CANARY + '!')}`, [CANARY])
      expect(holdsCanary(out)).toBe(false)
    }
  })

  it('leaves text without a secret as it is, save invisible characters', () => {
    expect(redactSecrets('Account access forbidden', [CANARY])).toBe('Account access forbidden')
    expect(redactSecrets('zero\u200bwidth', [CANARY])).toBe('zerowidth')
    expect(redactSecrets('abc abc', ['abc'])).toBe('abc abc')
    expect(redactSecrets('x hunter2 x', ['hunter2', ''])).toBe('x *** x')
  })

  it('takes several secrets, and special characters in them', () => {
    const out = redactSecrets('a p@ss.w+rd b S3CRET-two c', ['p@ss.w+rd', 's3cret-two'])
    expect(out).toBe('a *** b *** c')
  })
  it('stays linear on hostile text: long base64 runs, long gaps, near-misses', () => {
    const secret = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB'
    const texts = [
      'A'.repeat(64 * 1024),
      'QUFB'.repeat(16 * 1024),
      `A${' '.repeat(64 * 1024)}`,
      'A\u200b'.repeat(32 * 1024),
      `${'A'.repeat(31)} `.repeat(2048)
    ]
    const started = process.hrtime.bigint()
    for (const text of texts) expect(redactSecrets(text, [secret]).length).toBeGreaterThan(0)
    // Linear work is a few ms here; quadratic work on 64 KiB would take minutes.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(10_000)
  })
})

describe('safeText', () => {
  it('redacts before it cuts, so no part of a secret survives the cut', () => {
    const text = `${'m'.repeat(190)}${CANARY}${'n'.repeat(50)}`
    const out = safeText(text, [CANARY])
    expect(out).toBe(`${'m'.repeat(190)}***${'n'.repeat(6)}…`)
    expect(out.length).toBe(200)
    expect(safeText(text, [])).not.toContain(CANARY)
  })

  it('makes one line of control characters and line breaks', () => {
    expect(safeText('a\r\nb\u001b[31mc\u2028d', [])).toBe('a b [31mc d')
  })
})
