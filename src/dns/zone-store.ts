/**
 * The records of one zone, packed: owner names and record data as bytes in pages, their links
 * in typed arrays, found through an open-addressing hash of the owner names. A JS object per
 * record and a Map entry per name took ten times the file's size (2.2 GB for a 200 MB zone);
 * this takes one to two times its size, and every name of the zone stays answerable, so no
 * question needs to be known in advance.
 */
import type { ZoneRecord } from './zone-file.js'
import { isAtOrBelow } from './zone-names.js'

/** Byte pages are this big (a larger value gets a page of its own); offsets address 4 GiB. */
const PAGE_BITS = 20
const PAGE_BYTES = 1 << PAGE_BITS
const MAX_PAGES = 4096
/** Entries per page of a number column. */
const COLUMN_BITS = 16
const COLUMN_PAGE = 1 << COLUMN_BITS
const COLUMN_MASK = COLUMN_PAGE - 1
/**
 * A column's and the arena's first page start this small and grow to a whole page: a zone of a
 * few records, as a fleet's zone directory holds thousands of, then takes kilobytes, not the
 * 2 MB of seven whole pages (1,000 such zones took 1.5 GB).
 */
const FIRST_COLUMN_PAGE = 64
const FIRST_PAGE_BYTES = 4096

/**
 * A growable column of unsigned 32-bit numbers, in pages: only the short first page is ever
 * copied, as it grows.
 */
class Column {
  private readonly pages: Uint32Array[] = []
  length = 0

  push(value: number): number {
    const index = this.length
    const page = index >>> COLUMN_BITS
    if (page === this.pages.length) {
      this.pages.push(new Uint32Array(page === 0 ? FIRST_COLUMN_PAGE : COLUMN_PAGE))
    }
    let entries = this.pages[page] as Uint32Array
    const at = index & COLUMN_MASK
    if (at === entries.length) {
      // Only the first page is ever short: it doubles, copied, until it is a whole page.
      const longer = new Uint32Array(entries.length * 2)
      longer.set(entries)
      this.pages[page] = entries = longer
    }
    entries[at] = value
    this.length++
    return index
  }

  get(index: number): number {
    return (this.pages[index >>> COLUMN_BITS] as Uint32Array)[index & COLUMN_MASK] as number
  }

  set(index: number, value: number): void {
    ;(this.pages[index >>> COLUMN_BITS] as Uint32Array)[index & COLUMN_MASK] = value
  }
}

/** Bytes appended in pages; an offset is the page number and the place in it. */
class Arena {
  private readonly pages: Buffer[] = []
  private current = -1
  private used = 0

  /** Room for `size` bytes: the page and where in it they start, and their offset. */
  alloc(size: number): { page: Buffer; at: number; offset: number } {
    if (size > PAGE_BYTES) {
      // Larger than a page (a long record of an unparsed type): a page of its own.
      const page = Buffer.alloc(size)
      return { page, at: 0, offset: this.addPage(page) }
    }
    if (this.current < 0) {
      this.current = this.addPage(Buffer.alloc(FIRST_PAGE_BYTES)) / PAGE_BYTES
      this.used = 0
    }
    let page = this.pages[this.current] as Buffer
    const end = this.used + size
    if (end > page.length) {
      if (end <= PAGE_BYTES) {
        // The first page, still short: it doubles, copied, until it holds these bytes.
        let length = page.length * 2
        while (length < end) length *= 2
        const longer = Buffer.alloc(Math.min(length, PAGE_BYTES))
        page.copy(longer, 0, 0, this.used)
        this.pages[this.current] = page = longer
      } else {
        this.current = this.addPage(Buffer.alloc(PAGE_BYTES)) / PAGE_BYTES
        this.used = 0
        page = this.pages[this.current] as Buffer
      }
    }
    const at = this.used
    this.used += size
    return { page, at, offset: this.current * PAGE_BYTES + at }
  }

