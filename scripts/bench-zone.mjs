// Memory of `check --zone-dir` over one large zone file (issue 13): a zone of about 200 MB,
// millions of ordinary records of unrelated hosts plus the five records Mailtrap expects for the
// one domain checked. Runs the built CLI (dist/cli.js) and, for comparison, an earlier build
// taken from git (dist/ is committed), each as a child measured by GNU time, and checks that
// both give the same report. Writes its own section of docs/benchmarks.md (replacing the one
// there, if any), so `scripts/bench.mjs` may call it after writing the page:
//
//   node scripts/bench-zone.mjs [--megabytes 200] [--baseline-rev REV | --baseline FILE]
//                               [--repeat 1] [--no-write]
//
// Run it inside a network namespace with only loopback; zone files need no network at all.
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { parseArgs } from 'node:util'
import { measure, median, peak, RSS_METHOD } from './bench-measure.mjs'

const root = new URL('..', import.meta.url).pathname

/** main before the zone store (issue 13, item 2): its committed dist/cli.js is the baseline. */
export const BASELINE_REV = '6ed3680237d06e55a69b7135e888355e0026297a'

const SECTION = '## Zone files: one 200 MB zone (issue 13)'
const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

/** The records of one host of the bulk: five types, about 190 bytes of text. */
function host(i) {
  const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  return (
    `h${i} 3600 IN A ${a}\n` +
    `h${i} 3600 IN AAAA 2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}\n` +
    `h${i} 3600 IN MX 10 mx${i % 97}.big.test.\n` +
    `h${i} 3600 IN TXT "v=spf1 ip4:${a} include:_spf.example.net -all"\n` +
    `www${i} 3600 IN CNAME h${i}\n`
  )
}

/** The densest zone of names: one short A record per host, a name per line. */
function denseHost(i) {
  return `a${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\n`
}

/**
 * Writes `dir/zones/big.test.zone` of about `megabytes` MB and `dir/domains.yaml` naming
 * big.test; resolves to the record count. `dense`: one A record per host instead of five records.
 */
export async function writeBigZone(dir, megabytes, { dense = false } = {}) {
  await mkdir(join(dir, 'zones'), { recursive: true })
  const out = createWriteStream(join(dir, 'zones', 'big.test.zone'))
  const head = [
    '$ORIGIN big.test.',
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
  out.write(head)
  let bytes = head.length
  let records = 10
  const target = megabytes * 1e6
  for (let i = 0; bytes < target; i++) {
    const text = dense ? denseHost(i) : host(i)
    bytes += text.length
    records += dense ? 1 : 5
    if (!out.write(text)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  await writeFile(
    join(dir, 'domains.yaml'),
    'version: 1\ndomains:\n  - name: big.test\n    verification: mt07\n'
  )
  return { records, bytes }
}

/** One CLI's runs over the zone: peak RSS (highest), wall time (median), the report. */
async function runCli(cli, dir, repeat) {
  const args = [
    cli,
    'check',
    '--config',
    join(dir, 'domains.yaml'),
    '--zone-dir',
    join(dir, 'zones'),
    '--format',
    'json'
  ]
  const runs = []
  for (let i = 0; i < repeat; i++) {
    const m = await measure(process.execPath, args, { timeoutMs: 15 * 60_000 })
    if (m.timedOut) throw new Error(`${cli} did not finish over the big zone`)
    runs.push(m)
  }
  const last = runs.at(-1)
  let report
  try {
    report = JSON.parse(last.stdout)
  } catch {
    report = undefined
  }
  return {
    rssMiB: peak(runs.map((r) => r.rssMiB)),
    seconds: median(runs.map((r) => r.seconds)),
    code: last.code,
    report
  }
}

/** A report without its time stamp, the one thing two runs over the same files may differ in. */
function comparable(report) {
  if (!report) return undefined
  const { generatedAt, ...rest } = report
  void generatedAt
  return JSON.stringify(sorted(rest))
}

/** `value` with every object's keys in order: the report's field order is not its content. */
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted(value[k])])
  )
}

/**
 * Measures the CLI `cli` (default dist/cli.js) and the baseline over a zone of `megabytes`;
 * resolves to the Markdown section, and writes it into docs/benchmarks.md unless `write` is false.
 */
