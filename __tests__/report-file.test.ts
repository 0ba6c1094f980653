import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileSink } from '../src/report-file.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-file-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const chunk = (i: number): string => `${'x'.repeat(300_000)}${i}\n`

describe('the report file', () => {
  it('holds the whole report at its path only once closed', async () => {
    const path = join(dir, 'report.json')
    const file = fileSink(path)
    for (let i = 0; i < 5; i++) await file.sink(chunk(i))
    // Over a batch (1 MB) went out already, beside the path, not at it.
    expect(await readdir(dir)).toEqual(['report.json.partial'])
    await file.close()
    expect(await readdir(dir)).toEqual(['report.json'])
    expect(await readFile(path, 'utf8')).toBe([0, 1, 2, 3, 4].map(chunk).join(''))
  })

  it('writes each chunk as its UTF-8 bytes, across batches and past a batch’s size', async () => {
    const path = join(dir, 'report.json')
    const file = fileSink(path)
    // Multi-byte characters near a batch's end, a chunk larger than a batch, a surrogate pair,
    // a lone surrogate (written as U+FFFD, as Buffer.from writes it), many small chunks.
    const chunks = [
      'é'.repeat(349_000),
      '€'.repeat(349_525),
      'a😀b\ud800c\u202e',
      'x'.repeat(1_500_000),
      ...Array.from({ length: 2000 }, (_, i) => `,\n    {"n":${i},"t":"ü${'y'.repeat(i % 700)}"}`),
      '😀'.repeat(200_000),
      '}\n'
    ]
    for (const c of chunks) await file.sink(c)
    await file.close()
    const written = await readFile(path)
    expect(written.equals(Buffer.concat(chunks.map((c) => Buffer.from(c))))).toBe(true)
  })

  it('leaves nothing behind when the run fails part-way', async () => {
    const path = join(dir, 'report.json')
    const file = fileSink(path)
    for (let i = 0; i < 5; i++) await file.sink(chunk(i))
    await file.abort()
    expect(await readdir(dir)).toEqual([])
    // Aborted before anything was written: nothing to remove, no error.
    await fileSink(join(dir, 'other.json')).abort()
    expect(await readdir(dir)).toEqual([])
  })

  it('says which path it cannot write, as a usage error', async () => {
    const file = fileSink(join(dir, 'no-such-dir', 'report.json'))
    await file.sink('{}\n')
    await expect(file.close()).rejects.toThrow(
      `cannot write the report to ${join(dir, 'no-such-dir', 'report.json')}: ENOENT`
    )
  })
})
