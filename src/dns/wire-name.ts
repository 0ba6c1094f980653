/**
 * Domain names between their presentation form and the wire (RFC 1035 sections 3.1, 4.1.4,
 * 5.1). The presentation form is the one the zone-file reader gives: labels joined by `.`,
 * lower-case ASCII, a `.` or `\` inside a label escaped as `\.` and `\\`, any other octet
 * outside `!`..`~` as `\DDD`. So `rwmt1\.dkim.example` (two labels) and `rwmt1.dkim.example`
 * (three) stay different from the wire to the verdict.
 */
import { excerpt } from './excerpt.js'

/** The longest name on the wire, in octets, length bytes and the root included. */
const MAX_NAME = 255
const MAX_LABEL = 63

/**
 * The wire form of a name in presentation form (normalised, without the trailing dot; `''`
 * is the root), escapes decoded. Throws on an empty label, a label over 63 octets, a name over
 * 255 octets or a bad `\DDD`.
 */
export function encodeName(name: string): Buffer {
  if (name === '') return Buffer.from([0])
  return encodePlainName(name) ?? encodeAnyName(name)
}

/**
 * {@link encodeName} for the common name, ASCII without escapes: each dot becomes the length
 * of the label before it, in one pass without a closure per octet. Undefined for anything
 * else, and for a name {@link encodeAnyName} would refuse, so that it says why.
 */
function encodePlainName(name: string): Buffer | undefined {
  const length = name.length
  // The labels' octets, a length octet before each and the root after them.
  if (length + 2 > MAX_NAME) return undefined
  const out = Buffer.allocUnsafe(length + 2)
  let lengthAt = 0
  let labelLength = 0
  for (let i = 0; i < length; i++) {
    const code = name.charCodeAt(i)
    if (code === 0x2e) {
      if (labelLength === 0) return undefined
      out[lengthAt] = labelLength
      lengthAt = i + 1
      labelLength = 0
    } else if (code === 0x5c || code >= 0x80 || labelLength === MAX_LABEL) {
      return undefined
    } else {
      out[i + 1] = code
      labelLength++
    }
  }
  if (labelLength === 0) return undefined
  out[lengthAt] = labelLength
  out[length + 1] = 0
  return out
}

/** {@link encodeName} for any name: escapes, UTF-8, and the reasons a name is refused. */
function encodeAnyName(name: string): Buffer {
  const out = Buffer.allocUnsafe(MAX_NAME + 4)
  let at = 0
  let lengthAt = 0
  let labelLength = 0
  const fail = (why: string): never => {
    throw new Error(`invalid name "${excerpt(name)}": ${why}`)
  }
  const put = (byte: number): void => {
    if (labelLength === MAX_LABEL) fail('a label is longer than 63 bytes')
    if (at >= MAX_NAME) fail('longer than 255 bytes')
    out[at++] = byte
    labelLength++
  }
  const endLabel = (): void => {
    if (labelLength === 0) fail('empty label')
    out[lengthAt] = labelLength
  }
  at = 1
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    if (code === 0x2e) {
      endLabel()
      lengthAt = at++
      if (at > MAX_NAME) fail('longer than 255 bytes')
      labelLength = 0
    } else if (code === 0x5c) {
      const digits = name.slice(i + 1, i + 4)
      if (/^\d{3}$/.test(digits)) {
        const value = Number(digits)
        if (value > 255) fail(`bad escape \\${digits}`)
        put(value)
        i += 3
      } else if (i + 1 < name.length) {
        i++
        putChar(name, i, put)
        if (name.charCodeAt(i) >= 0xd800 && name.charCodeAt(i) < 0xdc00) i++
      } else {
        fail('a backslash at the end')
      }
    } else if (code < 0x80) {
      put(code)
    } else {
      putChar(name, i, put)
      if (code >= 0xd800 && code < 0xdc00) i++
    }
  }
  endLabel()
  if (at + 1 > MAX_NAME) fail('longer than 255 bytes')
  out[at++] = 0
  return out.subarray(0, at)
}

/** Puts the UTF-8 octets of the character at `i` (a surrogate pair counts as one). */
function putChar(text: string, i: number, put: (byte: number) => void): void {
  const char = String.fromCodePoint(text.codePointAt(i) as number)
  for (const byte of Buffer.from(char, 'utf8')) put(byte)
}

/** A name read from a message, and the offset just after it where it was written. */
export interface WireName {
  /** Presentation form, lower-case, without the trailing dot; `''` is the root. */
  name: string
  /** Where the data after the name starts (after the first compression pointer, if any). */
  end: number
}

/**
 * Reads a possibly compressed name at `offset` of the message `buf`. Throws on a name that
 * runs past the message, a pointer loop, a name over 255 octets or a reserved label type.
 */
export function decodeName(buf: Uint8Array, offset: number): WireName {
  const name = readName(buf, offset, false)
  return { name, end: readEnd }
}

/** Where the name {@link readName} read last ends, as {@link WireName.end} says. */
let readEnd = 0

/** The end of the name {@link readName} read last (see {@link WireName.end}). */
export function lastNameEnd(): number {
  return readEnd
}