export async function benchZone({
  cli = join(root, 'dist/cli.js'),
  megabytes = 200,
  baselineRev = BASELINE_REV,
  baseline,
  repeat = 1,
  write = true
} = {}) {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-zone-'))
  try {
    const started = new Date()
    const startLoad = loadavg()
    const log = (line) => console.error(`bench-zone: ${line}`)
    log(`writing a zone of ${megabytes} MB`)
    const zone = await writeBigZone(scratch, megabytes)
    let baselineCli = baseline
    let baselineLabel = baseline ? `\`${baseline}\`` : `main at ${baselineRev.slice(0, 7)}`
    if (!baselineCli) {
      baselineCli = join(scratch, 'baseline-cli.mjs')
      const text = execFileSync('git', ['show', `${baselineRev}:dist/cli.js`], {
        cwd: root,
        maxBuffer: 64 * 2 ** 20
      })
      await writeFile(baselineCli, text)
      baselineLabel = `main at ${baselineRev.slice(0, 7)} (its committed \`dist/cli.js\`)`
    }
    log('baseline')
    const before = await runCli(baselineCli, scratch, repeat)
    log('this build')
    const after = await runCli(cli, scratch, repeat)
    log(`writing a zone of ${megabytes} MB of one-record hosts`)
    const denseDir = join(scratch, 'dense')
    const denseZone = await writeBigZone(denseDir, megabytes, { dense: true })
    log('this build, the dense zone')
    const dense = await runCli(cli, denseDir, repeat)
    const same =
      before.report !== undefined &&
      comparable(before.report) === comparable(after.report) &&
      before.code === after.code
    const section = render({
      zone,
      before,
      after,
      same,
      baselineLabel,
      started,
      startLoad,
      repeat,
      dense,
      denseZone
    })
    if (write) {
      // This section replaces its earlier self, or goes at the end of the page.
      const file = join(root, 'docs/benchmarks.md')
      const page = await readFile(file, 'utf8')
      const at = page.indexOf(SECTION)
      const next = at === -1 ? -1 : page.indexOf('\n## ', at + SECTION.length)
      const head = at === -1 ? page : page.slice(0, at)
      const tail = next === -1 ? '' : `\n${page.slice(next + 1)}`
      await writeFile(file, `${head.trimEnd()}\n\n${section}${tail}`)
    }
    return section
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

function render({
  zone,
  before,
  after,
  same,
  baselineLabel,
  started,
  startLoad,
  repeat,
  dense,
  denseZone
}) {
  const cpu = cpus()
  const machine =
    `${cpu.length} cores (nproc; ${cpu[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}; load average ${startLoad.map((l) => l.toFixed(1)).join(' ')} at the ` +
    `start, ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end`
  const mib = (v) => (Number.isNaN(v) ? 'n/a' : v.toFixed(0))
  const row = (label, m) =>
    `| ${label} | ${mib(m.rssMiB)} | ${m.seconds.toFixed(1)} | ${m.code} | ${m.report?.domains[0]?.status ?? 'no report'} |`
  const under = after.rssMiB * 2 ** 20 < 1e9
  return `${SECTION}

\`node scripts/bench-zone.mjs\` writes one zone, \`big.test\`, of ${(zone.bytes / 1e6).toFixed(0)} MB:
${zone.records.toLocaleString('en')} records, the five Mailtrap expects for \`big.test\` and, for each of
${((zone.records - 10) / 5).toLocaleString('en')} unrelated hosts, an A, AAAA, MX and TXT record and a CNAME to
it. Then each build runs, ${repeat === 1 ? 'once' : `${repeat} times (wall time the median, peak RSS the highest)`}:

\`\`\`
node CLI check --config domains.yaml --zone-dir zones --format json
\`\`\`

The dense zone is the worst case for the names' index: the same size of file, with a name
and one A record (\`a123 A 10.0.0.123\`) per line, the five records of \`big.test\` at the
top; only this build runs it.

Peak memory is ${RSS_METHOD}. Machine: ${machine}. Run: ${started.toISOString()}.

| build | peak MiB | wall s | exit | big.test |
|---|---|---|---|---|
${row(baselineLabel, before)}
${row('this build (`dist/cli.js`)', after)}
${row(`this build, the dense zone (${denseZone.records.toLocaleString('en')} records)`, dense)}

The same JSON report from both (its fields in any order), but its time stamp: ${same ? 'yes' : '**no**'}. Target (issue 13): a 200 MB zone in under 1 GB
peak RSS: ${under ? 'met' : '**not met**'} (${mib(after.rssMiB)} MiB).
`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      megabytes: { type: 'string', default: '200' },
      'baseline-rev': { type: 'string', default: BASELINE_REV },
      baseline: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'no-write': { type: 'boolean', default: false }
    }
  })
  const section = await benchZone({
    megabytes: Number(values.megabytes),
    baselineRev: values['baseline-rev'],
    baseline: values.baseline,
    repeat: Number(values.repeat),
    write: !values['no-write']
  })
  console.log(section)
}
