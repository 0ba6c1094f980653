// The fleet benchmark of issue 12: N healthy domains, one zone each on one Knot on loopback,
// checked by the built CLI through two resolvers and the authoritative server (all three the
// same Knot), against dnsperf sending the same 5 × N questions three times to the same Knot.
// Also the latency case: one domain, four resolvers behind a relay adding 50 ms each way.
import { spawnSync } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startKnot } from './bench-knot.mjs'
import { measure, median, peak } from './bench-measure.mjs'
import { startRelay } from './bench-relay.mjs'

export const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

/** The five questions the CLI asks of a domain, as dnsperf reads them (name and type). */
export function questions(name) {
  return [
    `mt07.${name} CNAME`,
    `rwmt1._domainkey.${name} CNAME`,
    `rwmt2._domainkey.${name} CNAME`,
    `mt-link.${name} CNAME`,
    `_dmarc.${name} TXT`
  ]
}

/** A zone with every record Mailtrap expects, right: the domain passes. */
export function healthyZone(name) {
  return [
    `$ORIGIN ${name}.`,
    '$TTL 3600',
    '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
    '@ IN NS ns1',
    'ns1 IN A 192.0.2.53',
    'mt07 IN CNAME smtp.mailtrap.live.',
    'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    `_dmarc IN TXT "${DMARC}"`,
    ''
  ].join('\n')
}

/** Names f0.fleet.test … f(N-1).fleet.test and a domains.yaml listing them. */
export function fleetNames(count) {
  return Array.from({ length: count }, (_, i) => `f${i}.fleet.test`)
}

async function writeConfig(file, names) {
  const lines = [
    'version: 1',
    'domains:',
    ...names.map((n) => `  - name: ${n}\n    verification: mt07`)
  ]
  await writeFile(file, lines.join('\n') + '\n')
}

/** Installs dnsperf with apt-get when it is missing and this runs as root; else says how. */
export function ensureDnsperf() {
  const has = () => spawnSync('dnsperf', ['-h'], { stdio: 'ignore' }).error === undefined
  if (has()) return
  if (process.getuid?.() === 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
    spawnSync('apt-get', ['install', '-y', '-qq', 'dnsperf'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    })
    if (has()) return
  }
  throw new Error(
    "dnsperf is needed for the fleet benchmark: run 'apt-get install -y dnsperf' (outside a " +
      'network namespace), then the benchmark again'
  )
}

/** The arguments dnsperf runs with, the port and data file left to fill in. */
export const DNSPERF_FLAGS = ['-n', '3', '-e', '-l', '300', '-t', '5']

/** Every domain of the JSON report at `file` passes; else throws with the first few that do not. */
async function assertAllPass(file, count) {
  const report = JSON.parse(await readFile(file, 'utf8'))
  const failing = report.domains.filter((d) => d.status !== 'pass')
  if (report.domains.length !== count || failing.length > 0) {
    const sample = failing
      .slice(0, 3)
      .map((d) => `${d.domain}: ${d.status} ${JSON.stringify(d.records.map((r) => r.findings))}`)
    throw new Error(
      `expected ${count} passing domains, got ${report.domains.length} with ${failing.length} not passing\n${sample.join('\n')}`
    )
  }
  return report
}

/**
 * One fleet of `count` domains in `dir`: Knot started, the CLI (run by `node`) and dnsperf
 * `repeat` times each (median wall times, their spread, the highest peak RSS), Knot stopped. Throws unless every
 * domain passes every time and dnsperf loses no question.
 */
export async function runFleet({
  cli,
  dir,
  count,
  timeoutMs,
  repeat = 3,
  transport = 'udp',
  node = process.execPath
}) {
  const names = fleetNames(count)
  const config = join(dir, 'domains.yaml')
  const output = join(dir, 'report.json')
  const data = join(dir, 'questions.txt')
  await writeConfig(config, names)
  await writeFile(data, names.flatMap(questions).join('\n') + '\n')
  const knot = await startKnot(join(dir, 'knot'), new Map(names.map((n) => [n, healthyZone(n)])))
  try {
    // tcp: the CLI asks over one pipelined TCP connection per server (tcp://, RFC 7766).
    const address = `${transport === 'tcp' ? 'tcp://' : ''}127.0.0.1:${knot.port}`
    const cliArgs = [
      cli,
      'check',
      '--config',
      config,
      '--resolver',
      `a=${address}`,
      '--resolver',
      `b=${address}`,
      '--authoritative',
      address,
      '--format',
      'json',
      '--output',
      output
    ]
    const dnsperfArgs = ['-s', '127.0.0.1', '-p', String(knot.port), '-d', data, ...DNSPERF_FLAGS]
    // The CLI and dnsperf in turn, `repeat` times each: a burst of load on a shared machine
    // then hits both alike, and the medians say more than any one run.
    const floorArgs = (mode) => [FLOOR, transport, String(knot.port), data, mode]
    const tools = []
    const perfs = []
    const floors = []
    const ioFloors = []
    let recorded = 0
    // Each run with the CPU time Knot spent answering it: on a machine of few cores the two
    // processes share them, and their sum over the cores is the least wall time they allow.
    const withKnot = async (run) => {
      const before = knot.cpuSeconds()
      const result = await run()
      return { ...result, knotCpuSeconds: knot.cpuSeconds() - before }
    }
    for (let i = 0; i < repeat; i++) {
      const tool = await withKnot(() => measure(node, cliArgs, { timeoutMs }))
      if (tool.timedOut)
        throw new Error(`the CLI did not finish ${count} domains in ${timeoutMs} ms`)
      if (tool.code !== 0) throw new Error(`the CLI exited with ${tool.code}: ${tool.stderr}`)
      const report = await assertAllPass(output, count)
      recorded = report.domains
        .flatMap((d) => d.records)
        .reduce((n, r) => n + r.observations.length, 0)
      await rm(output)
      tools.push(tool)
      perfs.push(await withKnot(() => runDnsperf(dnsperfArgs, count, timeoutMs)))
      floors.push(await withKnot(() => runFloor(node, floorArgs('decode'), count, timeoutMs)))
      ioFloors.push(await withKnot(() => runFloor(node, floorArgs('count'), count, timeoutMs)))
    }
    const toolSeconds = median(tools.map((t) => t.seconds))
    const perfSeconds = median(perfs.map((p) => p.seconds))
    return {
      count,
      repeat,
      transport,
      tool: { ...summarize(tools), rssMiB: peak(tools.map((t) => t.rssMiB)), recorded },
      dnsperf: {
        ...summarize(perfs),
        rssMiB: peak(perfs.map((p) => p.rssMiB)),
        qps: median(perfs.map((p) => p.qps)),
        sent: perfs[0].sent
      },
      floor: summarize(floors),
      ioFloor: summarize(ioFloors),
      ratio: perfSeconds / toolSeconds,
      dnsperfCommand: `dnsperf -s 127.0.0.1 -p PORT -d questions.txt ${DNSPERF_FLAGS.join(' ')}`
    }
  } finally {
    await knot.stop()
  }
}

