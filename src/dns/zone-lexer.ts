/**
 * The lexical layer of the zone-file reader (RFC 1035 section 5.1): text into entries of
 * tokens, comments dropped and parenthesised lines joined, and `\X`/`\DDD` escapes into octets.
 */
import { excerpt } from './excerpt.js'

/** One token; `line` is where it starts, for messages. */
export interface Token {
  /** Source text; for a quoted string, what is between the quotes, escapes still encoded. */
  text: string
  quoted: boolean
  line: number
}

/** One logical entry: a physical line, or several joined by parentheses. */
export interface Entry {
  line: number
  /** The entry starts with white space: the owner is the previous record's. */
  blankOwner: boolean
  tokens: Token[]
}

/** Throws the reader's error for `line`; it never returns. */
export type Fail = (line: number, detail: string) => never

/**
 * Notes something a server may refuse although this reader accepts it (see
 * {@link LEXER_WARNINGS}); each kind is reported once per file, at its first line.
 */
export type Warn = (line: number, detail: string) => void

/** What the lexer accepts and warns about: each of these makes Knot 3.x refuse the file. */
export const LEXER_WARNINGS = {
  bom: 'the file starts with a UTF-8 byte order mark, which Knot 3.x refuses: save it without one',
  crlf: 'CRLF line ends, which Knot 3.x refuses: remove the CR bytes',
  quoted:
    'a character outside ASCII in a quoted string, which Knot 3.x refuses: write its bytes as \\DDD escapes',
  unquoted:
    'a character outside ASCII in a name or field, which Knot 3.x refuses: write its bytes as \\DDD escapes (or use punycode for names)'
} as const

/**
 * Longest physical line, and longest entry (parenthesised lines together), in characters.
 * The largest record a server accepts (65,535 octets of RDATA, every octet written `\DDD`)
 * takes about 270,000; anything longer is refused before it is split into tokens, so a
 * hostile file cannot make the reader hold millions of labels or strings.
 */
export const MAX_LINE_CHARS = 512 * 1024

const NON_ASCII = /[\u0080-\uffff]/

/**
 * Splits the text into entries, dropping comments and joining parenthesised lines. A
 * generator, so only one entry's tokens are held at a time.
 */
export function* tokenize(text: string, fail: Fail, warn: Warn = () => {}): Generator<Entry> {
  const lexer = new ZoneLexer(fail, warn)
  yield* lexer.write(text)
  yield* lexer.end()
}

/**
 * The lexer fed piece by piece, so a file is read without ever holding its whole text: each
 * piece may end anywhere; what follows its last line end waits for the next. A line that never
 * ends is refused once it is longer than {@link MAX_LINE_CHARS} twice over.
 */
export class ZoneLexer {
  private readonly fail: Fail
  private readonly warn: Warn
  private started = false
  private crSeen = false
  private quotedWide = false
  private unquotedWide = false
  private line = 1
  private depth = 0
  private parenLine = 0
  private atLineStart = true
  private entry: Entry | undefined
  /** Where the current entry starts, relative to the start of the text being read (may be < 0). */
  private entryStart = 0
  /** The text after the last line end seen, not read yet. */
  private rest = ''

  constructor(fail: Fail, warn: Warn = () => {}) {
    this.fail = fail
    this.warn = warn
  }

  /** The entries completed by `text`. */
  *write(text: string): Generator<Entry> {
    if (!this.started) {
      this.started = true
      if (text.startsWith('\uFEFF')) {
        this.warn(1, LEXER_WARNINGS.bom)
        text = text.slice(1)
      }
    }
    const src = this.rest + text
    const end = src.lastIndexOf('\n') + 1
    this.rest = src.slice(end)
    if (end > 0) yield* this.lines(end === src.length ? src : src.slice(0, end))
    if (this.rest.length > 2 * MAX_LINE_CHARS) {
      this.fail(this.line, `line longer than ${MAX_LINE_CHARS} characters`)
    }
  }

  /** The entries left when the text ends. */
  *end(): Generator<Entry> {
    if (!this.started) this.started = true
    const src = this.rest
    this.rest = ''
    if (src.length > 0) yield* this.lines(src)
    if (this.depth > 0) this.fail(this.parenLine, "'(' is never closed")
    if (this.entry && this.entry.tokens.length > 0) yield this.entry
    this.entry = undefined
  }

