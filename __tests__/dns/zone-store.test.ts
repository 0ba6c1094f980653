/**
 * The packed zone store and the reader fed piece by piece: the same records, warnings, errors
 * and answers as the whole text gives, whatever the pieces, and answers that do not change
 * when a zone holds many unrelated records.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  parseZoneFile,
  ZoneFileParser,
  type ZoneRecord,
  type ZoneWarning
} from '../../src/dns/zone-file.js'
import { answerFromZones, buildZone, loadZoneDir, type ZoneSet } from '../../src/dns/zone-source.js'
import { readZoneDir } from '../../src/dns/zone-dir.js'
import { ZoneStore } from '../../src/dns/zone-store.js'
import { ZoneBuilder } from '../../src/dns/zone-build.js'
import { isAtOrBelow, parentName, splitLabels } from '../../src/dns/zone-names.js'

const ZONE = [
  '\uFEFF$ORIGIN example.com.',
  '$TTL 3600',
  '@ IN SOA ns1 hostmaster ( 1 7200 900',
  '   1209600 300 ) ; the SOA, over two lines',
  '@ IN NS ns1',
  'ns1 IN A 192.0.2.1\r',
  'mt07 IN CNAME smtp.mailtrap.live.',
  '_dmarc IN TXT "v=DMARC1; p=none" "; rua=mailto:d@example.com"',
  'caf\\195\\169 IN TXT "café ☕ 😀 \\255"',
  'a\\.b IN A 192.0.2.2',
  'a.b IN A 192.0.2.3',
  'dup 60 IN A 192.0.2.4',
  'dup 90 IN A 192.0.2.4',
  '*.wild IN TXT "wild"',
  'x.y.ent IN A 192.0.2.5',
  'sub IN NS ns.sub',
  'ns.sub IN A 192.0.2.53',
  'dn IN DNAME target.example.net.',
  'big IN TXT ' + '"0123456789" '.repeat(40),
  'last IN A 192.0.2.6'
].join('\n')

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return state / 2 ** 32
  }
}

/** `text` cut at random places (characters, not lines), fed to the parser piece by piece. */
function parseInPieces(text: string, seed: number, maxPiece: number) {
  const next = random(seed)
  const records: ZoneRecord[] = []
  const warnings: ZoneWarning[] = []
  const parser = new ZoneFileParser({ origin: 'example.com', file: 'f', warnings }, (r) =>
    records.push(r)
  )
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(next() * maxPiece)
    parser.write(text.slice(at, at + size))
    at += size
  }
  parser.end()
  return { records, warnings }
}

describe('the reader fed piece by piece', () => {
  it('reads the records and warnings the whole text gives, wherever the pieces end', () => {
    const warnings: ZoneWarning[] = []
    const whole = parseZoneFile(ZONE, { origin: 'example.com', file: 'f', warnings })
    expect(whole.length).toBe(17)
    expect(warnings.map((w) => w.line)).toEqual([1, 6, 9])
    for (let seed = 1; seed <= 40; seed++) {
      expect(parseInPieces(ZONE, seed, seed < 20 ? 7 : 200)).toEqual({ records: whole, warnings })
    }
  })

  it('gives the same error at the same line', () => {
    const bad = [
      `${ZONE}\nopen IN TXT ( "a"\n`,
      `${ZONE}\nq IN TXT "never closed\nz IN A 192.0.2.1\n`,
      `${ZONE.replace('x.y.ent IN A 192.0.2.5', 'x.y.ent IN A 192.0.2')}\n`,
      `${ZONE}\nlong IN TXT "${'a'.repeat(600_000)}"\n`
    ]
    for (const text of bad) {
      let expected: unknown
      try {
        parseZoneFile(text, { origin: 'example.com', file: 'f' })
      } catch (error) {
        expected = (error as Error).message
      }
      expect(expected).toMatch(/^f:\d+: /)
      for (const seed of [3, 11]) {
        let message: unknown
        try {
          parseInPieces(text, seed, 100_000)
        } catch (error) {
          message = (error as Error).message
        }
        expect(message).toBe(expected)
      }
    }
  })

  it('refuses a line that never ends once it is twice the longest line', () => {
    const parser = new ZoneFileParser({ origin: 'example.com', file: 'f' }, () => {})
    parser.write('$TTL 60\n')
    expect(() => parser.write(' '.repeat(1_100_000))).toThrow(
      'f:2: line longer than 524288 characters'
    )
  })
})

