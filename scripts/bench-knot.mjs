// Knot on loopback for the benchmarks: one zone file per zone and a knot.conf written into a
// directory, knotd started on a free port, and ready once every zone answers its SOA (probed
// over UDP with dns-packet, so no kdig is needed). Loading 10,000 zones takes knotd a few seconds.
import { spawn, spawnSync } from 'node:child_process'
import dgram from 'node:dgram'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import dnsPacket from 'dns-packet'

const READY_DEADLINE_MS = 120_000

/** knotd processes still running: killed if the benchmark exits without stopping them. */
const running = new Set()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** A port free for both TCP and UDP on 127.0.0.1 (knotd binds both). */
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address()
        server.close(() => resolve(port))
      })
      server.once('error', reject)
    })
    const udp = dgram.createSocket('udp4')
    const free = await new Promise((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    await new Promise((resolve) => udp.close(resolve)).catch(() => {})
    if (free) return port
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1')
}

/** Clock ticks per second, the unit of /proc/PID/stat's CPU times. */
const CLOCK_TICKS =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/**
 * The CPU seconds (user and system, all threads) process `pid` has used so far, from
 * /proc/PID/stat: NaN where there is no /proc.
 */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in brackets and may hold spaces: utime, stime are
    // the 14th and 15th fields of the line, the 12th and 13th after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return NaN
  }
}

/**
 * Writes `zones` (zone name → zone file text) under `dir`, starts knotd on 127.0.0.1 serving
 * them, and resolves once every zone answers. `stop()` ends knotd (SIGTERM, then SIGKILL);
 * `cpuSeconds()` is the CPU time knotd has used so far.
 */
export async function startKnot(dir, zones) {
  const knotd = existsSync('/usr/sbin/knotd') ? '/usr/sbin/knotd' : 'knotd'
  await mkdir(join(dir, 'zones'), { recursive: true })
  const names = [...zones.keys()]
  // Written a few hundred at a time: 10,000 files at once would exhaust file descriptors.
  for (let i = 0; i < names.length; i += 500) {
    await Promise.all(
      names.slice(i, i + 500).map((n) => writeFile(join(dir, 'zones', `${n}.zone`), zones.get(n)))
    )
  }
  const port = await freePort()
  const q = JSON.stringify
  const conf = [
    'server:',
    `    listen: ${q(`127.0.0.1@${port}`)}`,
    `    rundir: ${q(dir)}`,
    ...(process.getuid?.() === 0 ? ['    user: root:root'] : []),
    'database:',
    `    storage: ${q(dir)}`,
    'log:',
    '  - target: stderr',
    '    any: warning',
    'template:',
    '  - id: default',
    `    storage: ${q(join(dir, 'zones'))}`,
    '    file: "%s.zone"',
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    '    semantic-checks: off',
    'zone:',
    ...names.map((n) => `  - domain: ${q(n)}`)
  ].join('\n')
  await writeFile(join(dir, 'knot.conf'), conf + '\n')
  const child = spawn(knotd, ['-c', join(dir, 'knot.conf')], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let log = ''
  child.stderr.on('data', (chunk) => {
    if (log.length < 100_000) log += chunk
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  try {
    await waitUntilServed(port, names, () => child.exitCode !== null)
  } catch (error) {
    await stop()
    throw new Error(`${error.message}\n--- knotd log ---\n${log}`)
  }
  return { port, pid: child.pid, stop, cpuSeconds: () => processCpuSeconds(child.pid) }
}

/** Asks every zone's SOA, a window at a time, again for those not yet answered, until all are. */
async function waitUntilServed(port, names, gone) {
  const socket = dgram.createSocket('udp4')
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const waiting = new Set(names)
  socket.on('message', (message) => {
    try {
      const answer = dnsPacket.decode(message)
      const soa = answer.answers?.some((a) => a.type === 'SOA')
      if (answer.rcode === 'NOERROR' && soa) waiting.delete(answer.questions[0].name.toLowerCase())
    } catch {
      // Not a DNS answer we can read: the zone stays waiting.
    }
  })
  const deadline = Date.now() + READY_DEADLINE_MS
  try {
    while (waiting.size > 0) {
      if (gone()) throw new Error('knotd exited')
      if (Date.now() > deadline) {
        throw new Error(`knotd did not serve ${waiting.size} of ${names.length} zones in time`)
      }
      const round = [...waiting]
      for (let i = 0; i < round.length; i += 200) {
        for (const [j, name] of round.slice(i, i + 200).entries()) {
          const query = dnsPacket.encode({
            type: 'query',
            id: (i + j) & 0xffff,
            questions: [{ type: 'SOA', name }]
          })
          socket.send(query, port, '127.0.0.1')
        }
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  } finally {
    socket.close()
  }
}