  /** Reads whole lines (the last one may lack its line end only at the end of the text). */
  private *lines(src: string): Generator<Entry> {
    const { fail, warn } = this
    /** Where the current physical line starts, to bound its length. */
    let lineStart = 0
    let entryStart = this.entryStart
    const checkLength = (end: number, tokenLine: number): void => {
      if (end - lineStart > MAX_LINE_CHARS) {
        fail(tokenLine, `line longer than ${MAX_LINE_CHARS} characters`)
      }
      if (end - entryStart > MAX_LINE_CHARS) {
        fail(this.entry?.line ?? tokenLine, `record longer than ${MAX_LINE_CHARS} characters`)
      }
    }

    let i = 0
    while (i < src.length) {
      const c = src[i] as string
      if (this.atLineStart) {
        this.atLineStart = false
        if (this.depth === 0) {
          if (this.entry && this.entry.tokens.length > 0) yield this.entry
          this.entry = { line: this.line, blankOwner: c === ' ' || c === '\t', tokens: [] }
          entryStart = i
        }
      }
      const current = this.entry as Entry
      if (c === '\n') {
        this.line++
        this.atLineStart = true
        i++
        lineStart = i
      } else if (c === ' ' || c === '\t') {
        i++
      } else if (c === '\r') {
        if (!this.crSeen) warn(this.line, LEXER_WARNINGS.crlf)
        this.crSeen = true
        i++
      } else if (c === ';') {
        const end = src.indexOf('\n', i)
        i = end === -1 ? src.length : end
        if (i - lineStart > MAX_LINE_CHARS)
          fail(this.line, `line longer than ${MAX_LINE_CHARS} characters`)
      } else if (c === '(') {
        if (this.depth > 0) fail(this.line, "nested '(': parentheses cannot be nested")
        this.depth = 1
        this.parenLine = this.line
        i++
      } else if (c === ')') {
        if (this.depth === 0) fail(this.line, "')' without a matching '('")
        this.depth = 0
        i++
      } else if (c === '"') {
        const start = this.line
        let j = i + 1
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '\n')
            fail(start, 'unterminated quoted string (a string cannot span lines)')
          if (src[j] === '\\') {
            if (j + 1 >= src.length || src[j + 1] === '\n') {
              fail(start, 'unterminated quoted string (backslash at the end of the line)')
            }
            j++
          }
          j++
          if ((j & 0xffff) === 0) checkLength(j, start)
        }
        if (j >= src.length) fail(start, 'unterminated quoted string')
        checkLength(j, start)
        const token = src.slice(i + 1, j)
        if (!this.quotedWide && NON_ASCII.test(token)) {
          this.quotedWide = true
          warn(start, LEXER_WARNINGS.quoted)
        }
        current.tokens.push({ text: token, quoted: true, line: start })
        i = j + 1
      } else {
        let j = i
        while (j < src.length && !' \t\r\n;()"'.includes(src[j] as string)) {
          if (src[j] === '\\') {
            if (j + 1 >= src.length || src[j + 1] === '\n')
              fail(this.line, 'backslash at the end of the line')
            j++
          }
          j++
          if ((j & 0xffff) === 0) checkLength(j, this.line)
        }
        checkLength(j, this.line)
        const token = src.slice(i, j)
        if (!this.unquotedWide && NON_ASCII.test(token)) {
          this.unquotedWide = true
          warn(this.line, LEXER_WARNINGS.unquoted)
        }
        current.tokens.push({ text: token, quoted: false, line: this.line })
        i = j
      }
    }
    // The next text starts where this one ends: an entry still open starts before it.
    this.entryStart = entryStart - src.length
  }
}

/** Decodes `\X` and `\DDD` escapes into octets; other characters become their UTF-8. */
export function decodeEscapes(token: Token, text: string, fail: Fail): Uint8Array {
  if (!text.includes('\\')) return Buffer.from(text, 'utf8')
  const out: number[] = []
  const chars = Array.from(text)
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'))
      continue
    }
    const next = chars[i + 1]
    if (next === undefined) fail(token.line, `bad escape at the end of '${excerpt(token.text)}'`)
    if (/^\d$/.test(next as string)) {
      const digits = chars.slice(i + 1, i + 4).join('')
      if (!/^\d{3}$/.test(digits)) {
        fail(
          token.line,
          `bad escape '\\${excerpt(digits)}' in '${excerpt(token.text)}' (\\DDD needs three digits)`
        )
      }
      const value = Number(digits)
      if (value > 255) {
        fail(token.line, `bad escape '\\${digits}' in '${excerpt(token.text)}' (over 255)`)
      }
      out.push(value)
      i += 3
    } else {
      out.push(...Buffer.from(next as string, 'utf8'))
      i += 1
    }
  }
  return Uint8Array.from(out)
}
