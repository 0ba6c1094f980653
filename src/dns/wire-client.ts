/**
 * A DNS client that speaks the wire protocol itself (UDP with a TCP retry on truncation), so
 * the checks can ask one exact server, with or without recursion, and see the flags and
 * sections the OS resolver hides. The message codec is in codec.ts, server addresses in
 * server-address.ts; this module is the transport.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import { createIdSource } from './message-ids.js'
import { Deadlines } from './deadlines.js'
import { decodeAnswer, decodeMessage, encodeQuery } from './codec.js'
import { formatServerAddress } from './server-address.js'
import {
  checkInteger,
  createQueryGate,
  failure,
  resolverLimits,
  triesText,
  type Flight
} from './query-gate.js'
import { errorText } from '../net/errors.js'
import type { DnsResponse, QueryMeter, QueryOutcome, Resolver, ResolverKind } from './types.js'

// The codec and address helpers were first exported from here; importers may still use them.
export {
  EDNS_UDP_PAYLOAD_SIZE,
  answersQuestion,
  canonicalType,
  decodeMessage,
  decodeResponse,
  encodeQuery,
  type DecodedMessage,
  type EncodeQueryOptions
} from './codec.js'
export { formatServerAddress, parseServerAddress } from './server-address.js'

/** Options for {@link createWireResolver}. */
export interface WireResolverOptions {
  /** Shown in messages and reports, e.g. `cloudflare`. */
  name: string
  kind: ResolverKind
  /** The server's IP address; host names are refused. */
  host: string
  /** Default 53. */
  port?: number
  /** RD flag: true for recursive resolvers, false to ask an authoritative server itself. */
  recursionDesired: boolean
  /** How long one try waits for an answer. Default 2000 ms. */
  timeoutMs?: number
  /** UDP sends per question before giving up. Default 2. */
  tries?: number
  /** Questions on the wire at once; the rest wait. Default 64. */
  maxInFlight?: number
  /**
   * Questions started per second at most (query-gate.ts, rate-cap.ts); none by default.
   * Retries of an unanswered question are not counted.
   */
  rateLimit?: number
  /** Counted up by one for every question asked (the progress line's rate). */
  meter?: QueryMeter
}

/** Counters a test can read to see what went on the wire. */
export interface WireResolverStats {
  /** UDP datagrams sent, retries included. */
  sent: number
  /** UDP datagrams received, whatever they were and whoever sent them. */
  received: number
  /** Questions asked again over TCP after a truncated UDP answer. */
  tcp: number
}

/** A wire resolver: a {@link Resolver} with counters for tests. */
export interface WireResolver extends Resolver {
  stats(): WireResolverStats
}

/** One question on the wire, from its first UDP send until it settles. */
interface Pending {
  id: number
  flight: Flight
  packet: Buffer
  triesDone: number
  phase: 'udp' | 'tcp'
  /** When the UDP try on the wire is given up on, on the `performance.now()` clock. */
  due: number
  /** The TCP retry's timer. */
  timer?: NodeJS.Timeout
  tcp?: net.Socket
}

/**
 * Creates a resolver that asks one server over UDP (TCP when the answer is truncated).
 * Each question is asked once per resolver: answers, failures included, are kept for its
 * life, and a server that has never answered is given up on after one question's full tries,
 * so a dead server costs `timeoutMs × tries` once per run rather than per question; one that
 * answered and then went quiet is given up on after a run of unanswered questions
 * (`GIVE_UP_AFTER` in query-gate.ts).
 * Throws only on invalid options; `query` never throws.
 */
