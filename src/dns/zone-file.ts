/**
 * A BIND master-file (RFC 1035 section 5) parser for the records the checks look at.
 * It reads the file the way Knot DNS 3.2 does where RFC 1035 leaves room (default TTL 3600,
 * over-long TXT strings split at 255 bytes, class and TTL in either order) so that the zone
 * files answer offline what the same files would answer when served.
 */

import type { DnsRecord } from './types.js'
import { UserError } from '../errors.js'
import { escapeControls, excerpt } from './excerpt.js'
import { tokenize, type Token } from './zone-lexer.js'
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
  const { file } = options
  const fail = (line: number, detail: string): never => {
    throw new ZoneFileError(file, line, detail)
  }
  const originText = options.origin.endsWith('.') ? options.origin : `${options.origin}.`
  let origin: Labels = parseName({ text: originText, quoted: false, line: 0 }, [], fail, 'origin')
  let defaultTtl = options.defaultTtl ?? KNOT_DEFAULT_TTL
  let previousOwner: string | undefined
  const records: ZoneRecord[] = []

  const warned = new Set<string>()
  const warn = (line: number, message: string): void => {
    if (warned.has(message)) return
    warned.add(message)
    options.warnings?.push({ file, line, message })
  }

  for (const entry of tokenize(text, fail, warn)) {
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
        origin = parseName(arg as Token, origin, fail, 'origin')
      } else {
        defaultTtl = parseTtl(arg as Token, fail, 'TTL')
      }
      continue
    }

    let rest = entry.tokens
    let owner: string
    if (entry.blankOwner) {
      if (previousOwner === undefined) {
        fail(entry.line, 'the first record has no owner name (the line starts with a blank)')
      }
      owner = previousOwner as string
    } else {
      owner = nameText(parseName(first, origin, fail, 'owner name'))
      rest = rest.slice(1)
    }
    previousOwner = owner

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
    const parsed = parseRdata(type, rdata, origin, fail)
    const record: ZoneRecord = {
      name: owner,
      type,
      ttl: ttl ?? defaultTtl,
      data: parsed.data,
      line: entry.line
    }
    if (parsed.strings) record.strings = parsed.strings
    records.push(record)
  }
  return records
}
