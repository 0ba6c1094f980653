// Benchmarks of the built CLI (dist/cli.js), on loopback only: zone files read offline, a real
// Knot server asked as resolver and as authoritative server, and a resolver that never answers.
// Writes the figures to docs/benchmarks.md. Run with `npm run bench` after `npm run build`.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'dist/cli.js')
const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

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

const hasTime = existsSync('/usr/bin/time')

/** Run the CLI; wall seconds and peak resident memory (MiB, when /usr/bin/time is there). */
function measure(args) {
  const start = process.hrtime.bigint()
  const command = hasTime ? '/usr/bin/time' : process.execPath
  const argv = hasTime ? ['-f', '%M', process.execPath, cli, ...args] : [cli, ...args]
  const run = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const lastLine = run.stderr.trim().split('\n').at(-1) ?? ''
  const rssMiB = hasTime ? Number(lastLine) / 1024 : NaN
  const report = JSON.parse(run.stdout)
  return { seconds, rssMiB, code: run.status, report }
}

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Knot on 127.0.0.1 serving the zone files; resolves once it answers. */
async function startKnot(dir, names) {
  const knotd = existsSync('/usr/sbin/knotd') ? '/usr/sbin/knotd' : 'knotd'
  const port = await freePort()
  const conf = [
    'server:',
    `    listen: 127.0.0.1@${port}`,
    `    rundir: "${dir}"`,
    ...(process.getuid?.() === 0 ? ['    user: root:root'] : []),
    'database:',
    `    storage: "${dir}"`,
    'template:',
    '  - id: default',
    `    storage: "${join(dir, 'zones')}"`,
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    'zone:',
    ...names.map((n) => `  - domain: ${n}\n    file: "${n}.zone"`)
  ].join('\n')
  await writeFile(join(dir, 'knot.conf'), conf + '\n')
  const child = spawn(knotd, ['-c', join(dir, 'knot.conf')], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    const probe = spawnSync(
      'kdig',
      ['+short', '+norec', '+time=1', `@127.0.0.1`, '-p', String(port), names.at(-1), 'SOA'],
      {
        encoding: 'utf8'
      }
    )
    if (probe.stdout.trim()) return { port, stop: () => child.kill('SIGTERM') }
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill('SIGKILL')
  throw new Error('knotd did not start')
}

function row(label, domains, m) {
  const queries = m.report.domains
    .flatMap((d) => d.records)
    .reduce((n, r) => n + r.observations.length, 0)
  const rss = Number.isNaN(m.rssMiB) ? 'n/a' : m.rssMiB.toFixed(0)
  return `| ${label} | ${domains} | ${m.seconds.toFixed(2)} | ${(domains / m.seconds).toFixed(0)} | ${rss} | ${queries} | ${m.code} |`
}

const results = []
const offline = await fixture(1000)
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
  results.push(row(`offline zone files`, count, measure(args)))
}

const live = await fixture(300)
const knot = await startKnot(live.dir, live.names)
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
  results.push(row('Knot as resolver and authoritative server', 300, measure(args)))
  const capped = measure([...args, '--max-in-flight', '4'])
  results.push(row('the same, at most 4 queries in flight', 300, capped))
} finally {
  knot.stop()
}

const dead = measure([
  'check',
  '--config',
  join(live.dir, 'domains.yaml'),
  '--resolver',
  'dead=127.0.0.1:9',
  '--format',
  'json'
])
results.push(row('a resolver that never answers (2 tries × 2000 ms)', 300, dead))

await rm(offline.dir, { recursive: true, force: true })
await rm(live.dir, { recursive: true, force: true })

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
const markdown = `# Benchmarks

\`npm run bench\` (scripts/bench.mjs) runs the built CLI, \`dist/cli.js\`, as a user would, on
loopback only, and rewrites this page. Every third domain has a doubled DKIM name, so the probes
that explain a miss run too. Peak memory is the CLI process's maximum resident set
(\`/usr/bin/time -f %M\`).

Machine: ${machine}. Run: ${new Date().toISOString()}.

| scenario | domains | seconds | domains/s | peak MiB | answers recorded | exit |
|---|---|---|---|---|---|---|
${results.join('\n')}

What the figures show:

- Offline, both runs read all 1000 zone files (one per domain) and check 100 or all 1000 of the
  domains: reading and checking a thousand-domain DNS-config repo takes about a second.
- Against a real server, every question of a run is asked once per resolver (identical questions
  share one query), over one UDP socket per resolver; capping the queries in flight
  (\`--max-in-flight\`) trades speed for load on the server.
- A resolver that never answers costs about timeout × tries once per run, not once per query:
  after its first question gives up, every later question to it fails at once.
`
await writeFile(join(root, 'docs/benchmarks.md'), markdown)
console.log(markdown)