describe('readZoneDir', () => {
  let dir: string
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zone-store-'))
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('gives pieces that decode to the text of the whole file, characters and bad bytes intact', async () => {
    // Lines of every length around the 1 MiB reads, with 2-, 3- and 4-byte characters and
    // bytes that are not UTF-8 falling on every side of the boundaries.
    const parts: Buffer[] = []
    const next = random(7)
    const pieces = [Buffer.from('é☕😀'), Buffer.from([0xff, 0xc3]), Buffer.from('a b ; c')]
    for (let size = 0; size < 2.5 * 2 ** 20;) {
      const line = Buffer.concat(
        Array.from({ length: 1 + Math.floor(next() * 40) }, () => {
          return pieces[Math.floor(next() * pieces.length)] as Buffer
        }).concat(Buffer.from('\n'))
      )
      parts.push(line)
      size += line.length
    }
    const bytes = Buffer.concat(parts)
    await fs.writeFile(path.join(dir, 'x.test.zone'), bytes)
    const texts: string[] = []
    for await (const { chunks } of readZoneDir(dir)) {
      for await (const text of chunks) texts.push(text)
    }
    expect(texts.length).toBeGreaterThan(2)
    expect(texts.every((t) => t.endsWith('\n'))).toBe(true)
    expect(texts.join('')).toBe(bytes.toString('utf8'))
  })
})

describe('ZoneStore', () => {
  it('finds every one of many names, and no other', () => {
    const store = new ZoneStore()
    for (let i = 0; i < 100_000; i++) {
      store.add({
        name: `h${i}.example.com`,
        type: 'A',
        ttl: i,
        data: `10.0.${i >> 8}.${i & 255}`,
        line: i
      })
    }
    expect(store.addName('example.com')).toBe(true)
    expect(store.addName('example.com')).toBe(false)
    expect(store.size).toBe(100_000)
    // Around where the first pages grow (copied) and fill, and a stride through the rest.
    const edges = [0, 1, 63, 64, 65, 127, 128, 4095, 65_535, 65_536, 65_537, 99_999]
    for (const i of [...edges, ...Array.from({ length: 100 }, (_, k) => k * 997)]) {
      expect(store.records(`h${i}.example.com`)).toEqual([
        {
          name: `h${i}.example.com`,
          type: 'A',
          ttl: i,
          data: `10.0.${i >> 8}.${i & 255}`,
          line: i,
          index: i
        }
      ])
    }
    expect(store.has('h100000.example.com')).toBe(false)
    expect(store.has('h1.example.co')).toBe(false)
    expect(store.records('nowhere')).toEqual([])
  })

  it('gives back text, character-strings and both exactly as added, in order', () => {
    const store = new ZoneStore()
    const records: ZoneRecord[] = [
      {
        name: 'a\\.b',
        type: 'TXT',
        ttl: 1,
        data: 'é☕😀\ufffd',
        strings: ['é☕', '😀\ufffd'],
        line: 1
      },
      { name: 'a.b', type: 'TYPE65280', ttl: 2, data: '\\# 2 ABCD', line: 2 },
      { name: 'a\\.b', type: 'TXT', ttl: 3, data: 'not the join', strings: ['x', ''], line: 3 },
      { name: 'a\\.b', type: 'A', ttl: 4, data: '192.0.2.1', line: 4 },
      { name: 'long', type: 'TYPE99', ttl: 5, data: 'é'.repeat(700_000), line: 5 }
    ]
    for (const r of records) store.add(r)
    expect(store.all()).toEqual(records)
    expect(store.records('a\\.b').map((r) => r.index)).toEqual([0, 2, 3])
    expect(store.firstCname('a\\.b')).toBeUndefined()
  })
})

