// The JSON report written domain by domain: at 10,000 domains the pretty-printed report is
// about 80 MB, and building it as one string, then copying it to write it, doubles the run's
// peak memory (issue 12). The bytes are exactly renderJson's.
import { jsonSafe } from '../text/printable.js'
import type { Report } from './report.js'

/**
 * A Node Writable, as far as writing with backpressure needs it (kept structural, so report/
 * imports nothing of Node's): `write` returns false when the buffer is full, and 'drain' says
 * when to go on.
 */
export interface WritableLike {
  write(chunk: string): boolean
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

/** Indentation of JSON.stringify(report, null, 2), one level. */
const INDENT = '  '

/**
 * Writes `JSON.stringify(report, null, 2) + '\n'`, byte for byte, as a series of chunks: the
 * fields before `domains` in one, then one per domain, then the close. The whole text is never
 * held; at most one domain's. Given a Writable, waits for 'drain' whenever `write` returns
 * false, and rejects if the stream errors or closes first. Does not end the stream.
 */
export async function writeJsonReport(report: Report, sink: JsonSink): Promise<void> {
  const write = typeof sink === 'function' ? sink : writableWriter(sink)
  // JSON.stringify's own order and rules: own enumerable keys, toJSON, undefined left out.
  const fields = Object.entries(report as object)
    .map(([key, value]): [string, unknown] => [key, toJson(value, key)])
    .filter(([, value]) => serializable(value))
  if (fields.length === 0) {
    await write('{}\n')
    return
  }
  let head = '{'
  for (const [index, [key, value]] of fields.entries()) {
    const comma = index < fields.length - 1 ? ',' : ''
    const label = `\n${INDENT}${jsonSafe(JSON.stringify(key))}: `
    if (key !== STREAMED || !Array.isArray(value) || value.length === 0) {
      head += `${label}${stringify(value, INDENT)}${comma}`
      continue
    }
    await write(`${head}${label}[`)
    for (const [i, element] of value.entries()) {
      const item = toJson(element, String(i))
      const text = serializable(item) ? stringify(item, INDENT + INDENT) : 'null'
      await write(`${i === 0 ? '' : ','}\n${INDENT}${INDENT}${text}`)
    }
    head = `\n${INDENT}]${comma}`
  }
  await write(`${head}\n}\n`)
}

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

/**
 * JSON.stringify(value, null, 2) as it reads nested `indent` deep. Raw newlines in its output
 * are always structure (inside strings they are escaped), so indenting after each is exact.
 */
function stringify(value: unknown, indent: string): string {
  return jsonSafe(JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${indent}`)
}

/** A write function over a Writable that waits for 'drain' when the stream asks it to. */
function writableWriter(stream: WritableLike): (chunk: string) => Promise<void> | void {
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
