/** Reads a body of at most `limit` bytes; undefined (and the body destroyed) if it is longer. */
export async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  limit: number
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of body) {
    length += chunk.length
    if (length > limit) {
      body.destroy()
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, length)
}
