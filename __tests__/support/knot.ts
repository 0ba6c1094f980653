/**
 * Starts a real Knot DNS server on loopback for integration tests, serving the zones a test
 * gives, so the DNS code is tested against a real authoritative server instead of mocks.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import { constants as fsConstants } from 'node:fs'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createWireResolver } from '../../src/dns/wire-client.js'
import { normalizeName } from '../../src/dns/types.js'

/** A running knotd and the means to change its zones and stop it. */
export interface KnotServer {
  host: string
  port: number
  /** `host:port` (`[host]:port` for IPv6), as parseServerAddress takes it. */
  address: string
  /** The temp dir holding config, zone files and run-time data; removed by stop(). */
  dir: string
  pid: number
  /** Replaces a served zone's file; takes effect on reload(). */
  writeZone(zone: string, text: string): Promise<void>
  /** `knotc zone-reload` (one zone or all), then waits until the file's SOA serial is served. */
  reload(zone?: string): Promise<void>
  /** SIGTERM, SIGKILL after 5 s, then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>
}

/** Zones as zone name → zone file text, or a directory of `<zone>.zone` files. */
export type KnotZones = { zones: Record<string, string> } | { zoneDir: string }

const INSTALL_HINT =
  "knotd is not installed: run 'sudo apt-get install -y knot' (npm test installs it when run as root)"
const START_DEADLINE_MS = 10_000
const STOP_GRACE_MS = 5_000

/** knotd processes still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Starts knotd on `extra.host` (default 127.0.0.1) and `extra.port` or a free port (several
 * servers on 127.0.0.x share one port to stand in for a zone's name servers), serving the given zones,
 * and resolves once every zone answers a SOA query. Throws with knotd's log if it does not
 * within 10 s.
 */
export async function startKnot(
  options: KnotZones,
  extra: { host?: string; port?: number } = {}
): Promise<KnotServer> {
  const host = extra.host ?? '127.0.0.1'
  if (!isLoopback(host)) {
    throw new Error(`startKnot: ${host} is not a loopback address; tests only use loopback`)
  }
  const knotd = await findTool('knotd')
  if (!knotd) throw new Error(INSTALL_HINT)
  const knotc = (await findTool('knotc')) ?? path.join(path.dirname(knotd), 'knotc')

  const zones = await readZones(options)
  if (zones.size === 0) throw new Error('startKnot: no zones given')

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'knot-'))
  try {
    const zoneFiles = new Map<string, string>()
    await fs.mkdir(path.join(dir, 'zones'))
    for (const [zone, text] of zones) {
      const file = path.join(dir, 'zones', `${zone}.zone`)
      await fs.writeFile(file, text)
      zoneFiles.set(zone, file)
    }
    const conf = path.join(dir, 'knot.conf')

    // The free port can be taken between our probe and knotd's bind, so try a few.
    let lastError: Error | undefined
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = extra.port ?? (await findFreePort(host))
      await fs.writeFile(conf, knotConfig(dir, host, port, zoneFiles))
      const started = await launch(knotd, conf, host, port, zoneFiles)
      if ('error' in started) {
        lastError = started.error
        if (started.portInUse) continue
        break
      }
      return makeServer(started.child, knotc, conf, dir, host, port, zoneFiles)
    }
    throw lastError ?? new Error('knotd did not start')
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true })
    throw err
  }
}

function isLoopback(host: string): boolean {
  return (net.isIPv4(host) && host.startsWith('127.')) || (net.isIPv6(host) && host === '::1')
}

/** Looks for an executable on PATH, then in /usr/sbin (often not on a user's PATH). */
async function findTool(name: string): Promise<string | undefined> {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/sbin', '/sbin']
  for (const d of dirs) {
    if (!d) continue
    const candidate = path.join(d, name)
    try {
      await fs.access(candidate, fsConstants.X_OK)
      return candidate
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined
}

async function readZones(options: KnotZones): Promise<Map<string, string>> {
  const zones = new Map<string, string>()
  if ('zones' in options) {
    for (const [zone, text] of Object.entries(options.zones)) zones.set(zoneName(zone), text)
    return zones
  }
  // Copied into the temp dir, so writeZone() never touches the caller's files.
  for (const entry of await fs.readdir(options.zoneDir)) {
    if (!entry.endsWith('.zone')) continue
    const text = await fs.readFile(path.join(options.zoneDir, entry), 'utf8')
    zones.set(zoneName(entry.slice(0, -'.zone'.length)), text)
  }
  return zones
}

function zoneName(zone: string): string {
  const name = normalizeName(zone)
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) {
    throw new Error(`startKnot: "${zone}" is not a zone name this harness supports`)
  }
  return name
}

/** Binds TCP and UDP on the same port so knotd can take both. */
async function findFreePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const server = net.createServer()
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, host, () => {
        const address = server.address()
        resolve(typeof address === 'object' && address ? address.port : 0)
      })
    })
    const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4')
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, host, () => resolve(true))
    })
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await new Promise<void>((resolve) => udp.close(() => resolve()))
    if (udpFree && port > 0) return port
  }
  throw new Error(`no free port on ${host} for both UDP and TCP`)
}

