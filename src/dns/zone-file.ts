/**
 * A BIND master-file (RFC 1035 section 5) parser for the records the checks look at.
 * It reads the file the way Knot DNS 3.2 does where RFC 1035 leaves room (default TTL 3600,
 * over-long TXT strings split at 255 bytes, class and TTL in either order) so that the zone
 * files answer offline what the same files would answer when served.
 */

import type { DnsRecord } from './types.js'
import { UserError } from '../errors.js'
import { escapeControls, excerpt } from './excerpt.js'
import { ZoneLexer, type Entry, type Token } from './zone-lexer.js'
import { nameText, parseName, parseRdata, parseTtl, parseType, type Labels } from './zone-rdata.js'

// First exported from here; importers may still take it from this module.
export { canonicalIpv6 } from './server-address.js'

/** One record of a zone file, with the line it starts on (for messages that point at it). */
export type ZoneRecord = DnsRecord & { line: number }

/**
 * Something in a zone file this reader accepts but some servers refuse to load (Knot 3.x:
 * CRLF line ends, a byte order mark, bytes outside ASCII, `CLASS1`): the offline check passes
 * what the server may then reject, so the report should say so.
 */
export interface ZoneWarning {
  file: string
  /** 1-based: where the first instance is; each kind is reported once per file. */
  line: number
  message: string
}

/** Options for {@link parseZoneFile}. */
export interface ZoneFileOptions {
  /** Where to add the file's {@link ZoneWarning}s; they are dropped when not given. */
  warnings?: ZoneWarning[]
  /** The initial `$ORIGIN`, with or without the trailing dot (usually the zone name). */
  origin: string
  /** The file name used in error messages. */
  file: string
  /**
   * TTL of records that give none while no `$TTL` precedes them. Defaults to 3600, Knot's
   * `default-ttl`; Knot does not reuse the last explicit TTL as RFC 1035 suggests.
   */
  defaultTtl?: number
}

/**
 * A zone file that cannot be read. `line` is 1-based; 0 means the error concerns the whole
 * file (the message is then `FILE: what is wrong`). The message is safe to print: control and
 * invisible characters in it (a file name from a pull request may hold any) are escaped, and
 * the detail never quotes more than a short excerpt of the file.
 */
export class ZoneFileError extends UserError {
  readonly file: string
  readonly line: number
  /** The message without the `FILE:LINE: ` prefix. */
  readonly detail: string

  constructor(file: string, line: number, detail: string) {
    const shown = escapeControls(file)
    const safe = escapeControls(detail)
    super(line > 0 ? `${shown}:${line}: ${safe}` : `${shown}: ${safe}`)
    this.name = 'ZoneFileError'
    this.file = file
    this.line = line
    this.detail = safe
  }
}

/** Knot's default TTL for records without one when no `$TTL` is in effect. */
const KNOT_DEFAULT_TTL = 3600
const CLASS1_WARNING = 'class CLASS1 (RFC 3597 for IN), which Knot 3.x refuses: write IN'
const OTHER_CLASSES = new Set(['CH', 'CHAOS', 'HS', 'HESIOD', 'CS', 'NONE', 'ANY'])

/**
 * Parses a master file into records, in file order.
 * Names are lower-case without the trailing dot; relative names (and `@`) take the current
 * `$ORIGIN`. A CNAME beside other data is accepted: diagnosing it is the checks' job.
 * @throws ZoneFileError naming the file and line of the first problem.
 */
export function parseZoneFile(text: string, options: ZoneFileOptions): ZoneRecord[] {
  const records: ZoneRecord[] = []
  const parser = new ZoneFileParser(options, (record) => records.push(record))
  parser.write(text)
  parser.end()
  return records
}

/**
 * The parser of {@link parseZoneFile} fed piece by piece (each piece may end anywhere), handing
 * each record to `onRecord` as soon as it is read, so a large file is never held whole: only
 * what `onRecord` keeps stays in memory.
 */
export class ZoneFileParser {
  private readonly file: string
  private readonly lexer: ZoneLexer
  private readonly warnings?: ZoneWarning[]
  private readonly warned = new Set<string>()
  private readonly onRecord: (record: ZoneRecord) => void
  private origin: Labels
  private defaultTtl: number
  private previousOwner: string | undefined

