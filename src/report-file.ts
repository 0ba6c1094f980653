// The JSON report file, written as the check runs (the CLI's --output, the action's report).
import { createWriteStream, type WriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { UsageError } from './errors.js'
import { writableWriter } from './report/json-stream.js'

/** A report file being written: its sink, and the two ways it ends. */
export interface ReportFile {
  sink: (chunk: string) => Promise<void>
  /** Writes what is left and puts the whole report at its path. */
  close: () => Promise<void>
  /** The run failed: nothing is left at the path, not even a report cut short. */
  abort: () => Promise<void>
}

/**
 * The report file as a sink. It is written beside its path (`PATH.partial`) and renamed into
 * place by `close()`, so the path holds a whole report or none: a run that fails part-way never
 * leaves a report cut short where a later step (an artifact upload, a merge) would read it. An
 * error writing it is the usual `cannot write` usage error, naming the path.
 */
export function fileSink(path: string): ReportFile {
  const partial = `${path}.partial`
  let stream: WriteStream | undefined
  let write: ((chunk: Uint8Array) => void | Promise<void>) | undefined
  // A domain's line is a few kB: each is encoded into a batch's buffer as it comes and the
  // buffer written whole, not one system call a domain, nor a batch-long string built, copied
  // flat and encoded again (42 MB more of garbage at 10,000 domains).
  let batch = Buffer.allocUnsafe(BATCH_BYTES)
  let used = 0
  const cannot = (error: NodeJS.ErrnoException): never => {
    throw new UsageError(`cannot write the report to ${path}: ${error.code ?? error.message}`)
  }
  const flush = async (): Promise<void> => {
    if (!stream) {
      stream = createWriteStream(partial)
      // Errors are read from the writes (and the close); this keeps one from being unhandled.
      stream.on('error', () => {})
      write = writableWriter(stream)
    }
    // The stream keeps the buffer until it is written: the next batch gets a new one.
    const bytes = batch.subarray(0, used)
    batch = Buffer.allocUnsafe(BATCH_BYTES)
    used = 0
    await Promise.resolve()
      .then(() => write!(bytes))
      .catch(cannot)
  }
  return {
    sink: async (chunk) => {
      // UTF-8 takes at most 3 bytes for each UTF-16 code unit: what may not fit goes after a
      // flush, and a chunk longer than a batch is written on its own.
      if (chunk.length * 3 > BATCH_BYTES - used) {
        if (used > 0) await flush()
        if (chunk.length * 3 > BATCH_BYTES) {
          batch = Buffer.from(chunk)
          used = batch.length
          return flush()
        }
      }
      used += batch.write(chunk, used)
    },
    close: async () => {
      if (used > 0 || !stream) await flush()
      await new Promise<void>((done, fail) =>
        stream!.end((e?: Error | null) => (e ? fail(e) : done()))
      ).catch(cannot)
      await rename(partial, path).catch(cannot)
    },
    abort: async () => {
      used = 0
      const s = stream
      if (!s) return
      await new Promise<void>((done) => {
        if (s.closed) return done()
        s.once('close', () => done())
        s.destroy()
      })
      await rm(partial, { force: true })
    }
  }
}

/** Bytes of the report gathered before a write: a 10,000-domain report (42 MB) in 43 writes. */
const BATCH_BYTES = 1024 * 1024