  /** The page of an offset and where in it the bytes are. */
  at(offset: number): { page: Buffer; at: number } {
    return { page: this.pages[Math.floor(offset / PAGE_BYTES)] as Buffer, at: offset % PAGE_BYTES }
  }

  /** Adds a page; its offset. */
  private addPage(page: Buffer): number {
    if (this.pages.length >= MAX_PAGES) {
      throw new RangeError('the zone holds more than 4 GiB of names and records')
    }
    return (this.pages.push(page) - 1) * PAGE_BYTES
  }
}

/**
 * The most names one zone may have: owners and the names between them and the apex. A name of
 * 127 labels brings 126 such names, so a hostile file could otherwise fill memory with them;
 * real zones stay far below (a 200 MB zone of ordinary hosts has about 1.9 million).
 */
export const MAX_ZONE_NAMES = 16_777_216

/** A record as stored: its place in file order too (0 is the first record added). */
export type StoredRecord = ZoneRecord & { index: number }

/** How a record's data is kept: as text, as character-strings it is the join of, or both. */
const KIND_DATA = 0
const KIND_STRINGS = 1
const KIND_BOTH = 2

/**
 * Every name of one zone (owners, and the names between them and the apex that
 * {@link ZoneStore.addAncestors} adds) with the records added at each, in the order added. Names
 * are kept relative to the apex, numbers as varints: a zone of short records takes about twice
 * its text, not ten times.
 */
export class ZoneStore {
  private readonly apex: string
  private readonly arena = new Arena()
  /**
   * Per name: where its text is and how long it is (the name between an owner and the apex is
   * the end of the owner's text, not a copy), its last record and first CNAME (index + 1; 0: none).
   */
  private readonly nameAt = new Column()
  private readonly nameLength = new Column()
  private readonly head = new Column()
  private readonly cname = new Column()
  /** Per record: where it is, and the record added before it at the same name (+1; 0: none). */
  private readonly recordAt = new Column()
  private readonly previous = new Column()
  private slots = new Uint32Array(1024)
  private scratch = Buffer.alloc(2048)
  private readonly types: string[] = []
  private readonly typeIds = new Map<string, number>()
  private readonly maxNames: number

  /**
   * A store for the names at and below `apex` (canonical text; '' is the root), at most
   * `maxNames` of them (default {@link MAX_ZONE_NAMES}).
   */
  constructor(apex = '', maxNames = MAX_ZONE_NAMES) {
    this.apex = apex
    this.maxNames = maxNames
  }

  /** How many records were added. */
  get size(): number {
    return this.recordAt.length
  }

  /** Whether the zone has this name (with records or not). */
  has(name: string): boolean {
    return this.find(name) >= 0
  }

  /**
   * Adds a name without records (the apex, before its records); false if it was there already.
   * @throws RangeError for a name outside the apex, or beyond {@link MAX_ZONE_NAMES}.
   */
  addName(name: string): boolean {
    const before = this.nameAt.length
    this.find(name, true)
    return this.nameAt.length > before
  }

  /**
   * Adds the names between `owner` (added already) and the apex, up to the first one there
   * already: they exist, without records (empty non-terminals, RFC 4592). Each is kept as the
   * end of the owner's own text, so a name of many labels costs no copies of itself.
   * @throws RangeError beyond {@link MAX_ZONE_NAMES} names.
   */
  addAncestors(owner: string): void {
    const node = this.find(owner)
    if (node < 0) return
    const start = this.nameAt.get(node)
    const length = this.nameLength.get(node)
    const { page, at } = this.arena.at(start)
    for (let i = at; i < at + length; i++) {
      const c = page[i] as number
      if (c === 0x5c) i++
      else if (c === 0x2e) {
        const from = i + 1
        if (!this.findBytes(page, from, at + length - from, start + (from - at))) return
      }
    }
  }

