// The JSON report written domain by domain, as the check goes: at 10,000 domains, building the
// report as one string, then copying it to write it, doubled the run's peak memory (issue 12).
// renderJson writes the same bytes.
import { jsonSafe } from '../text/printable.js'
import { domainJson } from './domain-json.js'
import type { Report } from './report.js'

/**
 * A Node Writable, as far as writing with backpressure needs it (kept structural, so report/
 * imports nothing of Node's): `write` returns false when the buffer is full, and 'drain' says
 * when to go on.
 */
export interface WritableLike {
  write(chunk: string | Uint8Array): boolean
  once(event: 'drain' | 'close', listener: () => void): unknown
  once(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'error', listener: (error: Error) => void): unknown
  /** Set once the stream is destroyed: no 'drain' will come then. */
  readonly destroyed?: boolean
  readonly errored?: Error | null
}

/** Where the chunks go: a function (awaited when it returns a promise) or a Node Writable. */
export type JsonSink = ((chunk: string) => void | Promise<void>) | WritableLike

/** The top-level field written one element at a time; every other field is written whole. */
const STREAMED = 'domains'

/**
 * The fields written before the domains, in this order, when present: all known before the
 * first domain is checked, so a run can write them first and stream the domains after. Every
 * other field (the summary, the resolvers found, the digest) follows the domains.
 */
export const HEAD_FIELDS = ['schemaVersion', 'tool', 'generatedAt', 'config', 'shard'] as const

/** The fields a streamed report is opened with. */
export type ReportHead = Partial<Pick<Report, (typeof HEAD_FIELDS)[number]>>

/**
 * The JSON report's layout, one line a field and one line a domain:
 *
 *     {
 *       "schemaVersion": 1,
 *       …the other head fields…
 *       "domains": [
 *         {…one domain…},
 *         {…the next…}
 *       ],
 *       "summary": {…},
 *       …every other field…
 *     }
 *
 * Compact lines keep a fleet's report small (a 10,000-domain report pretty-printed was 80 MB)
 * and let `grep` find a domain's line; `jq` shows it pretty. Any JSON value is written as
 * JSON.stringify writes it, with the characters {@link jsonSafe} escapes escaped.
 */
export class JsonReportWriter {
  private readonly write: (chunk: string) => void | Promise<void>
  private domains = 0

  constructor(sink: JsonSink) {
    this.write = typeof sink === 'function' ? sink : writableWriter(sink)
  }

  /** Opens the report with the head fields (and any other field given) and `"domains": [`. */
  async begin(head: ReportHead): Promise<void> {
    await this.write(headChunk(head))
  }

  /** Writes one domain (any JSON value), on its own line. */
  async domain(domain: unknown): Promise<void> {
    await this.write(domainChunk(domain, this.domains++))
  }

  /** Closes the domains, writes every field of `report` not in the head, and closes the report. */
  async end(report: object): Promise<void> {
    await this.write(endChunk(report, this.domains))
  }
}

/**
 * Writes `report` in the layout of {@link JsonReportWriter}, as a series of chunks: the head
 * in one, then one per domain, then the close. The whole text is never held; at most one
 * domain's. Given a Writable, waits for 'drain' whenever `write` returns false, and rejects if
 * the stream errors or closes first. Does not end the stream.
 */
export async function writeJsonReport(report: Report, sink: JsonSink): Promise<void> {
  const writer = new JsonReportWriter(sink)
  await writer.begin(headOf(report))
  for (const domain of domainsOf(report)) await writer.domain(domain)
  await writer.end(report)
}

/** The whole report as one string, in the layout of {@link JsonReportWriter}. */
export function reportJson(report: Report): string {
  const domains = domainsOf(report)
  return [
    headChunk(headOf(report)),
    ...domains.map((d, i) => domainChunk(d, i)),
    endChunk(report, domains.length)
  ].join('')
}

function headOf(report: Report): ReportHead {
  const all = report as unknown as Record<string, unknown>
  return Object.fromEntries(HEAD_FIELDS.map((k) => [k, all[k]])) as ReportHead
}

function domainsOf(report: Report): unknown[] {
  const domains = toJson((report as unknown as Record<string, unknown>)[STREAMED], STREAMED)
  return Array.isArray(domains) ? domains : []
}