/**
 * The presentation form of a name being read, escapes written out: at most 255 octets of
 * labels, each octet at most four characters (`\DDD`), and the dots between them.
 */
const scratch = Buffer.allocUnsafeSlow(4 * MAX_NAME + 4)

/**
 * Names already read in the message {@link startMessage} named, by the offset they start at:
 * a compressed name that only points to one of them (an answer's owner pointing to the
 * question) is that string again rather than a new one. A few slots are enough.
 */
const CACHED = 16
let cacheFor: Uint8Array | undefined
let cacheCount = 0
const cacheAt = new Int32Array(CACHED)
const cacheJumps = new Int32Array(CACHED)
const cacheName: string[] = new Array<string>(CACHED).fill('')

/**
 * Starts reading the message `buf` with {@link readName}'s `cached` set: forgets the names of
 * the message read before. Call it once per message, before its first name.
 */
export function startMessage(buf: Uint8Array): void {
  cacheFor = buf
  cacheCount = 0
}

/**
 * {@link decodeName} without the object: the name, its end left for {@link lastNameEnd}.
 * With `cached`, a name reached by a pointer to one read before in the same message (see
 * {@link startMessage}) is not read again. One string per name, built from the octets at once
 * rather than label by label: this runs for every name of every answer of a fleet run.
 */
export function readName(buf: Uint8Array, offset: number, cached: boolean): string {
  const useCache = cached && buf === cacheFor
  let at = offset
  let end = -1
  let wireLength = 1
  let jumps = 0
  let out = 0
  for (;;) {
    if (at >= buf.length) throw new Error('a name runs past the end of the message')
    const length = buf[at] as number
    if (length === 0) {
      if (end === -1) end = at + 1
      readEnd = end
      // The dot after the last label is not part of the name.
      const name = out === 0 ? '' : scratch.toString('latin1', 0, out - 1)
      if (useCache && cacheCount < CACHED) {
        cacheAt[cacheCount] = offset
        cacheJumps[cacheCount] = jumps
        cacheName[cacheCount++] = name
      }
      return name
    }
    if ((length & 0xc0) === 0xc0) {
      if (at + 1 >= buf.length) throw new Error('a name runs past the end of the message')
      if (end === -1) end = at + 2
      // A message holds at most 65,535 octets; more jumps than that is a loop.
      if (++jumps > 127) throw new Error('a name has a compression loop')
      at = ((length & 0x3f) << 8) | (buf[at + 1] as number)
      if (useCache && out === 0) {
        // Nothing read yet: the name is the one at `at`, if that was read and the jumps to
        // reach it stay within the limit (past it, reading it again throws as it should).
        for (let i = 0; i < cacheCount; i++) {
          if (cacheAt[i] === at && jumps + (cacheJumps[i] as number) <= 127) {
            readEnd = end
            return cacheName[i] as string
          }
        }
      }
      continue
    }
    if (length > MAX_LABEL) throw new Error(`a label of unknown type 0x${length.toString(16)}`)
    wireLength += length + 1
    if (wireLength > MAX_NAME) throw new Error('a name longer than 255 octets')
    const stop = at + 1 + length
    if (stop > buf.length) throw new Error('a name runs past the end of the message')
    for (let i = at + 1; i < stop; i++) {
      const b = buf[i] as number
      if (b > 0x20 && b < 0x7f) {
        if (b === 0x2e || b === 0x5c) {
          scratch[out++] = 0x5c
          scratch[out++] = b
        } else {
          // Lower-cased as the zone reader does (ASCII letters only).
          scratch[out++] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b
        }
      } else {
        scratch[out++] = 0x5c
        scratch[out++] = 0x30 + ((b / 100) | 0)
        scratch[out++] = 0x30 + (((b / 10) | 0) % 10)
        scratch[out++] = 0x30 + (b % 10)
      }
    }
    scratch[out++] = 0x2e
    at = stop
  }
}

/** One label in presentation form, lower-cased as the zone reader does (ASCII letters only). */
export function labelText(buf: Uint8Array, from: number, to: number): string {
  let plain = true
  for (let i = from; i < to && plain; i++) {
    const b = buf[i] as number
    plain = b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c && (b < 0x41 || b > 0x5a)
  }
  // Most labels need no escape: one flat string straight from the octets (a Buffer copies them
  // natively; spreading a subarray into fromCharCode was a tenth of a fleet run's time).
  if (plain) {
    return Buffer.isBuffer(buf)
      ? buf.toString('latin1', from, to)
      : String.fromCharCode(...buf.subarray(from, to))
  }
  const parts: string[] = []
  for (let i = from; i < to; i++) {
    const b = buf[i] as number
    if (b === 0x2e || b === 0x5c) parts.push(b === 0x2e ? '\\.' : '\\\\')
    else if (b < 0x21 || b > 0x7e) parts.push(`\\${String(b).padStart(3, '0')}`)
    else parts.push(String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 0x20 : b))
  }
  return parts.join('')
}

/**
 * The presentation form {@link decodeName} gives for a name written another way (`é`, `\065`,
 * upper case); the name itself if it cannot go on the wire.
 */
export function presentationName(name: string): string {
  try {
    return decodeName(encodeName(name), 0).name
  } catch {
    return name
  }
}
