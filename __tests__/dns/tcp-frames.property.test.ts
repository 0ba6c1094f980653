import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { createFrameReader } from '../../src/dns/tcp-frames.js'

/** The reading the frame reader replaced: the waiting octets joined to each whole chunk. */
function referenceRead(chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = []
  let received: Buffer | undefined
  for (const chunk of chunks) {
    let buf = received ? Buffer.concat([received, chunk]) : chunk
    let at = 0
    while (buf.length - at >= 2) {
      const length = buf.readUInt16BE(at)
      if (buf.length - at < 2 + length) break
      out.push(buf.subarray(at + 2, at + 2 + length))
      at += 2 + length
    }
    buf = buf.subarray(at)
    received = buf.length > 0 ? Buffer.from(buf) : undefined
  }
  return out
}

/** Messages (empty ones too), framed, then cut into chunks at the given points. */
const stream = fc
  .tuple(
    fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 12 }),
    fc.array(fc.nat(), { maxLength: 20 }),
    // A trailing piece of a message that never finishes: one octet of a length, or a length
    // and fewer octets than it says (two zero octets alone would be a whole empty message).
    fc.oneof(
      fc.uint8Array({ maxLength: 1 }),
      fc
        .integer({ min: 1, max: 600 })
        .chain((length) =>
          fc
            .uint8Array({ maxLength: length - 1 })
            .map((part) => Uint8Array.from([length >> 8, length & 255, ...part]))
        )
    )
  )
  .map(([messages, cuts, tail]) => {
    const framed = Buffer.concat([
      ...messages.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m])),
      tail
    ])
    const points = [...new Set(cuts.map((c) => c % (framed.length + 1)))].sort((a, b) => a - b)
    const chunks: Buffer[] = []
    let from = 0
    for (const point of [...points, framed.length]) {
      chunks.push(framed.subarray(from, point))
      from = point
    }
    return { messages: messages.map((m) => Buffer.from(m)), chunks }
  })

describe('the TCP frame reader', () => {
  it('gives every message whole and in order, however the stream is cut', () => {
    fc.assert(
      fc.property(stream, ({ messages, chunks }) => {
        const got: Buffer[] = []
        const reader = createFrameReader((m) => got.push(Buffer.from(m)))
        for (const chunk of chunks) reader.push(chunk)
        expect(got).toEqual(messages)
        expect(got).toEqual(referenceRead(chunks).map((m) => Buffer.from(m)))
      }),
      { numRuns: 2000 }
    )
  })

  it('forgets a message begun on a connection that is gone', () => {
    const got: Buffer[] = []
    const reader = createFrameReader((m) => got.push(Buffer.from(m)))
    reader.push(Buffer.from([0, 3, 1]))
    reader.reset()
    reader.push(Buffer.from([0, 2, 7, 8]))
    expect(got).toEqual([Buffer.from([7, 8])])
  })
})