function knotConfig(dir: string, host: string, port: number, zoneFiles: Map<string, string>) {
  const q = (text: string): string => JSON.stringify(text)
  const lines = [
    'server:',
    `    rundir: ${q(dir)}`,
    // knotd switches to `user` after binding; root:root (the default) keeps it as it is
    // when the tests run as root. Left out otherwise, so knotd does not try to setuid.
    ...(process.getuid?.() === 0 ? ['    user: root:root'] : []),
    `    listen: ${q(`${host}@${port}`)}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'database:',
    `    storage: ${q(dir)}`,
    'control:',
    `    listen: ${q(path.join(dir, 'knot.sock'))}`,
    'log:',
    '  - target: stderr',
    '    any: info',
    'template:',
    '  - id: default',
    `    storage: ${q(path.join(dir, 'zones'))}`,
    // The zone is exactly the file: no journal, no differences, no serial rewriting, and
    // knotd never writes the file back.
    '    zonefile-load: whole',
    '    journal-content: none',
    '    zonefile-sync: -1',
    '    semantic-checks: off',
    '    dnssec-signing: off',
    'zone:'
  ]
  for (const [zone, file] of zoneFiles) {
    lines.push(`  - domain: ${q(zone)}`, `    file: ${q(file)}`)
  }
  return lines.join('\n') + '\n'
}

type Launched = { child: ChildProcess } | { error: Error; portInUse: boolean }

async function launch(
  knotd: string,
  conf: string,
  host: string,
  port: number,
  zoneFiles: Map<string, string>
): Promise<Launched> {
  const child = spawn(knotd, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child)
  let log = ''
  const append = (chunk: Buffer): void => {
    // Keep the log bounded; its head says why a start failed.
    if (log.length < 200_000) log += chunk.toString('utf8')
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  logs.set(child, () => log)
  let spawnError: Error | undefined
  child.on('error', (err) => {
    spawnError = err
  })

  const deadline = Date.now() + START_DEADLINE_MS
  const serials = new Map<string, number | undefined>()
  for (const zone of zoneFiles.keys()) serials.set(zone, undefined)
  const ready = await waitForSerials(host, port, serials, deadline, () => {
    if (spawnError !== undefined) return `cannot run ${knotd}`
    return whyNotServing(child, log)
  })
  if (ready === true) return { child }
  await kill(child)
  const why = spawnError ? `: ${spawnError.message}` : ''
  return {
    error: new Error(
      `knotd on ${host}@${port} did not serve ${[...zoneFiles.keys()].join(', ')} ` +
        `(${ready})${why}\n--- knotd log ---\n${log}`
    ),
    portInUse: /address already in use|failed to bind/i.test(log)
  }
}

const logs = new WeakMap<ChildProcess, () => string>()

/** Why waiting for knotd is pointless now: it exited, or a zone failed to load. */
function whyNotServing(child: ChildProcess, log: string): string | undefined {
  if (child.exitCode !== null || child.signalCode !== null) return 'knotd exited'
  // Knot keeps running without a zone that failed to load; no need to wait for the deadline.
  const failed = /\[([^\]]*)\] zone event 'load' failed/.exec(log)
  return failed ? `zone ${failed[1]} failed to load` : undefined
}

function track(child: ChildProcess): void {
  running.add(child)
  child.once('exit', () => running.delete(child))
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL')
    })
  }
}

/**
 * Polls each zone's SOA over UDP (RD=0) until every zone answers, with the given serial where
 * one is given. A fresh resolver per round, because a resolver keeps its answers.
 * Returns true, or why it stopped.
 */
async function waitForSerials(
  host: string,
  port: number,
  serials: Map<string, number | undefined>,
  deadline: number,
  gone: () => string | undefined
): Promise<true | string> {
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    const reason = gone()
    if (reason !== undefined) return reason
    const resolver = createWireResolver({
      name: 'knot-probe',
      kind: 'authoritative',
      host,
      port,
      recursionDesired: false,
      timeoutMs: 200,
      tries: 1
    })
    try {
      const checks = await Promise.all(
        [...serials].map(async ([zone, serial]) => {
          const outcome = await resolver.query({ name: zone, type: 'SOA' })
          if (!outcome.ok) return `${zone}: ${outcome.error}`
          const soa = outcome.response.answers.find((r) => r.type === 'SOA')
          if (outcome.response.rcode !== 'NOERROR' || !soa) {
            return `${zone}: ${outcome.response.rcode} without SOA`
          }
          const served = Number(soa.data.split(' ')[2])
          if (serial !== undefined && served !== serial) {
            return `${zone}: serial ${served}, waiting for ${serial}`
          }
          return undefined
        })
      )
      const waiting = checks.filter((c): c is string => c !== undefined)
      if (waiting.length === 0) return true
      last = waiting.join('; ')
    } finally {
      await resolver.close()
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return `deadline passed: ${last}`
}

/** SIGTERM, then SIGKILL if it is still there after the grace period; resolves on exit. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.kill(child.pid, 'SIGTERM')
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }, STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

/**
 * The SOA serial written in a zone file: the third field after the SOA type, once comments
 * and parentheses are gone. Undefined if the file has no SOA we can read.
 */
export function zoneFileSerial(text: string): number | undefined {
  const tokens = text
    .split('\n')
    .map(stripComment)
    .join(' ')
    .replace(/[()]/g, ' ')
    .split(/\s+/)
    .filter((t) => t !== '')
  const soa = tokens.findIndex((t) => t.toUpperCase() === 'SOA')
  if (soa === -1) return undefined
  const serial = tokens[soa + 3]
  return serial !== undefined && /^\d+$/.test(serial) ? Number(serial) : undefined
}

/** Cuts a zone file line at a `;` comment, leaving `;` inside quoted strings alone. */
function stripComment(line: string): string {
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '\\') i++
    else if (c === '"') quoted = !quoted
    else if (c === ';' && !quoted) return line.slice(0, i)
  }
  return line
}

function runKnotc(knotc: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(knotc, args, { timeout: START_DEADLINE_MS }, (err, stdout, stderr) => {
      if (err)
        reject(new Error(`knotc ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`))
      else resolve()
    })
  })
}

function makeServer(
  child: ChildProcess,
  knotc: string,
  conf: string,
  dir: string,
  host: string,
  port: number,
  zoneFiles: Map<string, string>
): KnotServer {
  const fileOf = (zone: string): [string, string] => {
    const name = normalizeName(zone)
    const file = zoneFiles.get(name)
    if (!file)
      throw new Error(`knot: zone ${zone} is not served (${[...zoneFiles.keys()].join(', ')})`)
    return [name, file]
  }
  let stopped: Promise<void> | undefined
  return {
    host,
    port,
    address: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
    dir,
    pid: child.pid ?? -1,
    async writeZone(zone: string, text: string): Promise<void> {
      await fs.writeFile(fileOf(zone)[1], text)
    },
    async reload(zone?: string): Promise<void> {
      const targets = zone === undefined ? [...zoneFiles.keys()] : [fileOf(zone)[0]]
      const logBefore = logs.get(child)?.().length ?? 0
      const logSince = (): string => logs.get(child)?.().slice(logBefore) ?? ''
      // -b waits for the reload event itself; the SOA poll below waits for it to be served.
      try {
        await runKnotc(knotc, ['-c', conf, '-b', 'zone-reload', ...targets])
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        throw new Error(`${message}\n--- knotd log ---\n${logSince()}`, { cause: err })
      }
      const serials = new Map<string, number | undefined>()
      for (const name of targets) {
        serials.set(name, zoneFileSerial(await fs.readFile(fileOf(name)[1], 'utf8')))
      }
      const deadline = Date.now() + START_DEADLINE_MS
      const done = await waitForSerials(host, port, serials, deadline, () =>
        whyNotServing(child, logSince())
      )
      if (done !== true) {
        throw new Error(
          `knot reload of ${targets.join(', ')}: ${done}\n--- knotd log ---\n${logSince()}`
        )
      }
    },
    stop(): Promise<void> {
      stopped ??= (async () => {
        await kill(child)
        await fs.rm(dir, { recursive: true, force: true })
      })()
      return stopped
    }
  }
}
