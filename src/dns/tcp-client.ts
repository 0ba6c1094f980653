/**
 * A DNS client that pipelines its questions over one TCP connection to the server (RFC 7766
 * §6.2.1.1): many queries in one write, answers matched by message id in whatever order they
 * come. Opt-in per server (`tcp://ADDR[:PORT]`): at fleet scale a UDP datagram per question
 * costs a system call each, and that, not the server, bounds how fast a run goes; a pipelined
 * connection carries a few hundred questions per write. Same discipline as the UDP client
 * (query-gate.ts): each question asked once, `maxInFlight` at a time, a dead server given up on.
 */
import net from 'node:net'
import { createIdSource } from './message-ids.js'
import { Deadlines } from './deadlines.js'
import { decodeAnswer, encodeFramedQuery } from './codec.js'
import { formatServerAddress } from './server-address.js'
import { createFrameReader } from './tcp-frames.js'
import {
  checkInteger,
  createQueryGate,
  failure,
  resolverLimits,
  triesText,
  type Flight
} from './query-gate.js'
import { errorText } from '../net/errors.js'
import type { DnsResponse } from './types.js'
import type { WireResolver, WireResolverOptions, WireResolverStats } from './wire-client.js'

/** Questions in flight on one pipelined connection unless told otherwise. */
export const TCP_MAX_IN_FLIGHT = 256

/** One question on the connection, from its first write until it settles. */
interface Pending {
  id: number
  flight: Flight
  triesDone: number
  /** When the try written last is given up on, on the `performance.now()` clock. */
  due: number
}

/**
 * Room for framed queries (a query is at most 284 octets with its length): each is written
 * straight into it and one flush writes the part filled since the last, so a turn of the event
 * loop costs one buffer and one write however many questions it asks.
 */
const OUTBOX_SIZE = 65536
const LONGEST_FRAMED_QUERY = 2 + 12 + 255 + 4 + 11

/**
 * Creates a resolver that asks one server over one pipelined TCP connection, opened on the first
 * question and again after the server closes it (the questions still waiting are written again,
 * as a new try). `stats().sent` counts queries written, `received` answers read, `tcp` stays 0.
 * Throws only on invalid options; `query` never throws.
 */