  /**
   * Adds a record at its owner, adding the owner if new.
   * @throws RangeError for an owner outside the apex.
   */
  add(record: ZoneRecord): void {
    const node = this.find(record.name, true)
    const index = this.recordAt.push(this.writeRecord(record))
    this.previous.push(this.head.get(node))
    this.head.set(node, index + 1)
    if (record.type === 'CNAME' && this.cname.get(node) === 0) this.cname.set(node, index + 1)
  }

  /** The records at a name, in the order added. */
  records(name: string): StoredRecord[] {
    const node = this.find(name)
    return node < 0 ? [] : this.recordsOf(node, name)
  }

  /** The first CNAME added at a name. */
  firstCname(name: string): StoredRecord | undefined {
    const node = this.find(name)
    const index = node < 0 ? 0 : this.cname.get(node)
    return index === 0 ? undefined : this.readRecord(index - 1, name)
  }

  /** Every name, with its first record's place in file order (-1 for a name without records). */
  *names(): Generator<{ name: string; first: number }> {
    for (let node = 0; node < this.nameAt.length; node++) {
      let first = this.head.get(node) - 1
      for (let i = first; i >= 0; i = this.previous.get(i) - 1) first = i
      yield { name: this.nameOf(node), first }
    }
  }

  /** Every record, in the order added. Builds them all: for small zones and tests. */
  all(): ZoneRecord[] {
    const out: ZoneRecord[] = new Array<ZoneRecord>(this.size)
    for (let node = 0; node < this.nameAt.length; node++) {
      for (const { index, ...record } of this.recordsOf(node, this.nameOf(node))) {
        out[index] = record
      }
    }
    return out
  }

  private recordsOf(node: number, name: string): StoredRecord[] {
    const out: StoredRecord[] = []
    for (let i = this.head.get(node); i !== 0; i = this.previous.get(i - 1)) {
      out.push(this.readRecord(i - 1, name))
    }
    return out.reverse()
  }

  /** The name relative to the apex ('' for the apex), or undefined outside it. */
  private relative(name: string): string | undefined {
    const { apex } = this
    if (apex === '') return name
    if (name === apex) return ''
    return isAtOrBelow(name, apex) ? name.slice(0, name.length - apex.length - 1) : undefined
  }

