/**
 * Zone files from a pull request are hostile: links out of the directory, FIFOs, control
 * characters, and inputs sized to exhaust memory. Each is refused with an error that names the
 * file and line and quotes at most a short escaped excerpt.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { ZoneFileError, parseZoneFile } from '../../src/dns/zone-file.js'
import { loadZoneDir } from '../../src/dns/zone-source.js'
import { readZoneDir } from '../../src/dns/zone-dir.js'
import { excerpt, escapeControls } from '../../src/dns/excerpt.js'
import { MAX_LINE_CHARS } from '../../src/dns/zone-lexer.js'

const SOA = '@ SOA ns1 hostmaster 1 7200 900 1209600 300\n'
const SECRET = 'GITHUB_TOKEN=ghs_s3cr3tvalue'

let dir: string
let outside: string

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zone-hostile-'))
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'zone-outside-'))
})

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
  await fs.rm(outside, { recursive: true, force: true })
})

/** The ZoneFileError loading `dir` raises (fails the test if none or another error). */
async function loadError(): Promise<ZoneFileError> {
  const error = await loadZoneDir(dir).then(
    () => undefined,
    (e: unknown) => e
  )
  if (error instanceof ZoneFileError) return error
  throw new Error(`expected a ZoneFileError, got ${String(error)}`)
}

describe('only regular files inside the zone directory are read', () => {
  it('refuses a link to a file outside, naming the link and not quoting the target', async () => {
    const secret = path.join(outside, 'environ')
    await fs.writeFile(secret, `${SECRET}\nPATH=/usr/bin\n`)
    await fs.writeFile(path.join(dir, 'a.test.zone'), SOA)
    await fs.symlink(secret, path.join(dir, 'victim.example.zone'))
    const error = await loadError()
    expect(error.file).toBe(path.join(dir, 'victim.example.zone'))
    expect(error.message).toMatch(/victim\.example\.zone: is a symbolic link/)
    expect(error.message).not.toContain('s3cr3t')
    expect(error.message).not.toContain(outside)
  })

  it('refuses a link even to a file inside the directory, and a link to a device', async () => {
    await fs.writeFile(path.join(dir, 'a.test.zone'), SOA)
    await fs.symlink('a.test.zone', path.join(dir, 'b.test.zone'))
    expect((await loadError()).message).toMatch(/b\.test\.zone: is a symbolic link/)
    await fs.rm(path.join(dir, 'b.test.zone'))
    await fs.symlink('/dev/zero', path.join(dir, 'c.test.zone'))
    expect((await loadError()).message).toMatch(/c\.test\.zone: is a symbolic link/)
  })

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    await promisify(execFile)('mkfifo', [path.join(dir, 'pipe.test.zone')])
    const started = Date.now()
    const error = await loadError()
    expect(error.message).toBe(
      `${path.join(dir, 'pipe.test.zone')}: is a FIFO, not a regular file; only regular files are read`
    )
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('refuses a file over the size limit, naming its size', async () => {
    await fs.writeFile(path.join(dir, 'big.test.zone'), SOA + ';'.repeat(2000) + '\n')
    const read = async () => {
      for await (const file of readZoneDir(dir, { maxFileBytes: 1000 })) void file
    }
    await expect(read()).rejects.toThrow(
      `${path.join(dir, 'big.test.zone')}: is ${SOA.length + 2001} bytes, more than the 1000 a zone file may have`
    )
  })

  it('escapes control characters in a file name', async () => {
    await fs.writeFile(path.join(dir, 'evil\u001b[31m.zone'), 'www A 192.0.2.1\n')
    const error = await loadError()
    expect(error.message).toContain('evil\\x1b[31m.zone')
    expect(error.message).not.toContain('\u001b')
  })
})

