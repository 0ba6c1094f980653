/**
 * A fast path for the common shape of `domains.yaml`: `version: 1` and a block list of domains,
 * each a name or a mapping of plain or single-line quoted values. It reads that subset of YAML
 * line by line and applies the schema's rules itself, without yaml's document model or zod:
 * a 10,000-domain fleet costs milliseconds instead of most of a second, and a one-domain config
 * loads neither library's schemas.
 *
 * It only ever says yes or "not mine": anything outside the subset (anchors, block scalars,
 * escapes, multi-line values, flow lists, tabs, numbers where a name goes, unknown keys) and
 * anything the schema would refuse returns undefined, and the caller takes the full path, which
 * alone words the errors. __tests__/config/fast-config.property.test.ts checks that whatever it
 * accepts, the full path accepts with the same result.
 */
import { configHostName, configRelativeHost, RECORD_KEYS, type RecordKey } from './record-keys.js'
import type { PinnedRecord, RawConfig } from './schema.js'

/** One entry of `domains:` as the zod schema would output it. */
export type RawDomainEntry = RawConfig['domains'][number]

/** What the fast path read. */
export interface FastConfig {
  /** The domain entries, as the schema would give them. */
  entries: RawDomainEntry[]
  /** The 1-based line of each entry (its `- `). */
  lines: number[]
  /** Offsets [start, end) of the `domains:` key and its block in the text. */
  block: [start: number, end: number]
  /**
   * The file has top-level keys besides `domains:` and a bare `version: 1`: the caller reads
   * the text outside `block` with yaml and validates it with the schema.
   */
  needsRest: boolean
}

type Scalar = string | boolean

const VERSION_ONE = /^version: +1(?: +(?:#.*)?)?$/
/** A plain scalar of ASCII name characters, and a key: one native match instead of a loop. */
const PLAIN_ASCII = /[A-Za-z0-9_][A-Za-z0-9_.-]*/y
const KEY = /[A-Za-z_][A-Za-z0-9_-]*:(?= |$)/y
/** The text of a one-line quoted scalar: printable, escapes aside (refused before). */
const QUOTED_ASCII = /^[ -~]*$/
/**
 * A plain scalar with letters beyond ASCII (IDN names), and the text of such a quoted scalar.
 * Built at first need, from strings: V8 parses a `\p{…}` class where the literal is read and
 * again where it is made, about 25 M instructions of a 300 M one-domain check (issue 12), and
 * a config of ASCII names never needs them.
 */
let wide: { plain: RegExp; quoted: RegExp } | undefined
function wideScalars(): { plain: RegExp; quoted: RegExp } {
  return (wide ??= {
    plain: new RegExp('[A-Za-z0-9_\\p{L}\\p{N}][A-Za-z0-9_.\\-\\p{L}\\p{M}\\p{N}]*', 'uy'),
    quoted: new RegExp('^[ -~\\p{L}\\p{M}\\p{N}]*$', 'u')
  })
}
/** What yaml's core schema resolves to null, a number or a boolean (yaml/dist/schema/core). */
const NOT_STRING =
  /^(?:~|[Nn]ull|NULL|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+)?$/
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/
const TRUE = /^(?:[Tt]rue|TRUE)$/
/** Characters no config needs and YAML treats specially (controls, a CR alone, BOM). */
// eslint-disable-next-line no-control-regex
const ODD = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]|\r(?!\n)/

const RECORD_KEY_SET = new Set<string>(RECORD_KEYS)

// The scanner reads character codes rather than running regular expressions per token: at
// 20,000 lines the difference is most of its time.
const SPACE = 32
const HASH = 35

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95
}

/** The index after the spaces at `i`. */
function skipSpaces(line: string, i: number): number {
  while (line.charCodeAt(i) === SPACE) i++
  return i
}

/** True when nothing follows `i` but spaces and a comment (a `#` needs a space before it). */
function trails(line: string, i: number): boolean {
  const j = skipSpaces(line, i)
  return j === line.length || (j > i && line.charCodeAt(j) === HASH)
}

/** The index just after the colon of a `key:` at `i` (a space or the end follows), or -1. */
function keyEnd(line: string, i: number): number {
  KEY.lastIndex = i
  return KEY.test(line) ? KEY.lastIndex : -1
}

