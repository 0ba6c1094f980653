// A UDP relay on loopback that holds every datagram `delayMs` each way, so a server on
// 127.0.0.1 looks `2 × delayMs` away: the latency case of the benchmark puts each of a run's
// resolvers behind one of its ports. It counts the datagrams it forwards.
import dgram from 'node:dgram'

/**
 * Listens on `count` free ports of 127.0.0.1, each forwarding to `target` (a port on
 * 127.0.0.1) after `delayMs`, and sending the answers back after `delayMs` again. One upstream
 * socket per client address and port, so answers find their way back.
 */
export async function startRelay({ target, delayMs, count }) {
  const sockets = []
  const ports = []
  const forwarded = []
  // The first datagram in and the last answer out: the run's time on the wire.
  let firstIn
  let lastOut
  for (let i = 0; i < count; i++) {
    const listener = dgram.createSocket('udp4')
    await new Promise((resolve) => listener.bind(0, '127.0.0.1', resolve))
    const upstreams = new Map()
    forwarded.push(0)
    listener.on('message', (message, from) => {
      forwarded[i]++
      firstIn ??= process.hrtime.bigint()
      const key = `${from.address}:${from.port}`
      let upstream = upstreams.get(key)
      if (!upstream) {
        upstream = dgram.createSocket('udp4')
        upstream.on('message', (answer) => {
          setTimeout(() => {
            listener.send(answer, from.port, from.address)
            lastOut = process.hrtime.bigint()
          }, delayMs)
        })
        upstream.on('error', () => {})
        upstreams.set(key, upstream)
        sockets.push(upstream)
      }
      const socket = upstream
      setTimeout(() => socket.send(message, target, '127.0.0.1'), delayMs)
    })
    listener.on('error', () => {})
    sockets.push(listener)
    ports.push(listener.address().port)
  }
  return {
    ports,
    /** Datagrams received from clients on each port so far. */
    forwarded: () => [...forwarded],
    /** Seconds from the first datagram received to the last answer sent back. */
    span: () =>
      firstIn === undefined || lastOut === undefined ? NaN : Number(lastOut - firstIn) / 1e9,
    reset: () => {
      forwarded.fill(0)
      firstIn = undefined
      lastOut = undefined
    },
    close: () => Promise.all(sockets.map((s) => new Promise((resolve) => s.close(resolve))))
  }
}
