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
