// The JSON report file, written as the check runs (the CLI's --output, the action's report).
import { createWriteStream, type WriteStream } from 'node:fs'
import { UsageError } from './errors.js'
import { writableWriter, type JsonSink } from './report/json-stream.js'

/**
 * The report file as a sink: opened at its first chunk, so a run that fails before its report
 * starts leaves no empty file; an error writing it is the usual `cannot write` usage error.
 */
export function fileSink(path: string): { sink: JsonSink; close: () => Promise<void> } {
  let stream: WriteStream | undefined
  let write: ((chunk: string) => void | Promise<void>) | undefined
  // A domain's line is a few kB: written a batch at a time, not one system call a domain.
  let batch = ''
  const cannot = (error: NodeJS.ErrnoException): never => {
    throw new UsageError(`cannot write the report to ${path}: ${error.code ?? error.message}`)
  }
  const flush = async (): Promise<void> => {
    if (!stream) {
      stream = createWriteStream(path)
      // Errors are read from the writes (and the close); this keeps one from being unhandled.
      stream.on('error', () => {})
      write = writableWriter(stream)
    }
    const text = batch
    batch = ''
    await Promise.resolve()
      .then(() => write!(text))
      .catch(cannot)
  }
  return {
    sink: async (chunk) => {
      batch += chunk
      if (batch.length >= BATCH_CHARS) await flush()
    },
    close: async () => {
      if (batch.length > 0 || !stream) await flush()
      await new Promise<void>((done, fail) =>
        stream!.end((e?: Error | null) => (e ? fail(e) : done()))
      ).catch(cannot)
    }
  }
}

/** Characters of the report gathered before a write. */
const BATCH_CHARS = 64 * 1024
