/**
 * The wire client's edge cases between the datagrams it matches and the ones it drops: damaged
 * datagrams with and without the id of a question in flight, before and after the server first
 * answered, and the TCP retry of a truncated answer when the TCP side answers badly or not at all.
 * Small peers on loopback, a UDP socket and a TCP listener on the same port.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket from 'dns-packet'
import { describe, expect, it } from '@jest/globals'
import { createWireResolver, type WireResolverOptions } from '../../src/dns/wire-client.js'

/** How a peer answers a UDP query: the datagrams to send back, none for silence. */
type UdpAnswer = (query: dnsPacket.DecodedPacket, raw: Buffer) => Buffer[]
/** How a peer answers a TCP connection's first query: what to write, `close` or nothing. */
type TcpAnswer = (query: dnsPacket.DecodedPacket, conn: net.Socket) => void

interface Peer {
  port: number
  udpQueries: number
  tcpQueries: number
  close(): Promise<void>
}

/** A UDP socket and, on the same port, a TCP listener; each query handed to its function. */
async function startPeer(udp: UdpAnswer, tcp: TcpAnswer = (_q, c) => c.destroy()): Promise<Peer> {
  for (;;) {
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
    const port = socket.address().port
    const conns = new Set<net.Socket>()
    const listener = net.createServer((conn) => {
      conns.add(conn)
      conn.on('close', () => conns.delete(conn))
      conn.on('error', () => undefined)
      let got = Buffer.alloc(0)
      conn.on('data', (chunk: Buffer) => {
        got = Buffer.concat([got, chunk])
        if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return
        peer.tcpQueries++
        tcp(dnsPacket.decode(got.subarray(2, 2 + got.readUInt16BE(0))), conn)
      })
    })
    const listening = await new Promise<boolean>((resolve) => {
      listener.once('error', () => resolve(false))
      listener.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (!listening) {
      // The TCP port was taken: try another pair.
      await new Promise<void>((resolve) => socket.close(() => resolve()))
      continue
    }
    const peer: Peer = {
      port,
      udpQueries: 0,
      tcpQueries: 0,
      close: async () => {
        for (const c of conns) c.destroy()
        await new Promise<void>((resolve) => listener.close(() => resolve()))
        await new Promise<void>((resolve) => socket.close(() => resolve()))
      }
    }
    socket.on('message', (msg, rinfo) => {
      peer.udpQueries++
      for (const buf of udp(dnsPacket.decode(msg), msg)) socket.send(buf, rinfo.port, rinfo.address)
    })
    return peer
  }
}

/** A well-formed answer to `query` with one A record, changed by `change`. */
function reply(
  query: dnsPacket.DecodedPacket,
  change: Partial<dnsPacket.Packet> = {},
  address = '192.0.2.7'
): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: query.questions,
    answers: [{ name: query.questions?.[0]?.name ?? '.', type: 'A', ttl: 60, data: address }],
    ...change
  })
}

/** `reply` with the TC bit and no answers. */
const truncated = (query: dnsPacket.DecodedPacket): Buffer =>
  reply(query, { flags: dnsPacket.TRUNCATED_RESPONSE, answers: [] })

/** A message framed for TCP (its length first). */
function framed(msg: Buffer): Buffer {
  const length = Buffer.alloc(2)
  length.writeUInt16BE(msg.length)
  return Buffer.concat([length, msg])
}

/** Four octets: the query's id, then two that make no DNS message. */
const damaged = (query: dnsPacket.DecodedPacket, id = query.id ?? 0): Buffer =>
  Buffer.from([id >> 8, id & 0xff, 0xde, 0xad])

const nameOf = (query: dnsPacket.DecodedPacket): string => query.questions?.[0]?.name ?? ''

const resolverAt = (peer: Peer, options: Partial<WireResolverOptions> = {}) =>
  createWireResolver({
    name: 'peer',
    kind: 'recursive',
    host: '127.0.0.1',
    port: peer.port,
    recursionDesired: true,
    timeoutMs: 150,
    tries: 2,
    ...options
  })

