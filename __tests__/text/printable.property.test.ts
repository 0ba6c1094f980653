import fc from 'fast-check'
import { check } from '../../src/check.js'
import { loadConfig } from '../../src/config/load-config.js'
import type { Resolver } from '../../src/dns/types.js'
import { selectAnnotations } from '../../src/report/annotations.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { renderText } from '../../src/report/text.js'
import { isPrintable, printable } from '../../src/text/printable.js'

/** Characters a terminal or a browser would act on, or that hide or reorder text. */
const HOSTILE = [
  '\u001b[31m',
  '\u0007',
  '\u0000',
  '\u0008',
  '\u009b',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\u2028',
  '\r'
]
const hostile = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom(...HOSTILE)), {
    maxLength: 6
  })
  .map((parts) => parts.join(''))

/** A resolver that answers every question with the given TXT text, under a hostile name. */
function resolverSaying(text: string, name: string): Resolver {
  return {
    name,
    kind: 'recursive',
    address: '127.0.0.1:53',
    close: async () => {},
    query: async (q) => ({
      ok: true,
      response: {
        rcode: 'NOERROR',
        flags: { aa: false, tc: false, rd: true, ra: true },
        answers: [{ name: q.name.toLowerCase(), type: 'TXT', ttl: 60, data: text }],
        authority: []
      }
    })
  }
}

/** Output lines may be separated by newlines; nothing else unsafe may reach them. */
const safe = (text: string): boolean => text.split('\n').every(isPrintable)

describe('the one filter for untrusted text', () => {
  it('escapes every control, bidi and invisible character, and is idempotent', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = printable(text)
        expect(isPrintable(out)).toBe(true)
        expect(printable(out)).toBe(out)
      })
    )
    expect(printable('a\u202eb\u001b[0m')).toBe('a\\u{202e}b\\x1b[0m')
    expect(printable('plain text, bücher.example')).toBe('plain text, bücher.example')
  })

  it('keeps hostile DNS data out of the text report, the Markdown and the annotations', async () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - name: example.com\n    verification: mt07\n',
      'd.yaml'
    )
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (text, name) => {
        const report = await check(config, {
          resolvers: [resolverSaying(`v=DMARC1; p=${text}`, `r${name}`)],
          now: () => new Date(0)
        })
        expect(safe(renderText(report, { color: false }))).toBe(true)
        expect(safe(renderMarkdown(report))).toBe(true)
        const annotations = selectAnnotations(
          report.domains.flatMap((d) =>
            d.records.flatMap((r) =>
              r.findings.map((f) => ({
                level: 'error' as const,
                severityRank: 2,
                file: 'd.yaml',
                line: d.line,
                title: `${d.domain} ${name}`,
                message: `${f.message} ${text}`
              }))
            )
          )
        )
        for (const a of annotations) expect(safe(a.message) && isPrintable(a.title)).toBe(true)
      }),
      { numRuns: 60 }
    )
  })
})
