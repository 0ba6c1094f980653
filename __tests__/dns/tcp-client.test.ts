/**
 * The pipelined TCP client against a real Knot DNS on loopback (the same answers as the UDP
 * client, many questions on one connection), and against a small TCP peer that answers out of
 * order, in pieces, and closes the connection with questions still unanswered.
 */
import net from 'node:net'
import dnsPacket from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createTcpResolver } from '../../src/dns/tcp-client.js'
import { createWireResolver } from '../../src/dns/wire-client.js'
import { buildResolvers, closeFleet } from '../../src/dns/resolvers.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const NAMES = Array.from({ length: 300 }, (_, i) => `h${i}`)

const zone = `$ORIGIN example.test.
$TTL 300
@ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
${NAMES.map((n, i) => `${n} IN TXT "value ${i}"`).join('\n')}
alias IN CNAME h1
`

describe('pipelined TCP client against Knot', () => {
  let knot: KnotServer
  beforeAll(async () => {
    knot = await startKnot({ zones: { 'example.test': zone } })
  })
  afterAll(async () => {
    await knot?.stop()
  })

  it('answers 300 questions asked at once on one connection as the UDP client does', async () => {
    const options = {
      name: 'knot',
      kind: 'authoritative' as const,
      host: knot.host,
      port: knot.port,
      recursionDesired: false,
      timeoutMs: 2000
    }
    const tcp = createTcpResolver(options)
    const udp = createWireResolver(options)
    try {
      const questions = [
        ...NAMES.map((n) => ({ name: `${n}.example.test`, type: 'TXT' })),
        { name: 'alias.example.test', type: 'CNAME' },
        { name: 'missing.example.test', type: 'TXT' }
      ]
      const [overTcp, overUdp] = await Promise.all([
        Promise.all(questions.map((q) => tcp.query(q))),
        Promise.all(questions.map((q) => udp.query(q)))
      ])
      expect(overTcp.every((o) => o.ok)).toBe(true)
      expect(overTcp).toEqual(overUdp)
      const first = overTcp[0]!
      expect(first.ok && first.response.answers.map((r) => r.data)).toEqual(['value 0'])
      const missing = overTcp[overTcp.length - 1]!
      expect(missing.ok && missing.response.rcode).toBe('NXDOMAIN')
      expect(tcp.stats().sent).toBe(questions.length)
      expect(tcp.stats().received).toBe(questions.length)
    } finally {
      await Promise.all([tcp.close(), udp.close()])
    }
  })

  it('is chosen by tcp:// in --resolver and --authoritative', async () => {
    const fleet = await buildResolvers({
      cli: [`k=tcp://${knot.host}:${knot.port}`],
      config: undefined,
      authoritative: [`tcp://${knot.host}:${knot.port}`]
    })
    try {
      expect(fleet.resolvers.map((r) => [r.name, r.address])).toEqual([
        ['k', `tcp://${knot.host}:${knot.port}`],
        ['authoritative', `tcp://${knot.host}:${knot.port}`]
      ])
      const outcome = await fleet.resolvers[0]!.query({ name: 'h7.example.test', type: 'TXT' })
      expect(outcome.ok && outcome.response.answers[0]?.data).toBe('value 7')
    } finally {
      await closeFleet(fleet)
    }
  })
})

