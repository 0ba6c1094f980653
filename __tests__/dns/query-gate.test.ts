import { describe, expect, it } from '@jest/globals'
import { createQueryGate, SETTLED_KEPT, type Flight } from '../../src/dns/query-gate.js'

/** A gate whose transport answers every question at once with its own name, counting starts. */
function answeringGate(maxInFlight = 4): {
  gate: ReturnType<typeof createQueryGate>
  asked: string[]
} {
  const asked: string[] = []
  const gate = createQueryGate({
    prefix: 'test (127.0.0.1:53)',
    maxInFlight,
    start(flight: Flight) {
      asked.push(flight.what)
      flight.settle({
        ok: true,
        response: {
          rcode: 'NOERROR',
          flags: { aa: true, tc: false, rd: false, ra: false },
          answers: [{ name: flight.name, type: flight.type, ttl: 1, data: flight.what }],
          authority: []
        }
      })
    },
    release: async () => {}
  })
  return { gate, asked }
}

describe('the query gate', () => {
  it('asks a question once, whatever case and trailing dot it comes in', async () => {
    const { gate, asked } = answeringGate()
    const first = await gate.query({ name: 'Example.COM.', type: 'txt' })
    const again = await gate.query({ name: 'example.com', type: 'TXT' })
    const byNumber = await gate.query({ name: 'example.com', type: 'TYPE16' })
    expect(asked).toEqual(['example.com TXT'])
    expect(again).toBe(first)
    expect(byNumber).toBe(first)
    await gate.close()
  })

  it('keeps apart questions whose type and name would run together', async () => {
    const { gate, asked } = answeringGate()
    // Once keyed as one `type name` string, both were `A 1 c`.
    await gate.query({ name: '1 c', type: 'A' })
    await gate.query({ name: 'c', type: 'A 1' })
    expect(asked).toEqual(['1 c A', 'c A 1'])
    await gate.close()
  })

  it(`keeps the last ${SETTLED_KEPT} settled outcomes and asks an older question again`, async () => {
    const { gate, asked } = answeringGate()
    for (let i = 0; i <= SETTLED_KEPT; i++) await gate.query({ name: `n${i}.test`, type: 'A' })
    expect(asked).toHaveLength(SETTLED_KEPT + 1)
    // The newest are still kept; the oldest was dropped and is asked again.
    await gate.query({ name: `n${SETTLED_KEPT}.test`, type: 'A' })
    await gate.query({ name: 'n1.test', type: 'A' })
    expect(asked).toHaveLength(SETTLED_KEPT + 1)
    await gate.query({ name: 'n0.test', type: 'A' })
    expect(asked).toHaveLength(SETTLED_KEPT + 2)
    expect(asked.at(-1)).toBe('n0.test A')
    await gate.close()
  })

  it('releases what the transport held once, when the question settles', async () => {
    let released = 0
    let held: Flight | undefined
    const gate = createQueryGate({
      prefix: 'test (127.0.0.1:53)',
      maxInFlight: 1,
      start(flight) {
        held = flight
        flight.onSettle(() => released++)
      },
      release: async () => {}
    })
    const outcome = gate.query({ name: 'a.test', type: 'A' })
    expect(released).toBe(0)
    held!.settle({ ok: false, error: 'first' })
    held!.settle({ ok: false, error: 'second' })
    expect(await outcome).toEqual({ ok: false, error: 'first' })
    expect(released).toBe(1)
    // Registered after settling: run at once.
    held!.onSettle(() => released++)
    expect(released).toBe(2)
    await gate.close()
  })

  it('hands what start returned to settled once, whoever settles the question', async () => {
    const released: string[] = []
    const held: Flight[] = []
    const gate = createQueryGate({
      prefix: 'test (127.0.0.1:53)',
      maxInFlight: 8,
      start(flight) {
        held.push(flight)
        // Settled before start returns: its state is released as soon as it does.
        if (flight.name === 'now.test') flight.settle({ ok: false, error: 'at once' })
        return `state of ${flight.name}`
      },
      settled: (state) => released.push(state),
      release: async () => {}
    })
    const now = gate.query({ name: 'now.test', type: 'A' })
    expect(released).toEqual(['state of now.test'])
    expect(await now).toEqual({ ok: false, error: 'at once' })
    const answered = gate.query({ name: 'a.test', type: 'A' })
    const open = gate.query({ name: 'b.test', type: 'A' })
    held[1]!.settle({ ok: false, error: 'first' })
    held[1]!.settle({ ok: false, error: 'second' })
    expect(await answered).toEqual({ ok: false, error: 'first' })
    expect(released).toEqual(['state of now.test', 'state of a.test'])
    await gate.close()
    expect(await open).toEqual({
      ok: false,
      error: 'test (127.0.0.1:53): closed before b.test A was answered'
    })
    expect(released).toEqual(['state of now.test', 'state of a.test', 'state of b.test'])
  })
})