export function createTcpResolver(options: WireResolverOptions): WireResolver {
  const host = options.host
  if (net.isIP(host) === 0) {
    throw new Error(`DNS server ${options.name}: "${host}" is not an IP address`)
  }
  const server = `DNS server ${options.name}`
  const port = options.port ?? 53
  checkInteger(server, 'port', port, 1, 65535)
  const limits = resolverLimits(server, {
    ...options,
    maxInFlight: options.maxInFlight ?? TCP_MAX_IN_FLIGHT
  })
  const { timeoutMs, tries, maxInFlight } = limits
  const address = `tcp://${formatServerAddress(host, port)}`
  const prefix = `${options.name} (${address})`

  const pending = new Map<number, Pending>()
  const stats: WireResolverStats = { sent: 0, received: 0, tcp: 0 }
  let conn: net.Socket | undefined
  let connected = false
  /**
   * Framed queries waiting for the next write, one write per turn of the event loop: the first
   * `outboxUsed` octets of `outbox`, after any filled buffers in `outboxFull`.
   */
  let outbox = Buffer.allocUnsafe(0)
  let outboxUsed = 0
  let outboxFull: Buffer[] = []
  let flushing = false
  /** The connection's answers, out of the pieces they come in. */
  const frames = createFrameReader(onMessage)
  const gate = createQueryGate({
    prefix,
    maxInFlight,
    start,
    settled,
    release,
    rateLimit: options.rateLimit,
    meter: options.meter
  })

  const freshId = createIdSource((id) => pending.has(id))
  /** The options of the query being written: one object for them all. */
  const encoding = { id: 0, recursionDesired: options.recursionDesired }

  function start(flight: Flight): Pending {
    const p: Pending = { id: freshId(), flight, triesDone: 0, due: 0 }
    // Throws on a name or type that cannot go on the wire, before anything is kept.
    write(p)
    pending.set(p.id, p)
    arm(p)
    return p
  }

  /** A question settled: its id is free again, and its try need not time out. */
  function settled(p: Pending): void {
    pending.delete(p.id)
    deadlines.settled()
  }

  /** Writes a try again: the same query (same id), encoded again into the outbox. */
  function send(p: Pending): void {
    write(p)
    arm(p)
  }

  /** Puts the query into the outbox; throws as encodeFramedQuery does. */
  function write(p: Pending): void {
    const question = p.flight
    encoding.id = p.id
    let end = encodeFramedQuery(outbox, outboxUsed, question, encoding)
    if (end === null) {
      if (outboxUsed > 0) outboxFull.push(outbox.subarray(0, outboxUsed))
      outbox = Buffer.allocUnsafe(Math.max(OUTBOX_SIZE, LONGEST_FRAMED_QUERY))
      outboxUsed = 0
      end = encodeFramedQuery(outbox, 0, question, encoding) as number
    }
    outboxUsed = end
  }

  /** Counts a try written and starts its deadline; the write happens on the next flush. */
  function arm(p: Pending): void {
    p.triesDone++
    stats.sent++
    deadlines.arm(p)
    if (!flushing) {
      flushing = true
      setImmediate(flush)
    }
  }

  /**
   * The tries written, in the order they were, under one timer (deadlines.ts). A question is
   * there once, for its latest try: a timed-out try leaves before its next is armed, and a closed
   * connection's tries all leave together.
   */
  const deadlines = new Deadlines<Pending>(timeoutMs, {
    waits: (p) => !p.flight.settled,
    expire: onTimeout,
    busy: () => pending.size > 0
  })

  /** Drops what waits in the outbox unwritten (the connection closed or the resolver did). */
  function clearOutbox(): void {
    outboxFull = []
    outboxUsed = 0
  }

  function flush(): void {
    flushing = false
    if (outboxUsed === 0 && outboxFull.length === 0) return
    const c = getConnection()
    if (!connected) return // 'connect' flushes what waits
    const last = outbox.subarray(0, outboxUsed)
    const batch = outboxFull.length === 0 ? last : Buffer.concat([...outboxFull, last])
    // The written part now belongs to the socket; the rest of the buffer takes the next ones.
    outbox = outbox.subarray(outboxUsed)
    clearOutbox()
    c.write(batch)
  }

  function getConnection(): net.Socket {
    if (conn) return conn
    const c = net.connect({ host, port })
    c.setNoDelay(true)
    c.unref()
    conn = c
    connected = false
    frames.reset()
    c.on('connect', () => {
      if (conn !== c) return
      connected = true
      flush()
    })
    c.on('data', (chunk: Buffer) => {
      if (conn === c) frames.push(chunk)
    })
    c.on('error', () => {
      // 'close' follows and says what happens to the questions.
    })
    c.on('close', () => {
      if (conn !== c) return
      conn = undefined
      connected = false
      frames.reset()
      // Whatever was written and not answered is written again on a new connection, as a try:
      // every try waiting ends here, and the new ones are armed in the order written.
      const unanswered = [...pending.values()]
      clearOutbox()
      deadlines.clear()
      for (const p of unanswered) {
        if (p.flight.settled) continue
        if (p.triesDone >= tries) {
          const why = `the connection closed, ${triesText(tries)}`
          gate.failUnanswered(p.flight, `${prefix}: no answer for ${p.flight.what} (${why})`, why)
        } else send(p)
      }
    })
    return c
  }

  function onMessage(msg: Buffer): void {
    stats.received++
    // A message without the id of a question on the connection is nothing to us, read or not.
    const p = msg.length >= 2 ? pending.get(msg.readUInt16BE(0)) : undefined
    if (p === undefined) return
    let response: DnsResponse | undefined
    try {
      response = decodeAnswer(msg, p.flight)
    } catch (err) {
      gate.markAnswered()
      p.flight.settle(
        failure(
          `${prefix}: answered something that is not a DNS message when asked for ` +
            `${p.flight.what} (${errorText(err)})`
        )
      )
      return
    }
    if (response === undefined) return
    gate.markAnswered()
    p.flight.settle({ ok: true, response })
  }

  function onTimeout(p: Pending): void {
    if (p.flight.settled) return
    if (p.triesDone < tries) {
      send(p)
      return
    }
    const after = `${triesText(tries)} of ${timeoutMs} ms`
    gate.failUnanswered(p.flight, `${prefix}: no answer for ${p.flight.what} after ${after}`, after)
  }

  async function release(): Promise<void> {
    const c = conn
    conn = undefined
    clearOutbox()
    if (c) {
      c.destroy()
    }
  }

  return {
    name: options.name,
    kind: options.kind,
    address,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    query: (question) => gate.query(question),
    close: () => gate.close(),
    stats(): WireResolverStats {
      return { ...stats }
    }
  }
}
