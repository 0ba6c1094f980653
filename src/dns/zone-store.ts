/**
 * The records of one zone, packed: owner names and record data as bytes in pages, their links
 * in typed arrays, found through an open-addressing hash of the owner names. A JS object per
 * record and a Map entry per name took ten times the file's size (2.2 GB for a 200 MB zone);
 * this takes about its size, and every name of the zone stays answerable, so no question
 * needs to be known in advance.
 */
import type { ZoneRecord } from './zone-file.js'

/** Byte pages are this big (a larger value gets a page of its own); offsets address 4 GiB. */
const PAGE_BITS = 20
const PAGE_BYTES = 1 << PAGE_BITS
const MAX_PAGES = 4096
/** Entries per page of a number column. */
const COLUMN_BITS = 16
const COLUMN_PAGE = 1 << COLUMN_BITS
const COLUMN_MASK = COLUMN_PAGE - 1

/** A growable column of unsigned 32-bit numbers, in pages so it never copies itself. */
class Column {
  private readonly pages: Uint32Array[] = []
  length = 0

  push(value: number): number {
    const index = this.length
    const page = index >>> COLUMN_BITS
    if (page === this.pages.length) this.pages.push(new Uint32Array(COLUMN_PAGE))
    ;(this.pages[page] as Uint32Array)[index & COLUMN_MASK] = value
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
  private used = PAGE_BYTES

  /** Room for `size` bytes: the page and where in it they start, and their offset. */
  alloc(size: number): { page: Buffer; at: number; offset: number } {
    if (size > PAGE_BYTES) {
      // Larger than a page (a long record of an unparsed type): a page of its own.
      const page = Buffer.alloc(size)
      return { page, at: 0, offset: this.addPage(page) }
    }
    if (this.used + size > PAGE_BYTES) {
      this.current = this.addPage(Buffer.alloc(PAGE_BYTES)) / PAGE_BYTES
      this.used = 0
    }
    const at = this.used
    this.used += size
    return { page: this.pages[this.current] as Buffer, at, offset: this.current * PAGE_BYTES + at }
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

/** A record as stored: its place in file order too (0 is the first record added). */
export type StoredRecord = ZoneRecord & { index: number }

/** How a record's data is kept: as text, as character-strings it is the join of, or both. */
const KIND_DATA = 0
const KIND_STRINGS = 1
const KIND_BOTH = 2

/**
 * Every name of one zone (owners, and the names between them and the apex that
 * {@link ZoneStore.addName} adds) with the records added at each, in the order added.
 */
export class ZoneStore {
  private readonly arena = new Arena()
  /** Per name: where its text is, its hash, its first and last record and first CNAME (+1). */
  private readonly nameAt = new Column()
  private readonly nameHash = new Column()
  private readonly first = new Column()
  private readonly last = new Column()
  private readonly cname = new Column()
  /** Per record: where it is, and the next record at the same name (+1; 0 is none). */
  private readonly recordAt = new Column()
  private readonly next = new Column()
  private slots = new Uint32Array(1024)
  private scratch = Buffer.alloc(2048)
  private readonly types: string[] = []
  private readonly typeIds = new Map<string, number>()

  /** How many records were added. */
  get size(): number {
    return this.recordAt.length
  }

  /** Whether the zone has this name (with records or not). */
  has(name: string): boolean {
    return this.find(name) >= 0
  }

  /** Adds a name without records (an empty non-terminal); false if it was there already. */
  addName(name: string): boolean {
    const before = this.nameAt.length
    this.find(name, true)
    return this.nameAt.length > before
  }

  /** Adds a record at its owner, adding the owner if new. */
  add(record: ZoneRecord): void {
    const node = this.find(record.name, true)
    const index = this.recordAt.push(this.writeRecord(record))
    this.next.push(0)
    const last = this.last.get(node)
    if (last === 0) this.first.set(node, index + 1)
    else this.next.set(last - 1, index + 1)
    this.last.set(node, index + 1)
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
      yield { name: this.nameOf(node), first: this.first.get(node) - 1 }
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
    for (let i = this.first.get(node); i !== 0; i = this.next.get(i - 1)) {
      out.push(this.readRecord(i - 1, name))
    }
    return out
  }

  /** The index of a name, or -1; with `create`, adds it when missing. */
  private find(name: string, create = false): number {
    if (this.scratch.length < name.length * 3) this.scratch = Buffer.alloc(name.length * 3)
    const length = this.scratch.write(name, 0, 'utf8')
    // FNV-1a over the name's UTF-8.
    let hash = 0x811c9dc5
    for (let i = 0; i < length; i++) {
      hash = Math.imul(hash ^ (this.scratch[i] as number), 0x01000193) >>> 0
    }
    const mask = this.slots.length - 1
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) {
        if (!create) return -1
        return this.insert(slot, hash, length)
      }
      const node = entry - 1
      if (this.nameHash.get(node) === hash && this.sameName(node, length)) return node
    }
  }

  private sameName(node: number, length: number): boolean {
    const { page, at } = this.arena.at(this.nameAt.get(node))
    if (page.readUInt16LE(at) !== length) return false
    return page.compare(this.scratch, 0, length, at + 2, at + 2 + length) === 0
  }

  private insert(slot: number, hash: number, length: number): number {
    const { page, at, offset } = this.arena.alloc(length + 2)
    page.writeUInt16LE(length, at)
    this.scratch.copy(page, at + 2, 0, length)
    const node = this.nameAt.push(offset)
    this.nameHash.push(hash)
    this.first.push(0)
    this.last.push(0)
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
      let slot = this.nameHash.get(node) & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = node + 1
    }
    this.slots = slots
  }