describe('the names between owners and the apex', () => {
  it('exist without records, each added once, none above the apex', () => {
    const builder = new ZoneBuilder('example.com', 'f')
    const soa = { type: 'SOA', ttl: 1, data: 'ns1 h 1 2 3 4 5' }
    builder.add({ name: 'example.com', ...soa, line: 1 })
    builder.add({ name: 'a\\.b.c.d.example.com', type: 'A', ttl: 1, data: '192.0.2.1', line: 2 })
    builder.add({ name: 'x.c.d.example.com', type: 'A', ttl: 1, data: '192.0.2.2', line: 3 })
    const { store } = builder.finish()
    expect([...store.names()].map((n) => n.name)).toEqual([
      'example.com',
      'a\\.b.c.d.example.com',
      'c.d.example.com',
      'd.example.com',
      'x.c.d.example.com'
    ])
    expect(store.has('a\\.b.c.d.example.com')).toBe(true)
    expect(store.has('a.b.c.d.example.com')).toBe(false)
    // `a\.b` is one label: b.c.d.example.com is no ancestor.
    expect(store.has('b.c.d.example.com')).toBe(false)
    expect(store.has('com')).toBe(false)
    expect(store.records('c.d.example.com')).toEqual([])
  })

  it('are counted against the most names a zone may have, with the line that goes over', () => {
    const builder = new ZoneBuilder('example.com', 'f', 100)
    builder.add({ name: 'example.com', type: 'SOA', ttl: 1, data: 'ns1 h 1 2 3 4 5', line: 1 })
    const deep = (i: number) => `${'l.'.repeat(40)}top${i}.example.com`
    for (let i = 0; i < 5; i++) {
      builder.add({ name: deep(i), type: 'A', ttl: 1, data: '192.0.2.1', line: i + 2 })
    }
    expect(() => builder.finish()).toThrow(
      'f:4: the zone has more than 100 names (owners and the names between them and the apex), more than this reader holds'
    )
  })
})

describe('zone names', () => {
  const names = ['', 'com', 'example.com', 'a.example.com', 'a\\.example.com', 'a\\\\.example.com',
    'xexample.com', 'b\\046c.example.com', '\\.', 'a\\..com'] // prettier-ignore
  it('reads parents and ancestry as the labels say', () => {
    for (const name of names) {
      expect(parentName(name)).toBe(splitLabels(name).slice(1).join('.'))
      for (const apex of names) {
        const n = splitLabels(name)
        const a = splitLabels(apex)
        const below =
          a.length <= n.length && a.every((label, i) => n[n.length - a.length + i] === label)
        expect([name, apex, isAtOrBelow(name, apex)]).toEqual([name, apex, below])
      }
    }
  })
})

describe('a zone with many unrelated records', () => {
  const bulk = Array.from(
    { length: 5_000 },
    (_, i) =>
      `h${i}.farm IN A 10.0.${i >> 8}.${i & 255}\nh${i}.farm IN TXT "v=spf1 -all"\nw${i}.farm IN CNAME h${i}.farm\n`
  ).join('')
  const set = (text: string): ZoneSet => ({
    dir: 'memory',
    warnings: [],
    zones: [
      buildZone('example.com', 'f', parseZoneFile(text, { origin: 'example.com', file: 'f' }))
    ]
  })

  it('answers every other name exactly as the zone alone does', () => {
    const alone = set(ZONE)
    const crowded = set(ZONE + '\n' + bulk)
    const owners = [
      ...new Set(parseZoneFile(ZONE, { origin: 'example.com', file: 'f' }).map((r) => r.name))
    ]
    const asked = owners.flatMap((n) => [n, `${n}.example.com`, `x.${n}`, `mt07.${n}`])
    asked.push(
      'y.ent.example.com',
      'nope.example.com',
      'q.wild.example.com',
      'p.q.wild.example.com'
    )
    for (const name of asked) {
      for (const type of ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SOA', 'DS', 'ANY']) {
        const question = { name, type }
        expect([name, type, answerFromZones(crowded, question)]).toEqual([
          name,
          type,
          answerFromZones(alone, question)
        ])
      }
    }
    expect(answerFromZones(crowded, { name: 'w77.farm.example.com', type: 'A' }).answers).toEqual([
      { name: 'w77.farm.example.com', type: 'CNAME', ttl: 3600, data: 'h77.farm.example.com' },
      { name: 'h77.farm.example.com', type: 'A', ttl: 3600, data: '10.0.0.77' }
    ])
  })

  it('is read from a directory with the same answers', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zone-store-'))
    try {
      await fs.writeFile(path.join(dir, 'example.com.zone'), ZONE + '\n' + bulk)
      const zones = await loadZoneDir(dir)
      expect(zones.zones[0]?.store.size).toBe(17 + 15_000)
      expect(answerFromZones(zones, { name: 'dup.example.com', type: 'A' }).answers).toEqual([
        { name: 'dup.example.com', type: 'A', ttl: 90, data: '192.0.2.4' }
      ])
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })
})
