/**
 * Hostile DNS peers on 127.0.0.1 for tests run from outside: UDP servers that answer garbage,
 * answer with the wrong message id, or answer a few distinct questions and then go quiet (what
 * response-rate limiting looks like).
 */
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'

/** How a {@link startHostilePeer} answers. */
export type HostileBehaviour =
  | { kind: 'garbage' }
  | { kind: 'wrong-id' }
  /** Answers its first `answered` distinct questions with an A record, then nothing. */
  | { kind: 'half-answer'; answered: number }

/** A running hostile peer. */
export interface HostilePeer {
  port: number
  /** Datagrams received. */
  readonly received: number
  close(): Promise<void>
}

/** Starts a UDP peer on 127.0.0.1 on a free port that answers as `behaviour` says. */
export async function startHostilePeer(behaviour: HostileBehaviour): Promise<HostilePeer> {
  const socket = dgram.createSocket('udp4')
  const seen = new Set<string>()
  let received = 0
  socket.on('message', (msg, rinfo) => {
    received++
    const reply = (buffer: Buffer) => socket.send(buffer, rinfo.port, rinfo.address)
    if (behaviour.kind === 'garbage') {
      // Fixed bytes that are not a DNS message, whatever was asked.
      reply(Buffer.from('\u0000\u0001garbage, not a DNS message \u00ff\u00fe'))
      return
    }
    let query: dnsPacket.Packet
    try {
      query = dnsPacket.decode(msg)
    } catch {
      return
    }
    const name = query.questions?.[0]?.name ?? ''
    const answer = (id: number) =>
      dnsPacket.encode({
        type: 'response',
        id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: query.questions,
        answers: [{ name, type: 'A', ttl: 60, data: '192.0.2.7' }]
      })
    if (behaviour.kind === 'wrong-id') {
      reply(answer(((query.id ?? 0) + 1) & 0xffff))
      return
    }
    if (!seen.has(name) && seen.size >= behaviour.answered) return
    seen.add(name)
    reply(answer(query.id ?? 0))
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  return {
    port: socket.address().port,
    get received() {
      return received
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve()))
  }
}
