/**
 * A server that answers its first questions and then drops everything, as response-rate
 * limiting does: the resolver gives up on it after a run of unanswered questions, so a check
 * of hundreds of names takes a few timeouts rather than one per name.
 */
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it } from '@jest/globals'
import { createWireResolver, type WireResolver } from '../../src/dns/wire-client.js'
import { GIVE_UP_AFTER } from '../../src/dns/query-gate.js'

/** A UDP peer on 127.0.0.1 that answers its first `answered` distinct questions, then nothing. */
async function startHalfAnswering(answered: number) {
  const socket = dgram.createSocket('udp4')
  const seen = new Set<string>()
  const peer = {
    port: 0,
    received: 0,
    close: () => new Promise<void>((r) => socket.close(() => r()))
  }
  socket.on('message', (msg, rinfo) => {
    peer.received++
    const query = dnsPacket.decode(msg)
    const name = query.questions?.[0]?.name ?? ''
    if (!seen.has(name) && seen.size >= answered) return
    seen.add(name)
    const answer = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: query.questions,
      answers: [{ name, type: 'A', ttl: 60, data: '192.0.2.7' }]
    })
    socket.send(answer, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  peer.port = socket.address().port
  return peer
}

describe('a server that answers five questions and then goes quiet', () => {
  let resolver: WireResolver | undefined
  let peer: Awaited<ReturnType<typeof startHalfAnswering>> | undefined

  afterEach(async () => {
    await resolver?.close()
    await peer?.close()
  })

  it('is given up on after a run of unanswered questions, the rest failing at once', async () => {
    peer = await startHalfAnswering(5)
    resolver = createWireResolver({
      name: 'limited',
      kind: 'recursive',
      host: '127.0.0.1',
      port: peer.port,
      recursionDesired: true,
      timeoutMs: 200,
      tries: 2,
      maxInFlight: 16
    })
    const r = resolver
    // Five answered first, so the server is known to be alive when it goes quiet.
    for (let i = 0; i < 5; i++) {
      const outcome = await r.query({ name: `d${i}.example.test`, type: 'A' })
      expect(outcome.ok).toBe(true)
    }
    const started = Date.now()
    const outcomes = await Promise.all(
      Array.from({ length: 400 }, (_, i) => r.query({ name: `q${i}.example.test`, type: 'A' }))
    )
    const seconds = (Date.now() - started) / 1000
    expect(outcomes.every((o) => !o.ok)).toBe(true)
    const errors = outcomes.map((o) => (o.ok ? '' : o.error))
    const gaveUp = `limited (127.0.0.1:${peer.port}): gave up on the server after ${GIVE_UP_AFTER} unanswered questions in a row (2 tries of 200 ms each); it answered before, then stopped (rate limiting?)`
    // One message for every question after the give-up, whatever its name: said once.
    expect(new Set(errors.filter((e) => e.includes('gave up')))).toEqual(new Set([gaveUp]))
    expect(errors.filter((e) => e === gaveUp).length).toBeGreaterThan(400 - 16)
    // Only the questions in flight when it went quiet, and the few that took the slots of
    // the first to fail, were sent (twice each): not the 400.
    const bound = 5 + (16 + GIVE_UP_AFTER) * 2
    expect(r.stats().sent).toBeLessThanOrEqual(bound)
    // Asking all 400 would take 25 rounds of 400 ms; giving up takes one or two.
    expect(seconds).toBeLessThan(15)
    // Later questions are not sent either.
    const later = await r.query({ name: 'later.example.test', type: 'A' })
    expect(later).toEqual({ ok: false, error: gaveUp })
    expect(r.stats().sent).toBeLessThanOrEqual(bound)
  })

  it('keeps a server that loses some answers but answers in between', async () => {
    // Every third question unanswered: never GIVE_UP_AFTER in a row, so nothing is given up.
    const socket = dgram.createSocket('udp4')
    let count = 0
    socket.on('message', (msg, rinfo) => {
      const query = dnsPacket.decode(msg)
      if (query.questions?.[0]?.name.startsWith('lost')) return
      count++
      socket.send(
        dnsPacket.encode({
          type: 'response',
          id: query.id,
          questions: query.questions,
          answers: []
        }),
        rinfo.port,
        rinfo.address
      )
    })
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
    peer = {
      port: socket.address().port,
      received: 0,
      close: () => new Promise((r) => socket.close(() => r()))
    }
    resolver = createWireResolver({
      name: 'lossy',
      kind: 'recursive',
      host: '127.0.0.1',
      port: peer.port,
      recursionDesired: true,
      timeoutMs: 100,
      tries: 1,
      maxInFlight: 1
    })
    const r = resolver
    await r.query({ name: 'first.example.test', type: 'A' })
    const outcomes = []
    for (let i = 0; i < 30; i++) {
      const name = i % 3 === 0 ? `lost${i}.example.test` : `ok${i}.example.test`
      outcomes.push(await r.query({ name, type: 'A' }))
    }
    expect(outcomes.filter((o) => o.ok).length).toBe(20)
    expect(outcomes.some((o) => !o.ok && o.error.includes('gave up'))).toBe(false)
    expect(count).toBe(21)
  })
})