/** The scalar at `i` and the index after it; undefined for anything but a string or boolean. */
function readScalar(line: string, i: number): { value: Scalar; end: number } | undefined {
  const quote = line.charCodeAt(i)
  if (quote === 34 || quote === 39) {
    const close = line.indexOf(quote === 34 ? '"' : "'", i + 1)
    if (close < 0 || (quote === 39 && line.charCodeAt(close + 1) === 39)) return undefined
    const text = line.slice(i + 1, close)
    if (quote === 34 && text.includes('\\')) return undefined
    if (!QUOTED_ASCII.test(text) && !wideScalars().quoted.test(text)) return undefined
    return { value: text, end: close + 1 }
  }
  if (!isWordStart(quote) && quote < 0x80) return undefined
  PLAIN_ASCII.lastIndex = i
  let end = PLAIN_ASCII.test(line) ? PLAIN_ASCII.lastIndex : i
  if (line.charCodeAt(end) >= 0x80 || quote >= 0x80) {
    const plainWide = wideScalars().plain
    plainWide.lastIndex = i
    if (!plainWide.test(line)) return undefined
    end = plainWide.lastIndex
  }
  const text = line.slice(i, end)
  if (BOOL.test(text)) return { value: TRUE.test(text), end }
  return NOT_STRING.test(text) ? undefined : { value: text, end }
}

/** The value after `key:` ending the line (`i` is just after the colon), or undefined. */
function lineValue(line: string, i: number): Scalar | undefined {
  const j = skipSpaces(line, i)
  if (j === i) return undefined
  const scalar = readScalar(line, j)
  return scalar && trails(line, scalar.end) ? scalar.value : undefined
}

/** `{ name: x, value: y }` at `i`, on one line, then the end of the line; or undefined. */
function flowPin(line: string, i: number): Record<string, Scalar> | undefined {
  if (line.charCodeAt(i) !== 123) return undefined
  const pin: Record<string, Scalar> = {}
  let j = i + 1
  for (;;) {
    j = skipSpaces(line, j)
    const end = keyEnd(line, j)
    if (end < 0) return undefined
    const key = line.slice(j, end - 1)
    const start = skipSpaces(line, end)
    if (key in pin || start === end) return undefined
    const scalar = readScalar(line, start)
    if (!scalar) return undefined
    pin[key] = scalar.value
    j = skipSpaces(line, scalar.end)
    if (line.charCodeAt(j) === 44) j++
    else if (line.charCodeAt(j) === 125) return trails(line, j + 1) ? pin : undefined
    else return undefined
  }
}

/** A domain mapping being read: its keys so far, and which nested block is open. */
interface Pending {
  indent: number
  name?: string
  zone?: string
  verification?: string
  tracking?: boolean
  create?: boolean
  records?: Record<string, Record<string, Scalar>>
  recordsIndent?: number
  pin?: Record<string, Scalar>
  pinIndent?: number
}

/** The pinned record as the schema outputs it (keys in its order), or undefined if refused. */
function toPin(raw: Record<string, Scalar>): PinnedRecord | undefined {
  const out: PinnedRecord = {}
  for (const key of Object.keys(raw)) if (key !== 'name' && key !== 'value') return undefined
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string') return undefined
    const name = configRelativeHost(raw.name)
    if (name === undefined) return undefined
    out.name = name
  }
  if (raw.value !== undefined) {
    if (typeof raw.value !== 'string' || raw.value.length === 0) return undefined
    out.value = raw.value
  }
  return Object.keys(raw).length > 0 ? out : undefined
}

/** The domain mapping as the schema outputs it, or undefined when the schema would refuse it. */
function toEntry(p: Pending): RawDomainEntry | undefined {
  if (p.records && Object.keys(p.records).length === 0) return undefined
  if (p.pin && Object.keys(p.pin).length === 0) return undefined
  if (p.name === undefined) return undefined
  const name = configHostName(p.name)
  if (name === undefined) return undefined
  const out: Exclude<RawDomainEntry, string> = { name }
  if (p.zone !== undefined) {
    const zone = configHostName(p.zone)
    if (zone === undefined) return undefined
    out.zone = zone
  }
  if (p.verification !== undefined) {
    const verification = configRelativeHost(p.verification)
    if (verification === undefined) return undefined
    out.verification = verification
  }
  if (p.tracking !== undefined) out.tracking = p.tracking
  if (p.create !== undefined) out.create = p.create
  if (p.records) {
    const records: Partial<Record<RecordKey, PinnedRecord>> = {}
    for (const key of RECORD_KEYS) {
      const pin = p.records[key]
      if (pin === undefined) continue
      const checked = toPin(pin)
      if (checked === undefined) return undefined
      records[key] = checked
    }
    out.records = records
  }
  return out
}

