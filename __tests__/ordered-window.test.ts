import fc from 'fast-check'
import { eachInOrder } from '../src/ordered-window.js'

/** Resolves after `turns` turns of the event loop: a slow or fast item, without wall time. */
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('eachInOrder', () => {
  it('emits every result once, in the items’ order, whatever order they finish in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          const emitted: number[] = []
          let running = 0
          let most = 0
          let waiting = 0
          await eachInOrder(
            delays.map((d, i) => ({ d, i })),
            limit,
            async ({ d, i }) => {
              running++
              most = Math.max(most, running)
              await turns(d)
              running--
              waiting++
              return i
            },
            async (i) => {
              waiting--
              await turns(1)
              emitted.push(i)
            }
          )
          expect(emitted).toEqual(delays.map((_, i) => i))
          expect(most).toBeLessThanOrEqual(limit)
          expect(waiting).toBe(0)
        }
      ),
      { numRuns: 100 }
    )
  })

  it('holds at most twice the limit done and not yet emitted behind one slow item', async () => {
    let started = 0
    let emittedCount = 0
    let mostAhead = 0
    await eachInOrder(
      Array.from({ length: 200 }, (_, i) => i),
      4,
      async (i) => {
        started++
        mostAhead = Math.max(mostAhead, started - emittedCount)
        await turns(i === 0 ? 400 : 1)
        return i
      },
      () => {
        emittedCount++
      }
    )
    expect(emittedCount).toBe(200)
    // Item 0 is slow: the others may run ahead of it only within the window.
    expect(mostAhead).toBeLessThanOrEqual(8)
  })

  it('rejects with the first error of a task or of emit, and starts nothing after it', async () => {
    let started = 0
    await expect(
      eachInOrder(
        Array.from({ length: 100 }, (_, i) => i),
        3,
        async (i) => {
          started++
          await turns(1)
          if (i === 10) throw new Error('task 10 failed')
          return i
        },
        () => {}
      )
    ).rejects.toThrow('task 10 failed')
    expect(started).toBeLessThan(20)
    await expect(
      eachInOrder(
        [1, 2, 3, 4, 5, 6],
        2,
        async (i) => i,
        (i) => {
          if (i === 3) throw new Error('disk full')
        }
      )
    ).rejects.toThrow('disk full')
  })
})
