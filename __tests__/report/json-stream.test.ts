import fc from 'fast-check'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { check } from '../../src/check.js'
import { loadConfig } from '../../src/config/load-config.js'
import { createZoneFileResolver } from '../../src/dns/zone-source.js'
import { plainAscii, writeJsonReport } from '../../src/report/json-stream.js'
import type { Report } from '../../src/report/report.js'
import { jsonSafe } from '../../src/text/printable.js'
import { renderJson } from '../../src/report/text.js'

const examples = new URL('../../examples/', import.meta.url).pathname
const now = (): Date => new Date('2026-11-26T08:00:00Z')

async function exampleReport(): Promise<Report> {
  const config = loadConfig(
    await readFile(`${examples}domains.yaml`, 'utf8'),
    'examples/domains.yaml'
  )
  return check(config, { resolvers: [await createZoneFileResolver(`${examples}zones`)], now })
}

/** Every chunk written to a plain function sink, in order. */
async function chunksOf(report: Report): Promise<string[]> {
  const chunks: string[] = []
  await writeJsonReport(report, (chunk) => {
    chunks.push(chunk)
  })
  return chunks
}

describe('writeJsonReport', () => {
  it('writes the bytes of renderJson for the examples, one chunk per domain', async () => {
    const report = await exampleReport()
    expect(report.domains.length).toBeGreaterThan(5)
    const chunks = await chunksOf(report)
    expect(chunks.join('')).toBe(renderJson(report))
    // The head, one chunk per domain, the close: no chunk holds two domains.
    expect(chunks).toHaveLength(report.domains.length + 2)
    for (const [i, domain] of report.domains.entries()) {
      expect(chunks[i + 1]).toContain(JSON.stringify(domain.domain))
      expect(chunks[i + 1]!.match(/"domain":/g)).toHaveLength(1)
      expect(chunks[i + 1]!.replace(/^,/, '').trim().split('\n')).toHaveLength(1)
    }
    // The summary comes after the domains: a streamed report knows it only at the end.
    expect(chunks[0]).not.toContain('"summary"')
    expect(chunks.at(-1)).toContain('"summary"')
    expect(JSON.parse(chunks.join(''))).toEqual(JSON.parse(JSON.stringify(report)))
  })

  it('writes the bytes of renderJson with no domains, and with a field after domains', async () => {
    const report = await exampleReport()
    const empty = { ...report, domains: [], summary: { ...report.summary, domains: 0 } }
    expect((await chunksOf(empty)).join('')).toBe(renderJson(empty))
    const { domains, ...rest } = report
    const reordered = { ...rest, domains, extra: { note: 'added later' }, gone: undefined }
    expect((await chunksOf(reordered as Report)).join('')).toBe(renderJson(reordered as Report))
  })

  it('writes what JSON.stringify writes for any JSON in and around the domains', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.array(fc.jsonValue(), { maxLength: 5 }),
        async (fields, domains) => {
          const report = { ...fields, domains } as unknown as Report
          const text = (await chunksOf(report)).join('')
          expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)))
          // One line a field and one a domain: the layout, whatever the values.
          const lines = text.split('\n')
          expect(lines.filter((l) => /^ {4}\S/.test(l))).toHaveLength(domains.length)
        }
      ),
      { numRuns: 200 }
    )
  })

  it('writes each domain as jsonSafe writes JSON.stringify’s text, whatever its characters', async () => {
    // The line skips jsonSafe's pass when nothing is DEL or above: held here to the full pass.
    const hostile = ['\u007f', '\u0085', '\u009f', '\u00ad', '\u202e', '\u200b', '\ufeff']
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(...hostile, '\x1b', 'é')), {
        maxLength: 4
      })
      .map((parts) => parts.join(''))
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(text, fc.oneof(text, fc.array(text), fc.integer())), {
          maxLength: 4
        }),
        async (domains) => {
          const chunks = await chunksOf({ domains } as unknown as Report)
          for (const [i, domain] of domains.entries()) {
            const line = chunks[i + 1]!.replace(/^,?\n {4}/, '')
            expect(line).toBe(jsonSafe(JSON.stringify(domain)))
          }
        }
      ),
      { numRuns: 300 }
    )
    const [, line] = await chunksOf({ domains: [{ txt: 'a\u202eb\u007f' }] } as unknown as Report)
    expect(line).toBe('\n    {"txt":"a\\u202eb\\u007f"}')
  })

  it('awaits a sink that returns a promise before writing the next chunk', async () => {
    const report = await exampleReport()
    let pending = 0
    let text = ''
    await writeJsonReport(report, async (chunk) => {
      expect(pending).toBe(0)
      pending++
      await new Promise((resolve) => setImmediate(resolve))
      text += chunk
      pending--
    })
    expect(text).toBe(renderJson(report))
  })

  it('waits for drain on a slow Writable, so its buffer never holds more than one chunk over the mark', async () => {
    const report = await exampleReport()
    const highWaterMark = 1024
    const received: string[] = []
    let maxBuffered = 0
    const slow = new Writable({
      highWaterMark,
      decodeStrings: false,
      write(chunk: string, _encoding, callback) {
        received.push(chunk)
        setTimeout(callback, 1)
      }
    })
    const largestChunk = Math.max(...(await chunksOf(report)).map((c) => c.length))
    const write = slow.write.bind(slow)
    slow.write = ((chunk: string) => {
      const ok = write(chunk)
      maxBuffered = Math.max(maxBuffered, slow.writableLength)
      return ok
    }) as typeof slow.write
    await writeJsonReport(report, slow)
    await new Promise<void>((resolve) => slow.end(resolve))
    expect(received.join('')).toBe(renderJson(report))
    // Without waiting for drain, every chunk would pile up in the buffer at once.
    expect(maxBuffered).toBeLessThan(highWaterMark + largestChunk)
    expect(renderJson(report).length).toBeGreaterThan(highWaterMark + largestChunk)
  })

  it('rejects when the Writable fails instead of waiting for a drain that never comes', async () => {
    const report = await exampleReport()
    const failing = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        setTimeout(() => callback(new Error('disk full')), 1)
      }
    })
    failing.on('error', () => {})
    await expect(writeJsonReport(report, failing)).rejects.toThrow('disk full')
  })

  it('writes a file through fs.createWriteStream that reads back as renderJson', async () => {
    const report = await exampleReport()
    const dir = await mkdtemp(join(tmpdir(), 'json-stream-'))
    try {
      const file = join(dir, 'report.json')
      const stream = createWriteStream(file)
      await writeJsonReport(report, stream)
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject)
        stream.end(resolve)
      })
      expect(await readFile(file, 'utf8')).toBe(renderJson(report))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('plainAscii', () => {
  it('passes every text jsonSafe leaves as it is, and no text it rewrites, code unit by code unit', () => {
    // Every code unit alone and amid ASCII: true exactly below DEL, and wherever it is true,
    // jsonSafe's pass would have changed nothing.
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code)
      for (const text of [c, `{"a":"x${c}y"}`]) {
        expect(plainAscii(text)).toBe(code < 0x7f)
        if (plainAscii(text)) expect(jsonSafe(text)).toBe(text)
      }
    }
    expect(plainAscii('')).toBe(true)
    expect(plainAscii('{"a":"\\ud83d\\ude00"}')).toBe(true)
    expect(plainAscii('{"a":"\\ud83d\\ude00😀"}')).toBe(false)
    expect(plainAscii(`${'a'.repeat(5000)}\u007f`)).toBe(false)
  })

  it('agrees with jsonSafe on any text: whatever it passes, jsonSafe leaves unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        if (plainAscii(text)) expect(jsonSafe(text)).toBe(text)
        expect(plainAscii(text)).toBe([...text].every((c) => c.charCodeAt(0) < 0x7f))
      }),
      { numRuns: 2000 }
    )
  })
})