/** Reads one line of an open domain mapping; false when it is outside the subset. */
function mappingLine(p: Pending, indent: number, line: string): boolean {
  const end = keyEnd(line, indent)
  if (end < 0) return false
  const key = line.slice(indent, end - 1)
  if (indent === p.indent) {
    // A key of the domain itself closes any nested block.
    if (p.records && Object.keys(p.records).length === 0) return false
    if (p.pin && Object.keys(p.pin).length === 0) return false
    p.pin = undefined
    if (key === 'records') {
      if (p.records !== undefined || !trails(line, end)) return false
      p.records = {}
      return true
    }
    const value = lineValue(line, end)
    switch (key) {
      case 'name':
      case 'zone':
      case 'verification':
        if (p[key] !== undefined || typeof value !== 'string') return false
        p[key] = value
        return true
      case 'tracking':
      case 'create':
        if (p[key] !== undefined || typeof value !== 'boolean') return false
        p[key] = value
        return true
      default:
        return false
    }
  }
  if (p.pin && p.pinIndent === undefined && indent > p.recordsIndent!) p.pinIndent = indent
  if (p.pin && indent === p.pinIndent) {
    const value = lineValue(line, end)
    if (key in p.pin || value === undefined) return false
    p.pin[key] = value
    return true
  }
  if (!p.records) return false
  if (p.recordsIndent === undefined && indent > p.indent && !p.pin) p.recordsIndent = indent
  if (indent !== p.recordsIndent) return false
  if (p.pin && Object.keys(p.pin).length === 0) return false
  p.pin = undefined
  if (!RECORD_KEY_SET.has(key) || key in p.records) return false
  if (trails(line, end)) {
    p.pin = {}
    p.pinIndent = undefined
    p.records[key] = p.pin
    return true
  }
  const start = skipSpaces(line, end)
  const pin = start > end ? flowPin(line, start) : undefined
  if (!pin) return false
  p.records[key] = pin
  return true
}

/**
 * Reads `text` when it is in the subset this module knows and the schema accepts every domain
 * in it; undefined otherwise (the caller then takes the full path).
 */
export function fastConfig(text: string): FastConfig | undefined {
  if (ODD.test(text)) return undefined
  const entries: RawDomainEntry[] = []
  const lines: number[] = []
  const keys = new Set<string>()
  let mode: 'start' | 'version' | 'other' | 'domains' | 'done' = 'start'
  let needsRest = false
  let blockStart = -1
  let blockEnd = text.length
  let seqIndent: number | undefined
  let pending: Pending | undefined

  const finish = (): boolean => {
    if (pending) {
      const entry = toEntry(pending)
      if (entry === undefined) return false
      entries.push(entry)
    }
    pending = undefined
    return true
  }

  let lineNo = 0
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    // A CR before the LF (a file saved on Windows) ends the line for YAML too.
    const line = text.slice(start, text.charCodeAt(end - 1) === 13 ? end - 1 : end)
    const lineStart = start
    start = end + 1
    lineNo++
    let indent = 0
    while (line.charCodeAt(indent) === 32) indent++
    if (indent === line.length || line[indent] === '#') {
      if (end === text.length) break
      continue
    }
    const dash = line.startsWith('- ', indent)
    if (indent === 0 && !(mode === 'domains' && dash && (seqIndent ?? 0) === 0)) {
      // A top-level key ends the domains block, if one is open.
      if (mode === 'domains') {
        if (!finish()) return undefined
        blockEnd = lineStart
        mode = 'done'
      }
      const end = keyEnd(line, 0)
      const key = end < 0 ? undefined : line.slice(0, end - 1)
      if (key === undefined || keys.has(key)) return undefined
      keys.add(key)
      if (key === 'domains') {
        if (mode === 'done' || !trails(line, end)) return undefined
        blockStart = lineStart
        mode = 'domains'
      } else if (key === 'version' && VERSION_ONE.test(line)) {
        mode = mode === 'done' ? 'done' : 'version'
      } else {
        needsRest = true
        if (mode !== 'done') mode = 'other'
      }
    } else if (mode === 'start') {
      return undefined
    } else if (mode === 'version' || mode === 'other') {
      // The value of a key the caller reads with yaml.
      needsRest = true
    } else if (mode === 'done') {
      // After the domains block, another key's value: the caller reads it with yaml.
      needsRest = true
    } else if (dash && (seqIndent === undefined || indent === seqIndent)) {
      seqIndent = indent
      if (!finish()) return undefined
      const i = indent + 2
      lines.push(lineNo)
      if (keyEnd(line, i) >= 0) {
        pending = {
          indent: i,
          name: undefined,
          zone: undefined,
          verification: undefined,
          tracking: undefined,
          create: undefined,
          records: undefined,
          recordsIndent: undefined,
          pin: undefined,
          pinIndent: undefined
        }
        if (!mappingLine(pending, i, line)) return undefined
      } else {
        const scalar = readScalar(line, i)
        if (!scalar || typeof scalar.value !== 'string' || !trails(line, scalar.end))
          return undefined
        const name = configHostName(scalar.value)
        if (name === undefined) return undefined
        entries.push(name)
      }
    } else if (pending && indent >= pending.indent) {
      if (!mappingLine(pending, indent, line)) return undefined
    } else {
      return undefined
    }
    if (end === text.length) break
  }
  if (mode === 'domains' && !finish()) return undefined
  if (blockStart < 0 || entries.length === 0) return undefined
  if (!keys.has('version') && !needsRest) return undefined
  return { entries, lines, block: [blockStart, blockEnd], needsRest }
}