/** One dnsperf run; throws unless it sent all 15 × count questions and lost none. */
async function runDnsperf(args, count, timeoutMs) {
  const perf = await measure('dnsperf', args, { timeoutMs })
  if (perf.code !== 0) throw new Error(`dnsperf exited with ${perf.code}: ${perf.stderr}`)
  const stat = (label) => Number(new RegExp(`${label}:\\s+([\\d.]+)`).exec(perf.stdout)?.[1])
  const sent = stat('Queries sent')
  const lost = stat('Queries lost')
  if (sent !== 15 * count || lost !== 0) {
    throw new Error(`dnsperf sent ${sent} of ${15 * count} questions and lost ${lost}`)
  }
  return {
    seconds: perf.seconds,
    rssMiB: perf.rssMiB,
    cpuSeconds: perf.cpuSeconds,
    qps: stat('Queries per second'),
    sent
  }
}

/** scripts/bench-floor.mjs: plain Node asking the same questions and doing nothing else. */
const FLOOR = fileURLToPath(new URL('./bench-floor.mjs', import.meta.url))

/** Median wall time and its spread, and the median CPU seconds of the run and of Knot. */
function summarize(runs) {
  const seconds = runs.map((r) => r.seconds)
  return {
    seconds: median(seconds),
    range: range(seconds),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    knotCpuSeconds: median(runs.map((r) => r.knotCpuSeconds))
  }
}

/** One run of the floor; throws unless all 15 × count questions were answered. */
async function runFloor(node, args, count, timeoutMs) {
  const floor = await measure(node, args, { timeoutMs })
  const counts = JSON.parse(floor.stdout || '{}')
  if (floor.code !== 0 || counts.answered !== 15 * count) {
    throw new Error(`the floor exited with ${floor.code}: ${floor.stdout}${floor.stderr}`)
  }
  return floor
}

function range(values) {
  return [Math.min(...values), Math.max(...values)]
}

/**
 * The latency case: one healthy domain on Knot, three resolvers and the authoritative server
 * (the default set's shape) each behind a relay port adding `delayMs` each way. The median of
 * `runs` runs, in round trips (wall / 2 × delayMs); the same runs straight to Knot, whose
 * difference is the time spent waiting on the network; and the relay's own view, from the first
 * question in to the last answer out.
 */
export async function runLatency({ cli, dir, delayMs = 50, runs = 5, timeoutMs = 60_000 }) {
  const name = 'latency.fleet.test'
  const config = join(dir, 'latency.yaml')
  await writeConfig(config, [name])
  const knot = await startKnot(join(dir, 'latency-knot'), new Map([[name, healthyZone(name)]]))
  const relay = await startRelay({ target: knot.port, delayMs, count: 4 })
  const argsFor = (ports) => [
    cli,
    'check',
    '--config',
    config,
    ...ports.slice(0, 3).flatMap((p, i) => ['--resolver', `r${i + 1}=127.0.0.1:${p}`]),
    '--authoritative',
    `127.0.0.1:${ports[3]}`,
    '--format',
    'json'
  ]
  try {
    const once = async (ports) => {
      const m = await measure(process.execPath, argsFor(ports), { timeoutMs })
      if (m.code !== 0) throw new Error(`latency run exited with ${m.code}: ${m.stderr}`)
      const report = JSON.parse(m.stdout)
      if (report.domains[0]?.status !== 'pass') throw new Error('the latency domain did not pass')
      return m.seconds
    }
    const relayed = []
    const direct = []
    const spans = []
    let datagrams = []
    for (let i = 0; i < runs; i++) {
      relay.reset()
      relayed.push(await once(relay.ports))
      spans.push(relay.span())
      datagrams = relay.forwarded()
      direct.push(await once([knot.port, knot.port, knot.port, knot.port]))
    }
    const rtt = (2 * delayMs) / 1000
    const wall = median(relayed)
    const base = median(direct)
    return {
      delayMs,
      runs,
      seconds: wall,
      roundTrips: wall / rtt,
      directSeconds: base,
      waitingRoundTrips: (wall - base) / rtt,
      wireRoundTrips: median(spans) / rtt,
      datagrams
    }
  } finally {
    await relay.close()
    await knot.stop()
  }
}