describe('error messages quote at most a short escaped excerpt', () => {
  it('cuts a long bad token and escapes control characters in it', () => {
    const bad = `\u001b[2Jpwned\u0007${'x'.repeat(200)}`
    let message = ''
    try {
      parseZoneFile(`${SOA}www A ${bad}\n`, { origin: 'example.com', file: 'f.zone' })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toBe(`f.zone:2: bad IPv4 address '${excerpt(bad)}'`)
    expect(message).toContain("'\\x1b[2Jpwned\\x07xxx")
    // eslint-disable-next-line no-control-regex -- no control character may remain
    expect(message).not.toMatch(/[\u0000-\u001f]/)
    expect(message).not.toContain('x'.repeat(41))
  })

  it('quotes only an excerpt of a long name in the checks of the whole zone', async () => {
    const name = `${'b'.repeat(50)}\\027[2J.elsewhere.`
    await fs.writeFile(path.join(dir, 'example.com.zone'), `${SOA}${name} A 192.0.2.1\n`)
    const error = await loadError()
    expect(error.message).toBe(
      `${path.join(dir, 'example.com.zone')}:2: ${'b'.repeat(40)}… is outside the zone example.com`
    )
  })

  it('excerpt keeps 40 characters and escapes C0, C1 and bidi controls', () => {
    expect(excerpt('a'.repeat(41))).toBe(`${'a'.repeat(40)}…`)
    expect(excerpt('a'.repeat(40))).toBe('a'.repeat(40))
    expect(escapeControls('a\u0000b\u009bc\u202ed\u200be')).toBe(
      'a\\x00b\\x9bc\\u{202e}d\\u{200b}e'
    )
  })
})

describe('DNS limits hold while reading, so memory stays bounded', () => {
  /** Writes `text` as a zone file and returns the error and the seconds loading took. */
  async function timedError(text: string): Promise<{ error: ZoneFileError; seconds: number }> {
    await fs.writeFile(path.join(dir, 'example.com.zone'), text)
    const started = Date.now()
    const error = await loadError()
    return { error, seconds: (Date.now() - started) / 1000 }
  }

  it('fails fast on a 40 MB owner name of 20 million labels', async () => {
    const { error, seconds } = await timedError(`${SOA}${'a.'.repeat(20_000_000)} A 192.0.2.1\n`)
    expect(error.file).toBe(path.join(dir, 'example.com.zone'))
    expect(error.line).toBe(2)
    expect(error.detail).toBe(`line longer than ${MAX_LINE_CHARS} characters`)
    expect(seconds).toBeLessThan(10)
  })

  it('fails fast on 12.5 million TXT strings in one line', async () => {
    const { error, seconds } = await timedError(`${SOA}x TXT ${'"a" '.repeat(12_500_000)}\n`)
    expect(error.message).toBe(
      `${path.join(dir, 'example.com.zone')}:2: line longer than ${MAX_LINE_CHARS} characters`
    )
    expect(seconds).toBeLessThan(10)
  })

  it('refuses TXT data over 65,535 octets spread over many lines in parentheses', async () => {
    const lines = Array.from({ length: 40_000 }, () => '  "ab"').join('\n')
    const { error } = await timedError(`${SOA}x TXT (\n${lines}\n)\n`)
    // 21,845 strings of 2 octets take 65,535 octets; the next one is over.
    expect(error.line).toBe(2 + 21_846)
    expect(error.detail).toBe('record data longer than 65535 octets, the most a record can hold')
  })

  it('refuses a record longer than the line limit when split over lines', async () => {
    const lines = Array.from({ length: 200_000 }, () => '  a').join('\n')
    const { error } = await timedError(`${SOA}x TXT (\n${lines}\n)\n`)
    expect(error.line).toBe(2)
    expect(error.detail).toBe(`record longer than ${MAX_LINE_CHARS} characters`)
  })

  it('refuses a name of many short labels by its wire length, quoting only an excerpt', async () => {
    const { error } = await timedError(`${SOA}${'a.'.repeat(200)}example.com. A 192.0.2.1\n`)
    expect(error.line).toBe(2)
    expect(error.detail).toBe(`bad owner name '${'a.'.repeat(20)}…': longer than 255 octets`)
  })

  it('refuses a comment line over the line limit', async () => {
    const { error } = await timedError(`${SOA};${'c'.repeat(MAX_LINE_CHARS)}\n`)
    expect(error.message).toMatch(/:2: line longer than/)
  })

  it('still reads a TXT record of 65,535 octets of data', async () => {
    // 257 strings of 254 octets: 257 × 255 = 65,535 octets on the wire.
    const strings = Array.from({ length: 257 }, () => `"${'\\120'.repeat(254)}"`).join(' ')
    await fs.writeFile(path.join(dir, 'example.com.zone'), `${SOA}x TXT ${strings}\n`)
    const zones = await loadZoneDir(dir)
    const txt = zones.zones[0]?.records.find((r) => r.type === 'TXT')
    expect(txt?.strings?.length).toBe(257)
    expect(txt?.data).toBe('x'.repeat(257 * 254))
  })
})
