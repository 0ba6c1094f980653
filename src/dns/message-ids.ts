import { randomBytes } from 'node:crypto'

/**
 * Random DNS message ids for one resolver, none of them in use: drawn from a buffer of random
 * bytes refilled now and then, so a busy resolver does not ask the OS for each id.
 */
export function createIdSource(inUse: (id: number) => boolean): () => number {
  let ids = Buffer.alloc(0)
  let at = 0
  return () => {
    for (;;) {
      if (at >= ids.length) {
        ids = randomBytes(4096)
        at = 0
      }
      const id = ids.readUInt16BE(at)
      at += 2
      if (!inUse(id)) return id
    }
  }
}