describe('pipelined TCP client timeouts and retries', () => {
  const ask = (port: number, tries: number) =>
    createTcpResolver({
      name: 'peer',
      kind: 'recursive',
      host: '127.0.0.1',
      port,
      recursionDesired: true,
      timeoutMs: 150,
      tries
    })

  it('times out each try after its own timeoutMs, asked at different times', async () => {
    // The peer ignores the first try of every question and answers the second: each question
    // is answered only once its own first try timed out, however the tries interleave.
    const seen = new Set<number>()
    const peer = await startScriptedPeer((query) => {
      const id = query.readUInt16BE(0)
      if (seen.has(id)) return answer(query)
      seen.add(id)
      return undefined
    })
    const resolver = ask(peer.port, 2)
    try {
      const one = async (i: number): Promise<number> => {
        await new Promise((resolve) => setTimeout(resolve, i * 30))
        const asked = performance.now()
        const outcome = await resolver.query({ name: `q${i}.test`, type: 'TXT' })
        expect(outcome.ok).toBe(true)
        return performance.now() - asked
      }
      const waited = await Promise.all([0, 1, 2, 3, 4].map(one))
      // Never before the first try's 150 ms; no upper bound, which a loaded machine would break.
      for (const ms of waited) expect(ms).toBeGreaterThanOrEqual(149)
      expect(peer.queries()).toHaveLength(10)
      expect(resolver.stats().sent).toBe(10)
      expect(peer.connections()).toBe(1)
    } finally {
      await resolver.close()
      await peer.close()
    }
  })

  it('fails a question after its tries, each timeoutMs after the one before', async () => {
    const peer = await startScriptedPeer(() => undefined)
    const resolver = ask(peer.port, 3)
    try {
      const asked = Date.now()
      const outcome = await resolver.query({ name: 'a.test', type: 'TXT' })
      // Three full timeouts, measured where they run: a loaded machine only makes it longer.
      expect(Date.now() - asked).toBeGreaterThanOrEqual(3 * 150 - 5)
      expect(outcome).toEqual({
        ok: false,
        error: `peer (tcp://127.0.0.1:${peer.port}): no answer for a.test TXT after 3 tries of 150 ms`
      })
      const arrivals = peer.queries()
      expect(arrivals).toHaveLength(3)
      // The same query (same id) each time, each try asked well after the one before. Seen from
      // the peer, the first arrives after the connection is made, so a gap may look shorter
      // than the timeout by whatever that took on a loaded machine.
      expect(new Set(arrivals.map((q) => q.id)).size).toBe(1)
      for (let i = 1; i < arrivals.length; i++) {
        expect(arrivals[i]!.at - arrivals[i - 1]!.at).toBeGreaterThanOrEqual(100)
      }
      expect(resolver.stats().sent).toBe(3)
    } finally {
      await resolver.close()
      await peer.close()
    }
  })

  it('gives a try written again after a close its own full timeout', async () => {
    // The first connection closes 60 ms after its query; the second never answers. The try
    // written on the second connection must wait its 150 ms, not what the first try had left.
    const peer = await startScriptedPeer((_query, connection) =>
      connection === 1 ? 60 : undefined
    )
    const resolver = ask(peer.port, 3)
    try {
      const asked = Date.now()
      const outcome = await resolver.query({ name: 'a.test', type: 'TXT' })
      // 60 ms, then two full timeouts (360 ms); with the 90 ms the first try had left it would
      // be 300 ms. Measured where the timers run: a loaded machine only makes it longer.
      expect(Date.now() - asked).toBeGreaterThanOrEqual(60 + 2 * 150 - 5)
      expect(!outcome.ok && outcome.error).toBe(
        `peer (tcp://127.0.0.1:${peer.port}): no answer for a.test TXT after 3 tries of 150 ms`
      )
      const arrivals = peer.queries()
      expect(arrivals.map((q) => q.connection)).toEqual([1, 2, 2])
      expect(arrivals[2]!.at - arrivals[1]!.at).toBeGreaterThanOrEqual(100)
      expect(resolver.stats().sent).toBe(3)
    } finally {
      await resolver.close()
      await peer.close()
    }
  })

  it('fails a question whose last try the connection closed on, saying so', async () => {
    const peer = await startScriptedPeer(() => 0)
    const resolver = ask(peer.port, 2)
    try {
      const outcome = await resolver.query({ name: 'a.test', type: 'TXT' })
      expect(outcome).toEqual({
        ok: false,
        error: `peer (tcp://127.0.0.1:${peer.port}): no answer for a.test TXT (the connection closed, 2 tries)`
      })
      expect(peer.connections()).toBe(2)
      expect(resolver.stats().sent).toBe(2)
    } finally {
      await resolver.close()
      await peer.close()
    }
  })

  it('answers the questions left after one timed out, and holds no timer once idle', async () => {
    // The first question is never answered; the rest are. The last outcome settling must leave
    // nothing armed: the test would not end (jest reports an open handle) if it did.
    const peer = await startScriptedPeer((query) =>
      dnsPacket.decode(query).questions?.[0]?.name === 'silent.test' ? undefined : answer(query)
    )
    const resolver = ask(peer.port, 1)
    try {
      const silent = resolver.query({ name: 'silent.test', type: 'TXT' })
      const names = ['a.test', 'b.test', 'c.test']
      const outcomes = await Promise.all(names.map((name) => resolver.query({ name, type: 'TXT' })))
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect((await silent).ok).toBe(false)
      const later = await resolver.query({ name: 'd.test', type: 'TXT' })
      expect(later.ok).toBe(true)
    } finally {
      await resolver.close()
      await peer.close()
    }
  })
})