function headChunk(head: ReportHead): string {
  return `{${fieldLines(orderedHead(head)).join('')}\n${INDENT}"${STREAMED}": [`
}

function domainChunk(domain: unknown, index: number): string {
  const item = toJson(domain, String(index))
  const text = (serializable(item) && domainJson(item)) || 'null'
  // Made safe whole, the line break and indent with it (jsonSafe leaves them as they are): the
  // chunk is then one flat string, not copied again to be written.
  return safe(`${index === 0 ? '' : ','}\n${INDENT}${INDENT}${text}`)
}

function endChunk(report: object, domains: number): string {
  const rest = fields(report).filter(([key]) => key !== STREAMED && !isHead(key))
  return `${domains === 0 ? ']' : `\n${INDENT}]`}${fieldLines(rest, true).join('')}\n}\n`
}

const isHead = (key: string): boolean => (HEAD_FIELDS as readonly string[]).includes(key)

function orderedHead(head: ReportHead): [string, unknown][] {
  const all = head as Record<string, unknown>
  const known = HEAD_FIELDS.map((k): [string, unknown] => [k, toJson(all[k], k)]).filter(([, v]) =>
    serializable(v)
  )
  return [...known, ...fields(head).filter(([key]) => key !== STREAMED && !isHead(key))]
}

/** JSON.stringify's own order and rules: own enumerable keys, toJSON, undefined left out. */
function fields(value: object): [string, unknown][] {
  return Object.entries(value)
    .map(([key, v]): [string, unknown] => [key, toJson(v, key)])
    .filter(([, v]) => serializable(v))
}

/** `"key": value` lines, each after a newline, a comma before each (`leading`) or after it. */
function fieldLines(entries: [string, unknown][], leading = false): string[] {
  return entries.map(
    ([key, value]) =>
      `${leading ? ',' : ''}\n${INDENT}${jsonSafe(JSON.stringify(key))}: ${line(value)}${leading ? '' : ','}`
  )
}

/** Indentation of the report's lines, one level. */
const INDENT = '  '

/** What JSON.stringify would serialise in place of `value` (its toJSON, when it has one). */
function toJson(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJSON = (value as { toJSON: unknown }).toJSON
    if (typeof toJSON === 'function') return (toJSON as (key: string) => unknown).call(value, key)
  }
  return value
}

/** JSON.stringify leaves out fields whose value is undefined, a function or a symbol. */
function serializable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol'
}

/** One value on one line: JSON.stringify's compact text, made safe to show. */
function line(value: unknown): string {
  return safe(JSON.stringify(value) ?? 'null')
}

/** JSON text made safe to show. */
function safe(json: string): string {
  return plainAscii(json) ? json : jsonSafe(json)
}

/**
 * True when `json` is all ASCII below DEL: every character jsonSafe rewrites is DEL or above
 * (JSON.stringify has escaped the controls below a space), so a report of ASCII names and
 * records, nearly every line, skips its pass. A string's UTF-8 length equals its length only
 * when every code unit is below 0x80; DEL, the one such character jsonSafe rewrites, is looked
 * for apart. Both are native scans, some times cheaper than a regular expression over a
 * fleet's 40 MB of lines (issue 12).
 */
export function plainAscii(json: string): boolean {
  return Buffer.byteLength(json, 'utf8') === json.length && !json.includes('\u007f')
}

/** A write function over a Writable that waits for 'drain' when the stream asks it to. */
export function writableWriter(
  stream: WritableLike
): (chunk: string | Uint8Array) => Promise<void> | void {
  return (chunk) => {
    if (stream.write(chunk)) return
    if (stream.destroyed) {
      throw stream.errored ?? new Error('the stream closed before the report was written')
    }
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => {
        stream.off('drain', onDrain)
        stream.off('error', onError)
        stream.off('close', onClose)
        if (error) reject(error)
        else resolve()
      }
      const onDrain = (): void => done()
      const onError = (error: Error): void => done(error)
      const onClose = (): void => done(new Error('the stream closed before the report was written'))
      stream.once('drain', onDrain)
      stream.once('error', onError)
      stream.once('close', onClose)
    })
  }
}