describe('wire client and damaged datagrams', () => {
  it('fails only the question whose id a damaged datagram carries once the server answered', async () => {
    const peer = await startPeer((q) => (nameOf(q).startsWith('bad') ? [damaged(q)] : [reply(q)]))
    const r = resolverAt(peer, { timeoutMs: 2000 })
    expect((await r.query({ name: 'first.example.com', type: 'A' })).ok).toBe(true)
    const [bad, good] = await Promise.all([
      r.query({ name: 'bad.example.com', type: 'A' }),
      r.query({ name: 'good.example.com', type: 'A' })
    ])
    expect(bad).toEqual({
      ok: false,
      error:
        `peer (127.0.0.1:${peer.port}): answered something that is not a DNS message when ` +
        'asked for bad.example.com A (4 bytes, shorter than a DNS header)'
    })
    expect(good.ok).toBe(true)
    expect(r.stats()).toEqual({ sent: 3, received: 3, tcp: 0 })
    await r.close()
    await peer.close()
  })

  it('fails every question in flight on damage with no known id before any answer', async () => {
    // The datagrams carry no id of ours: one too short for an id, one with an id off by one.
    const peer = await startPeer((q) =>
      nameOf(q).startsWith('short') ? [Buffer.from([7])] : [damaged(q, ((q.id ?? 0) + 1) & 0xffff)]
    )
    for (const first of ['short', 'offbyone']) {
      const r = resolverAt(peer, { timeoutMs: 2000 })
      const started = Date.now()
      const outcomes = await Promise.all([
        r.query({ name: `${first}.example.com`, type: 'A' }),
        r.query({ name: 'other.example.com', type: 'TXT' })
      ])
      expect(Date.now() - started).toBeLessThan(1000)
      const why =
        first === 'short'
          ? '1 bytes, shorter than a DNS header'
          : '4 bytes, shorter than a DNS header'
      const prefix = `peer (127.0.0.1:${peer.port}): answered something that is not a DNS message`
      // The first datagram to arrive fails both, each with its own question and that damage.
      expect(outcomes.map((o) => !o.ok && o.error)).toEqual([
        `${prefix} when asked for ${first}.example.com A (${why})`,
        `${prefix} when asked for other.example.com TXT (${why})`
      ])
      await r.close()
    }
    await peer.close()
  })

  it('ignores damage with no known id once the server answered', async () => {
    let asked = 0
    const peer = await startPeer((q) => {
      asked++
      if (asked === 1) return [reply(q)]
      return [Buffer.from([7]), damaged(q, ((q.id ?? 0) + 1) & 0xffff), reply(q)]
    })
    const r = resolverAt(peer)
    expect((await r.query({ name: 'first.example.com', type: 'A' })).ok).toBe(true)
    const second = await r.query({ name: 'second.example.com', type: 'A' })
    expect(second.ok && second.response.answers[0]?.data).toBe('192.0.2.7')
    expect(r.stats()).toEqual({ sent: 2, received: 4, tcp: 0 })
    await r.close()
    await peer.close()
  })

  it('drops a truncated answer to another question rather than asking over TCP', async () => {
    const peer = await startPeer((q) => [
      truncated({ ...q, questions: [{ name: 'elsewhere.example', type: 'A' }] })
    ])
    const r = resolverAt(peer)
    const outcome = await r.query({ name: 'example.com', type: 'A' })
    expect(outcome).toEqual({
      ok: false,
      error: `peer (127.0.0.1:${peer.port}): no answer for example.com A after 2 tries of 150 ms`
    })
    expect(r.stats()).toEqual({ sent: 2, received: 2, tcp: 0 })
    expect(peer.tcpQueries).toBe(0)
    await r.close()
    await peer.close()
  })
})

describe('wire client asking again over TCP', () => {
  const why = '(the UDP answer was truncated)'

  it('takes the TCP answer, in pieces, and ignores UDP answers that come meanwhile', async () => {
    const peer = await startPeer(
      // The truncated answer, then a whole one over UDP after it: the question is on TCP now.
      (q) => [truncated(q), reply(q, {}, '192.0.2.99')],
      (q, conn) => {
        const whole = framed(reply(q, {}, '192.0.2.8'))
        conn.write(whole.subarray(0, 1))
        setTimeout(() => conn.write(whole.subarray(1, 20)), 20)
        setTimeout(() => conn.write(whole.subarray(20)), 40)
      }
    )
    const r = resolverAt(peer, { timeoutMs: 1000 })
    const outcome = await r.query({ name: 'big.example.com', type: 'A' })
    expect(outcome.ok && outcome.response.answers.map((a) => a.data)).toEqual(['192.0.2.8'])
    expect(r.stats()).toEqual({ sent: 1, received: 2, tcp: 1 })
    expect(peer.tcpQueries).toBe(1)
    await r.close()
    await peer.close()
  })

  it.each([
    ['a wrong id', (q: dnsPacket.DecodedPacket) => reply(q, { id: ((q.id ?? 0) + 1) & 0xffff })],
    [
      'another question',
      (q: dnsPacket.DecodedPacket) =>
        reply(q, { questions: [{ name: 'elsewhere.example', type: 'A' }] })
    ]
  ])('says the server answered another question over TCP (%s)', async (_case, answer) => {
    const peer = await startPeer(
      (q) => [truncated(q)],
      (q, conn) => conn.write(framed(answer(q)))
    )
    const r = resolverAt(peer, { timeoutMs: 1000 })
    expect(await r.query({ name: 'big.example.com', type: 'A' })).toEqual({
      ok: false,
      error: `peer (127.0.0.1:${peer.port}): answered another question over TCP when asked for big.example.com A`
    })
    await r.close()
    await peer.close()
  })

  it('says what the TCP side did wrong: damage, a close, silence', async () => {
    const peer = await startPeer(
      (q) => [truncated(q)],
      (q, conn) => {
        const name = nameOf(q)
        if (name.startsWith('damaged')) conn.write(framed(damaged(q)))
        else if (name.startsWith('query')) {
          conn.write(framed(dnsPacket.encode({ ...q, type: 'query' })))
        } else if (name.startsWith('closed')) conn.end()
        // silent: nothing
      }
    )
    const r = resolverAt(peer, { timeoutMs: 300 })
    const outcomes = await Promise.all(
      ['damaged', 'query', 'closed', 'silent'].map((n) =>
        r.query({ name: `${n}.example.com`, type: 'A' })
      )
    )
    const prefix = `peer (127.0.0.1:${peer.port})`
    expect(outcomes).toEqual([
      {
        ok: false,
        error:
          `${prefix}: answered something that is not a DNS message over TCP when asked for ` +
          'damaged.example.com A (4 bytes, shorter than a DNS header)'
      },
      {
        ok: false,
        error:
          `${prefix}: answered something that is not a DNS message over TCP when asked for ` +
          'query.example.com A (it is a query (QR bit clear), not a response)'
      },
      {
        ok: false,
        error: `${prefix}: closed the TCP connection without answering closed.example.com A ${why}`
      },
      {
        ok: false,
        error: `${prefix}: no answer over TCP for silent.example.com A after 300 ms ${why}`
      }
    ])
    expect(r.stats()).toEqual({ sent: 4, received: 4, tcp: 4 })
    await r.close()
    await peer.close()
  })
})