  /** The index of a name, or -1; with `create`, adds it when missing. */
  private find(name: string, create = false): number {
    const key = this.relative(name)
    if (key === undefined) {
      if (create) throw new RangeError(`${name} is outside the zone ${this.apex}`)
      return -1
    }
    if (this.scratch.length < key.length * 3) this.scratch = Buffer.alloc(key.length * 3)
    const length = this.scratch.write(key, 0, 'utf8')
    const mask = this.slots.length - 1
    for (let slot = hashOf(this.scratch, 0, length) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) {
        if (!create) return -1
        const { page, at, offset } = this.arena.alloc(length)
        this.scratch.copy(page, at, 0, length)
        return this.insert(slot, offset, length)
      }
      if (this.sameName(entry - 1, this.scratch, 0, length)) return entry - 1
    }
  }

  /**
   * Adds the name whose text is `bytes[from, from + length)`, found at `offset` in the arena,
   * unless it is there; whether it was added.
   */
  private findBytes(bytes: Buffer, from: number, length: number, offset: number): boolean {
    const mask = this.slots.length - 1
    for (let slot = hashOf(bytes, from, from + length) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) {
        this.insert(slot, offset, length)
        return true
      }
      if (this.sameName(entry - 1, bytes, from, length)) return false
    }
  }

  private sameName(node: number, bytes: Buffer, from: number, length: number): boolean {
    if (this.nameLength.get(node) !== length) return false
    const { page, at } = this.arena.at(this.nameAt.get(node))
    return page.compare(bytes, from, from + length, at, at + length) === 0
  }

  private insert(slot: number, offset: number, length: number): number {
    if (this.nameAt.length >= this.maxNames) {
      throw new RangeError(`more than ${this.maxNames} names in one zone`)
    }
    const node = this.nameAt.push(offset)
    this.nameLength.push(length)
    this.head.push(0)
    this.cname.push(0)
    this.slots[slot] = node + 1
    // At most half full, so probes stay short.
    if (this.nameAt.length * 2 > this.slots.length) this.grow()
    return node
  }

  private grow(): void {
    const slots = new Uint32Array(this.slots.length * 2)
    const mask = slots.length - 1
    for (let node = 0; node < this.nameAt.length; node++) {
      const { page, at } = this.arena.at(this.nameAt.get(node))
      let slot = hashOf(page, at, at + this.nameLength.get(node)) & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = node + 1
    }
    this.slots = slots
  }

  private nameOf(node: number): string {
    const { page, at } = this.arena.at(this.nameAt.get(node))
    const key = page.toString('utf8', at, at + this.nameLength.get(node))
    if (this.apex === '' || key === '') return key === '' ? this.apex : key
    return `${key}.${this.apex}`
  }

  /**
   * A record's bytes, as varints: type id, TTL, line, parts × 4 + kind, then each part's length
   * and UTF-8: the data as text, or, for character-strings (TXT), each string (the data is them
   * joined, as both readers give it). Text goes through UTF-8, which both readers' text is made
   * from, so it comes back the same.
   */
  private writeRecord(record: ZoneRecord): number {
    let type = this.typeIds.get(record.type)
    if (type === undefined) {
      type = this.types.push(record.type) - 1
      this.typeIds.set(record.type, type)
    }
    const kind =
      record.strings === undefined
        ? KIND_DATA
        : record.strings.join('') === record.data
          ? KIND_STRINGS
          : KIND_BOTH
    const parts =
      kind === KIND_DATA
        ? [record.data]
        : kind === KIND_STRINGS
          ? (record.strings as string[])
          : [record.data, ...(record.strings as string[])]
    const head = [type, record.ttl, record.line, parts.length * 4 + kind]
    const lengths = parts.map((part) => Buffer.byteLength(part, 'utf8'))
    let size = 0
    for (const n of head) size += varintSize(n)
    for (const n of lengths) size += varintSize(n) + n
    const { page, at, offset } = this.arena.alloc(size)
    let p = at
    for (const n of head) p = writeVarint(page, p, n)
    parts.forEach((part, i) => {
      p = writeVarint(page, p, lengths[i] as number)
      p += page.write(part, p, 'utf8')
    })
    return offset
  }

  private readRecord(index: number, name: string): StoredRecord {
    const { page, at } = this.arena.at(this.recordAt.get(index))
    const cursor = { page, at }
    const type = this.types[readVarint(cursor)] as string
    const ttl = readVarint(cursor)
    const line = readVarint(cursor)
    const shape = readVarint(cursor)
    const kind = shape % 4
    const parts: string[] = []
    for (let i = 0; i < (shape - kind) / 4; i++) {
      const length = readVarint(cursor)
      parts.push(page.toString('utf8', cursor.at, cursor.at + length))
      cursor.at += length
    }
    if (kind === KIND_DATA) return { name, type, ttl, data: parts[0] as string, line, index }
    if (kind === KIND_BOTH) {
      return { name, type, ttl, data: parts[0] as string, line, strings: parts.slice(1), index }
    }
    return { name, type, ttl, data: parts.join(''), line, strings: parts, index }
  }
}

/** FNV-1a of some bytes. */
function hashOf(bytes: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193) >>> 0
  return hash
}

/** Octets of an unsigned LEB128 varint (7 bits an octet); numbers here are below 2^32. */
function varintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size++
  }
  return size
}

function writeVarint(page: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    page[at++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  page[at++] = n
  return at
}

function readVarint(cursor: { page: Buffer; at: number }): number {
  let n = 0
  let scale = 1
  for (;;) {
    const b = cursor.page[cursor.at++] as number
    n += (b & 0x7f) * scale
    if (b < 0x80) return n
    scale *= 0x80
  }
}