  constructor(options: ZoneFileOptions, onRecord: (record: ZoneRecord) => void) {
    this.file = options.file
    this.warnings = options.warnings
    this.onRecord = onRecord
    const originText = options.origin.endsWith('.') ? options.origin : `${options.origin}.`
    this.origin = parseName({ text: originText, quoted: false, line: 0 }, [], this.fail, 'origin')
    this.defaultTtl = options.defaultTtl ?? KNOT_DEFAULT_TTL
    this.lexer = new ZoneLexer(this.fail, this.warn)
  }

  /** Reads the next piece of the text. @throws ZoneFileError at the first problem. */
  write(text: string): void {
    for (const entry of this.lexer.write(text)) this.entry(entry)
  }

  /** Reads what is left at the end of the text. @throws ZoneFileError at the first problem. */
  end(): void {
    for (const entry of this.lexer.end()) this.entry(entry)
  }

  private readonly fail = (line: number, detail: string): never => {
    throw new ZoneFileError(this.file, line, detail)
  }

  private readonly warn = (line: number, message: string): void => {
    if (this.warned.has(message)) return
    this.warned.add(message)
    this.warnings?.push({ file: this.file, line, message })
  }

  private entry(entry: Entry): void {
    const { fail, warn } = this
    const first = entry.tokens[0] as Token
    if (!entry.blankOwner && !first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase()
      const args = entry.tokens.slice(1)
      if (directive === '$INCLUDE') {
        fail(first.line, '$INCLUDE is not supported; put the records in this file')
      }
      if (directive !== '$ORIGIN' && directive !== '$TTL') {
        fail(first.line, `unknown directive ${excerpt(first.text)}`)
      }
      const arg = args[0]
      if (arg === undefined) fail(first.line, `${directive} needs a value`)
      const extra = args[1]
      if (extra !== undefined)
        fail(extra.line, `unexpected '${excerpt(extra.text)}' after ${directive}`)
      if (directive === '$ORIGIN') {
        // Knot insists on an absolute origin; BIND and RFC 1035 append a relative one to the
        // current origin, which reads the same as a relative owner name.
        this.origin = parseName(arg as Token, this.origin, fail, 'origin')
      } else {
        this.defaultTtl = parseTtl(arg as Token, fail, 'TTL')
      }
      return
    }

    let rest = entry.tokens
    let owner: string
    if (entry.blankOwner) {
      if (this.previousOwner === undefined) {
        fail(entry.line, 'the first record has no owner name (the line starts with a blank)')
      }
      owner = this.previousOwner as string
    } else {
      owner = nameText(parseName(first, this.origin, fail, 'owner name'))
      rest = rest.slice(1)
    }
    this.previousOwner = owner

    let ttl: number | undefined
    let classSeen = false
    // TTL and class come in either order, each at most once (RFC 1035 section 5.1).
    for (let i = 0; i < 2; i++) {
      const token = rest[0]
      if (token === undefined || token.quoted) break
      const upper = token.text.toUpperCase()
      if (!classSeen && (upper === 'IN' || upper === 'CLASS1')) {
        classSeen = true
        if (upper === 'CLASS1') warn(token.line, CLASS1_WARNING)
      } else if (!classSeen && (OTHER_CLASSES.has(upper) || /^CLASS\d+$/.test(upper))) {
        fail(token.line, `class ${excerpt(token.text)} is not supported (only IN)`)
      } else if (ttl === undefined && /^\d/.test(token.text)) {
        ttl = parseTtl(token, fail, 'TTL')
      } else {
        break
      }
      rest = rest.slice(1)
    }

    const typeToken = rest[0]
    if (typeToken === undefined) {
      const last = entry.tokens[entry.tokens.length - 1] as Token
      fail(last.line, `missing record type for ${owner === '' ? '.' : excerpt(owner)}`)
    }
    const type = parseType(typeToken as Token, fail)
    const rdata = rest.slice(1)
    if (rdata.length === 0) fail((typeToken as Token).line, `missing rdata for ${type} record`)
    const parsed = parseRdata(type, rdata, this.origin, fail)
    const record: ZoneRecord = {
      name: owner,
      type,
      ttl: ttl ?? this.defaultTtl,
      data: parsed.data,
      line: entry.line
    }
    if (parsed.strings) record.strings = parsed.strings
    this.onRecord(record)
  }
}
