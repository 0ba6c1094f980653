/**
 * Splits a TCP stream of DNS messages, each behind its two-byte length (RFC 1035 section
 * 4.2.2), back into messages, whatever pieces the stream arrives in.
 */

/** Takes the stream's chunks in order; see {@link createFrameReader}. */
export interface FrameReader {
  /** Hands every message the chunk completes to the callback, in order. */
  push(chunk: Buffer): void
  /** Forgets a message begun and not finished (the connection it came on is gone). */
  reset(): void
}

/**
 * Creates a reader that calls `onMessage` with each message, without its length. A message
 * that arrives whole is a view of its chunk; only one split across chunks is copied, and only
 * its own octets: joining the whole next chunk to it copied every answer of a busy connection.
 */
export function createFrameReader(onMessage: (message: Buffer) => void): FrameReader {
  /** The start of a message split across chunks: its octets so far, length included. */
  let partial: Buffer | undefined

  return {
    push(chunk: Buffer): void {
      let at = 0
      while (partial !== undefined && at < chunk.length) {
        // First its length, then the rest of it: only what it still lacks is copied.
        const wanted = partial.length < 2 ? 2 : 2 + partial.readUInt16BE(0)
        const take = Math.min(wanted - partial.length, chunk.length - at)
        partial = Buffer.concat([partial, chunk.subarray(at, at + take)])
        at += take
        if (partial.length === wanted && wanted > 2) {
          const message = partial.subarray(2)
          partial = undefined
          onMessage(message)
        } else if (partial.length === 2 && partial.readUInt16BE(0) === 0) {
          // A zero-length message: nothing to read, as the whole-chunk reading did.
          partial = undefined
          onMessage(Buffer.alloc(0))
        }
      }
      while (chunk.length - at >= 2) {
        const length = chunk.readUInt16BE(at)
        if (chunk.length - at < 2 + length) break
        onMessage(chunk.subarray(at + 2, at + 2 + length))
        at += 2 + length
      }
      // A message begun at the end of the chunk is copied out, so the chunk can go.
      if (at < chunk.length) partial = Buffer.from(chunk.subarray(at))
    },
    reset(): void {
      partial = undefined
    }
  }
}
