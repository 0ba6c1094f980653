// The floor of the fleet benchmark (issue 12): what plain Node reaches on this machine when it
// does nothing but ask. It sends each question of a dnsperf data file once over each of three
// sockets to one server (the CLI's shape: two resolvers and the authoritative server; dnsperf's
// `-n 3` sends the same number), with dns-packet encoding each question and decoding each answer,
// and no config, no diagnosis and no report. The CLI's wall time over this floor's is what the CLI's own work
// costs; dnsperf's over this floor's is as close to dnsperf as Node gets.
//
//   node scripts/bench-floor.mjs udp|tcp PORT QUESTIONS_FILE [SOCKETS] [OUTSTANDING]
//
// Prints one JSON line: {"sent":N,"answered":N,"missing":N}. Exits 1 when an answer is
// missing or empty.
import dgram from 'node:dgram'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import packet from 'dns-packet'

const [transport, port, file, socketsArg = '3', outstandingArg = '100'] = process.argv.slice(2)
const questions = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [name, type] = line.split(' ')
    return { name, type }
  })
const outstanding = Number(outstandingArg)
const sockets = Number(socketsArg)
const total = questions.length * sockets

let sent = 0
let answered = 0
let missing = 0

/** One socket's loop: at most `outstanding` questions in flight, the next sent as one is answered. */
function client(send) {
  let inFlight = 0
  let asked = 0
  const next = () => {
    while (inFlight < outstanding && asked < questions.length) {
      const q = questions[asked++]
      const id = sent % 65536
      sent++
      inFlight++
      send(packet.encode({ id, type: 'query', flags: packet.RECURSION_DESIRED, questions: [q] }))
    }
  }
  const onAnswer = (buffer) => {
    const message = packet.decode(buffer)
    if (message.answers.length === 0) missing++
    answered++
    inFlight--
    if (answered === total) done()
    else next()
  }
  return { next, onAnswer }
}

function done() {
  console.log(JSON.stringify({ sent, answered, missing }))
  process.exit(answered === sent && missing === 0 ? 0 : 1)
}

setTimeout(() => {
  console.log(JSON.stringify({ sent, answered, missing }))
  process.exit(1)
}, 300_000).unref()

for (let i = 0; i < sockets; i++) {
  if (transport === 'udp') {
    const socket = dgram.createSocket('udp4')
    const c = client((buffer) => socket.send(buffer))
    socket.on('message', c.onAnswer)
    socket.connect(Number(port), '127.0.0.1', c.next)
  } else {
    const socket = net.connect(Number(port), '127.0.0.1')
    socket.setNoDelay(true)
    const c = client((buffer) => {
      const framed = Buffer.allocUnsafe(buffer.length + 2)
      framed.writeUInt16BE(buffer.length, 0)
      buffer.copy(framed, 2)
      socket.write(framed)
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