export function createWireResolver(options: WireResolverOptions): WireResolver {
  const host = options.host
  const family = net.isIP(host)
  if (family === 0) {
    throw new Error(`DNS server ${options.name}: "${host}" is not an IP address`)
  }
  const server = `DNS server ${options.name}`
  const port = options.port ?? 53
  checkInteger(server, 'port', port, 1, 65535)
  const { timeoutMs, tries, maxInFlight } = resolverLimits(server, options)
  const address = formatServerAddress(host, port)
  const prefix = `${options.name} (${address})`

  /** The questions on the wire by message id, to match answers to them. */
  const pending = new Map<number, Pending>()
  const stats: WireResolverStats = { sent: 0, received: 0, tcp: 0 }
  let socket: dgram.Socket | undefined
  /** Whether `socket` is connected; until then tries wait in `unsent`. */
  let connected = false
  let unsent: Pending[] = []
  const gate = createQueryGate({
    prefix,
    maxInFlight,
    start,
    settled,
    release,
    rateLimit: options.rateLimit,
    meter: options.meter
  })

  const finish = (p: Pending, outcome: QueryOutcome): void => p.flight.settle(outcome)

  /**
   * The resolver's UDP socket, connected to the server: the kernel then delivers only the
   * server's datagrams (nothing spoofed from another address or port reaches us) and each send
   * skips the address, which at fleet scale is a good part of the cost of a question.
   */
  function getSocket(): dgram.Socket {
    if (socket) return socket
    const created = dgram.createSocket(family === 6 ? 'udp6' : 'udp4')
    created.on('message', onMessage)
    created.on('error', (err: NodeJS.ErrnoException) => {
      // A connected socket reports the ICMP "port unreachable" of an earlier send. An
      // unconnected one never did: the question waits for its timeout either way, so a server
      // that is down reads the same whichever socket asked it.
      if (err.code === 'ECONNREFUSED') return
      socketFailed(created, err)
    })
    // Node passes the error of a failed connect (no route, say) to this callback.
    const onConnect = (err?: Error): void => {
      if (socket !== created) return
      if (err) {
        socketFailed(created, err)
        return
      }
      connected = true
      const waiting = unsent
      unsent = []
      for (const p of waiting) if (!p.flight.settled) transmit(p)
    }
    created.connect(port, host, onConnect as () => void)
    // The deadline timer keeps the process alive while a question waits; an idle resolver
    // someone forgot to close should not.
    created.unref()
    socket = created
    connected = false
    return created
  }

  /** A socket error leaves the socket unusable; the next question makes a new one. */
  function socketFailed(s: dgram.Socket, err: Error): void {
    try {
      s.close()
    } catch {
      // Already closed: nothing to release.
    }
    // A socket already replaced has no questions of its own left to fail.
    if (socket !== s) return
    socket = undefined
    unsent = []
    for (const p of [...pending.values()]) {
      if (p.phase === 'udp') {
        finish(p, failure(`${prefix}: socket error asking ${p.flight.what}: ${err.message}`))
      }
    }
  }

  const freshId = createIdSource((id) => pending.has(id))
  /** The options of the query being encoded: one object for them all. */
  const encoding = { id: 0, recursionDesired: options.recursionDesired }

  function start(flight: Flight): Pending {
    const id = freshId()
    encoding.id = id
    // Throws on a name or type that cannot go on the wire; the gate makes that the outcome.
    const packet = encodeQuery(flight, encoding)
    const p: Pending = { id, flight, packet, triesDone: 0, phase: 'udp', due: 0 }
    pending.set(id, p)
    sendUdp(p)
    return p
  }

  /** A question settled, whoever settled it: its id is free again, its TCP retry let go. */
  function settled(p: Pending): void {
    if (p.timer) clearTimeout(p.timer)
    p.tcp?.destroy()
    pending.delete(p.id)
    deadlines.settled()
  }

  /**
   * The UDP tries on the wire, in the order they were sent, under one timer (deadlines.ts). A
   * question retried over TCP leaves it: its TCP connection keeps its own timer.
   */
  const deadlines = new Deadlines<Pending>(timeoutMs, {
    waits: (p) => !p.flight.settled && p.phase === 'udp',
    expire: onTimeout,
    busy: () => pending.size > 0
  })

  async function release(): Promise<void> {
    const s = socket
    socket = undefined
    unsent = []
    outbox = []
    clearImmediate(flushing)
    flushing = undefined
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  function sendUdp(p: Pending): void {
    try {
      getSocket()
    } catch (err) {
      finish(p, failure(`${prefix}: cannot open a UDP socket: ${errorText(err)}`))
      return
    }
    p.triesDone++
    stats.sent++
    if (connected) transmit(p)
    else unsent.push(p)
    deadlines.arm(p)
  }

  /**
   * The tries to send once the events at hand are handled. An answer frees a slot and starts
   * the next question; sent at once, each of those woke the server for one datagram (and, on
   * a busy machine, let it take the CPU from us once per question). Sent together after the
   * batch of datagrams libuv read in one go, the server takes them in one wake-up.
   */
  let outbox: Pending[] = []
  let flushing: NodeJS.Immediate | undefined

  /** Queues one try for the connected socket; see {@link outbox}. */
  function transmit(p: Pending): void {
    outbox.push(p)
    flushing ??= setImmediate(flush)
  }

  /**
   * Sends the tries in {@link outbox}. Without a callback a send that fails later is not
   * reported: the try then goes unanswered like a lost datagram, and the timeout deals with it.
   */
  function flush(): void {
    const batch = outbox
    outbox = []
    flushing = undefined
    const s = socket
    for (const p of batch) {
      if (p.flight.settled || p.phase !== 'udp') continue
      // The socket failed since (its questions failed with it) or was closed: nothing to send.
      if (s === undefined) continue
      if (!connected) {
        unsent.push(p)
        continue
      }
      try {
        s.send(p.packet)
      } catch (err) {
        finish(p, failure(`${prefix}: cannot send ${p.flight.what}: ${errorText(err)}`))
      }
    }
  }

  function onTimeout(p: Pending): void {
    if (p.flight.settled || p.phase !== 'udp') return
    if (p.triesDone < tries) {
      // The id stays the same, so a late answer to an earlier try is still taken.
      sendUdp(p)
      return
    }
    const after = `${triesText(tries)} of ${timeoutMs} ms`
    gate.failUnanswered(p.flight, `${prefix}: no answer for ${p.flight.what} after ${after}`, after)
  }

  function onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    stats.received++
    // The connected socket only takes the server's datagrams; the port check is a second lock.
    if (rinfo.port !== port) return
    const p = msg.length >= 2 ? pending.get(msg.readUInt16BE(0)) : undefined
    if (p === undefined || p.phase !== 'udp') {
      // Not for a question on UDP: nothing to us, unless it is damaged and the server has
      // never answered (see onGarbage), which only reading it tells.
      if (gate.answered) return
      try {
        decodeMessage(msg)
      } catch (err) {
        onGarbage(msg, errorText(err))
      }
      return
    }
    let response: DnsResponse | undefined
    try {
      response = decodeAnswer(msg, p.flight)
    } catch (err) {
      onGarbage(msg, errorText(err))
      return
    }
    if (response === undefined) return
    gate.markAnswered()
    if (response.flags.tc) {
      askOverTcp(p)
      return
    }
    finish(p, { ok: true, response })
  }

  /**
   * Bytes from the server that are not a DNS response. If they carry the id of a question
   * in flight, that question failed; if the server has never answered properly, it is not a
   * DNS server at all and everything in flight fails now rather than after the timeouts.
   */
  function onGarbage(msg: Buffer, why: string): void {
    const p = msg.length >= 2 ? pending.get(msg.readUInt16BE(0)) : undefined
    const message = (q: Pending): QueryOutcome =>
      failure(
        `${prefix}: answered something that is not a DNS message when asked for ` +
          `${q.flight.what} (${why})`
      )
    if (p && p.phase === 'udp') {
      gate.markAnswered()
      finish(p, message(p))
      return
    }
    if (gate.answered) return
    for (const other of [...pending.values()]) {
      if (other.phase === 'udp') finish(other, message(other))
    }
  }

  function askOverTcp(p: Pending): void {
    p.phase = 'tcp'
    stats.tcp++
    const what = p.flight.what
    const why = 'the UDP answer was truncated'
    const conn = net.connect({ host, port })
    p.tcp = conn
    let received = Buffer.alloc(0)
    p.timer = setTimeout(() => {
      finish(p, failure(`${prefix}: no answer over TCP for ${what} after ${timeoutMs} ms (${why})`))
    }, timeoutMs)
    conn.on('connect', () => {
      const length = Buffer.alloc(2)
      length.writeUInt16BE(p.packet.length)
      conn.write(Buffer.concat([length, p.packet]))
    })
    conn.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (received.length < 2) return
      const length = received.readUInt16BE(0)
      if (received.length < 2 + length) return
      const msg = received.subarray(2, 2 + length)
      let response: DnsResponse | undefined
      try {
        response = decodeAnswer(msg, p.flight)
      } catch (err) {
        finish(
          p,
          failure(
            `${prefix}: answered something that is not a DNS message over TCP when asked for ` +
              `${what} (${errorText(err)})`
          )
        )
        return
      }
      if (response === undefined || msg.readUInt16BE(0) !== p.id) {
        finish(p, failure(`${prefix}: answered another question over TCP when asked for ${what}`))
        return
      }
      finish(p, { ok: true, response })
    })
    conn.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ECONNREFUSED' ? 'connection refused' : err.message
      finish(p, failure(`${prefix}: ${reason} over TCP when asked for ${what} (${why})`))
    })
    conn.on('close', () => {
      finish(p, failure(`${prefix}: closed the TCP connection without answering ${what} (${why})`))
    })
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
