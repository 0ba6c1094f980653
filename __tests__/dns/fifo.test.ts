import { describe, expect, it } from '@jest/globals'
import { Fifo } from '../../src/dns/fifo.js'

describe('Fifo', () => {
  it('gives items back in order across compactions, and drains the rest', () => {
    const q = new Fifo<number>()
    expect(q.shift()).toBeUndefined()
    for (let i = 0; i < 5000; i++) q.push(i)
    const out: number[] = []
    for (let i = 0; i < 3000; i++) out.push(q.shift() as number)
    for (let i = 5000; i < 6000; i++) q.push(i)
    expect(q.length).toBe(3000)
    while (q.length > 10) out.push(q.shift() as number)
    const rest = q.drain()
    expect([...out, ...rest]).toEqual(Array.from({ length: 6000 }, (_, i) => i))
    expect(q.length).toBe(0)
    expect(q.shift()).toBeUndefined()
  })

  it('shifts 200,000 items in linear time', () => {
    const q = new Fifo<number>()
    const started = Date.now()
    for (let i = 0; i < 200_000; i++) q.push(i)
    let sum = 0
    for (let i = 0; i < 200_000; i++) sum += q.shift() as number
    expect(sum).toBe((200_000 * 199_999) / 2)
    // Array.shift would move 20 billion elements here; the bound is loose for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5000)
  })
})