/** A framed answer to a query: one TXT record for the name asked. */
function answer(query: Buffer): Buffer {
  const q = dnsPacket.decode(query)
  const message = dnsPacket.encode({
    id: q.id,
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: q.questions,
    answers: [{ name: q.questions![0]!.name, type: 'TXT', data: `for ${q.id}` }]
  })
  return Buffer.concat([Buffer.from([message.length >> 8, message.length & 255]), message])
}

/**
 * A TCP peer that hands each query to `reply`, with the number of the connection it came on:
 * a framed answer to write, `undefined` for silence, or a number of milliseconds after which
 * the connection is closed. Records when each query arrived.
 */
async function startScriptedPeer(
  reply: (query: Buffer, connection: number) => Buffer | number | undefined
): Promise<{
  port: number
  connections: () => number
  queries: () => { id: number; connection: number; at: number }[]
  close: () => Promise<void>
}> {
  let connections = 0
  const queries: { id: number; connection: number; at: number }[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    const mine = ++connections
    sockets.add(socket)
    let buf = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const query = buf.subarray(2, 2 + buf.readUInt16BE(0))
        buf = buf.subarray(2 + query.length)
        queries.push({ id: query.readUInt16BE(0), connection: mine, at: performance.now() })
        const what = reply(query, mine)
        if (typeof what === 'number') setTimeout(() => socket.destroy(), what)
        else if (what !== undefined) socket.write(what)
      }
    })
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    queries: () => queries,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** A TCP peer that holds queries, then answers them in reverse, each split into two writes. */
async function startPeer(behaviour: { closeFirstAfter?: number }): Promise<{
  port: number
  connections: () => number
  close: () => Promise<void>
}> {
  let connections = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    const mine = connections
    let buf = Buffer.alloc(0)
    const held: Buffer[] = []
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        held.push(buf.subarray(2, 2 + buf.readUInt16BE(0)))
        buf = buf.subarray(2 + buf.readUInt16BE(0))
      }
      if (mine === 1 && behaviour.closeFirstAfter !== undefined) {
        if (held.length >= behaviour.closeFirstAfter) socket.destroy()
        return
      }
      if (held.length < 3) return
      for (const query of held.splice(0).reverse()) {
        const q = dnsPacket.decode(query)
        const answer = dnsPacket.encode({
          id: q.id,
          type: 'response',
          flags: dnsPacket.AUTHORITATIVE_ANSWER,
          questions: q.questions,
          answers: [{ name: q.questions![0]!.name, type: 'TXT', data: `for ${q.id}` }]
        })
        const framed = Buffer.concat([
          Buffer.from([answer.length >> 8, answer.length & 255]),
          answer
        ])
        socket.write(framed.subarray(0, 5))
        socket.write(framed.subarray(5))
      }
    })
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

describe('pipelined TCP client against a peer', () => {
  const ask = (port: number) =>
    createTcpResolver({
      name: 'peer',
      kind: 'recursive',
      host: '127.0.0.1',
      port,
      recursionDesired: true,
      timeoutMs: 3000
    })

  it('matches answers that come back in reverse order and in pieces by id', async () => {
    const peer = await startPeer({})
    const resolver = ask(peer.port)
    try {
      const names = ['a.test', 'b.test', 'c.test']
      const outcomes = await Promise.all(names.map((name) => resolver.query({ name, type: 'TXT' })))
      expect(outcomes.map((o) => o.ok && o.response.answers[0]?.name)).toEqual(names)
      expect(peer.connections()).toBe(1)
    } finally {
      await resolver.close()
      await peer.close()
    }
  })

  it('asks again on a new connection the questions a closed connection left unanswered', async () => {
    const peer = await startPeer({ closeFirstAfter: 3 })
    const resolver = ask(peer.port)
    try {
      const names = ['a.test', 'b.test', 'c.test']
      const outcomes = await Promise.all(names.map((name) => resolver.query({ name, type: 'TXT' })))
      expect(outcomes.map((o) => o.ok && o.response.answers[0]?.name)).toEqual(names)
      expect(peer.connections()).toBe(2)
      expect(resolver.stats().sent).toBe(6)
    } finally {
      await resolver.close()
      await peer.close()
    }
  })

  it('fails every question, once its tries are spent, when nothing listens', async () => {
    const peer = await startPeer({})
    const port = peer.port
    await peer.close()
    const resolver = ask(port)
    try {
      const outcome = await resolver.query({ name: 'a.test', type: 'TXT' })
      expect(outcome.ok).toBe(false)
      expect(!outcome.ok && outcome.error).toMatch(/^peer \(tcp:\/\/127\.0\.0\.1:\d+\): no answer/)
    } finally {
      await resolver.close()
    }
  })
})