  private nameOf(node: number): string {
    const { page, at } = this.arena.at(this.nameAt.get(node))
    return page.toString('utf8', at + 2, at + 2 + page.readUInt16LE(at))
  }

  /**
   * A record's bytes: type (u16 id), TTL, line (u32 each), kind, then its data as UTF-8, or, for
   * character-strings (TXT), each string (the data is them joined, as both readers give it).
   * Text goes through UTF-8, which both readers' text is made from, so it comes back the same.
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
    let size = 2 + 4 + 4 + 1 + 4
    for (const part of parts) size += 4 + Buffer.byteLength(part, 'utf8')
    const { page, at, offset } = this.arena.alloc(size)
    page.writeUInt16LE(type, at)
    page.writeUInt32LE(record.ttl, at + 2)
    page.writeUInt32LE(record.line, at + 6)
    page[at + 10] = kind
    page.writeUInt32LE(parts.length, at + 11)
    let p = at + 15
    for (const part of parts) {
      const written = page.write(part, p + 4, 'utf8')
      page.writeUInt32LE(written, p)
      p += 4 + written
    }
    return offset
  }

  private readRecord(index: number, name: string): StoredRecord {
    const { page, at } = this.arena.at(this.recordAt.get(index))
    const type = this.types[page.readUInt16LE(at)] as string
    const ttl = page.readUInt32LE(at + 2)
    const line = page.readUInt32LE(at + 6)
    const kind = page[at + 10]
    const count = page.readUInt32LE(at + 11)
    const parts: string[] = []
    let p = at + 15
    for (let i = 0; i < count; i++) {
      const length = page.readUInt32LE(p)
      parts.push(page.toString('utf8', p + 4, p + 4 + length))
      p += 4 + length
    }
    if (kind === KIND_DATA) return { name, type, ttl, data: parts[0] as string, line, index }
    if (kind === KIND_BOTH) {
      return { name, type, ttl, data: parts[0] as string, line, strings: parts.slice(1), index }
    }
    return { name, type, ttl, data: parts.join(''), line, strings: parts, index }
  }
}
