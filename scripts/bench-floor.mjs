// The floor of the fleet benchmark (issue 12): what plain Node reaches on this machine when it
// does nothing but ask. It sends each question of a dnsperf data file once over each of three
// sockets to one server (the CLI's shape: two resolvers and the authoritative server; dnsperf's
// `-n 3` sends the same number), at most OUTSTANDING in flight per socket, with dns-packet
// encoding each question, and no config, no diagnosis and no report. With `decode` each answer is
// decoded by dns-packet and must hold a record; with `count` only its ID is read (the I/O floor).
// The CLI's wall time over this floor's is what its own work costs; dnsperf's over this floor's
// is as near to dnsperf as Node itself gets.
//
//   node scripts/bench-floor.mjs udp|tcp PORT QUESTIONS_FILE [decode|count] [SOCKETS] [OUTSTANDING]
//
// Over TCP the queries of one turn of the event loop go out in one write (pipelined, RFC 7766), as
// the CLI writes them. A UDP question unanswered after a second is sent again, with the same ID
// (as a client would).
// Prints one JSON line: {"sent":N,"answered":N,"empty":N,"resent":N}. Exits 1 when an answer is
// missing or empty.
import dgram from 'node:dgram'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import packet from 'dns-packet'

// In flight per socket unless told: dnsperf's default over UDP; over TCP the CLI's own cap per
// pipelined connection (TCP_MAX_IN_FLIGHT), since a pipeline's depth sets how much of the time
// the client and the server work at once.
const [transport, port, file, mode = 'decode', socketsArg = '3', outstandingArg] =
  process.argv.slice(2)
const questions = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [name, type] = line.split(' ')
    return { name, type }
  })
const sockets = Number(socketsArg)
const outstanding = Number(outstandingArg ?? (transport === 'tcp' ? 256 : 100))
const total = questions.length * sockets
const counts = { sent: 0, answered: 0, empty: 0, resent: 0 }

/** One socket's loop: at most `outstanding` questions in flight, the next sent as one is answered. */
function client(send) {
  const pending = new Map()
  let asked = 0
  let nextId = 0
  const next = () => {
    while (pending.size < outstanding && asked < questions.length) {
      const id = nextId
      nextId = (nextId + 1) % 65536
      const query = packet.encode({
        id,
        type: 'query',
        flags: packet.RECURSION_DESIRED,
        questions: [questions[asked++]]
      })
      pending.set(id, { query, at: Date.now() })
      counts.sent++
      send(query)
    }
  }
  const onAnswer = (buffer) => {
    const id = buffer.readUInt16BE(0)
    if (!pending.delete(id)) return
    if (mode === 'decode' && packet.decode(buffer).answers.length === 0) counts.empty++
    counts.answered++
    if (counts.answered === total) done()
    else next()
  }
  const resend = () => {
    const now = Date.now()
    for (const entry of pending.values()) {
      if (now - entry.at < 1000) continue
      entry.at = now
      counts.resent++
      send(entry.query)
    }
  }
  return { next, onAnswer, resend }
}

function done() {
  console.log(JSON.stringify(counts))
  process.exit(counts.answered === total && counts.empty === 0 ? 0 : 1)
}

setTimeout(() => {
  console.log(JSON.stringify(counts))
  process.exit(1)
}, 300_000).unref()

for (let i = 0; i < sockets; i++) {
  if (transport === 'udp') {
    const socket = dgram.createSocket('udp4')
    const c = client((buffer) => socket.send(buffer))
    socket.on('message', c.onAnswer)
    socket.connect(Number(port), '127.0.0.1', c.next)
    setInterval(c.resend, 250).unref()
  } else {
    const socket = net.connect(Number(port), '127.0.0.1')
    socket.setNoDelay(true)
    // A turn's queries go out in one write, as the CLI's pipelined client writes them.
    let batch = []
    const flush = () => {
      socket.write(Buffer.concat(batch))
      batch = []
    }
    const c = client((buffer) => {
      const framed = Buffer.allocUnsafe(buffer.length + 2)
      framed.writeUInt16BE(buffer.length, 0)
      buffer.copy(framed, 2)
      if (batch.push(framed) === 1) setImmediate(flush)
    })
    let held = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      held = held.length === 0 ? chunk : Buffer.concat([held, chunk])
      let at = 0
      while (held.length - at >= 2) {
        const size = held.readUInt16BE(at)
        if (held.length - at < 2 + size) break
        c.onAnswer(held.subarray(at + 2, at + 2 + size))
        at += 2 + size
      }
      held = held.subarray(at)
    })
    socket.on('connect', c.next)
  }
}
