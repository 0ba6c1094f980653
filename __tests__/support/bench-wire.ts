/**
 * A quick benchmark of the wire transport against Knot on loopback: N distinct questions
 * (default 50,000) through one resolver, wall time and questions per second. Not a test.
 * Run: npx tsc -p . --noEmit false --outDir .bench-build && node .bench-build/__tests__/support/bench-wire.js [N] [maxInFlight]
 */
import { createWireResolver } from '../../src/dns/wire-client.js'
import { startKnot } from './knot.js'

const count = Number(process.argv[2] ?? 50_000)
const maxInFlight = Number(process.argv[3] ?? 64)
const names = 10_000
const types = ['A', 'TXT', 'AAAA', 'CNAME', 'MX']

const lines = [
  '$TTL 300',
  '@ SOA ns1 hostmaster 1 7200 900 1209600 300',
  '@ NS ns1',
  'ns1 A 127.0.0.1'
]
for (let i = 0; i < names; i++) {
  lines.push(`n${i} A 192.0.2.${i % 250}`, `n${i} TXT "v=spf1 include:_spf.example.net ~all"`)
}
const knot = await startKnot({ zones: { 'bench.test': lines.join('\n') + '\n' } })
try {
  for (let round = 0; round < 3; round++) {
    const resolver = createWireResolver({
      name: 'knot',
      kind: 'authoritative',
      host: knot.host,
      port: knot.port,
      recursionDesired: false,
      timeoutMs: 2000,
      maxInFlight
    })
    const memBefore = process.memoryUsage().rss
    const started = process.hrtime.bigint()
    const cpuBefore = process.cpuUsage()
    const outcomes = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        resolver.query({
          name: `n${Math.floor(i / types.length) % names}.bench.test`,
          type: types[i % types.length] as string
        })
      )
    )
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    const cpu = process.cpuUsage(cpuBefore)
    const cpuMs = (cpu.user + cpu.system) / 1000
    const failed = outcomes.filter((o) => !o.ok).length
    const rss = Math.round((process.memoryUsage().rss - memBefore) / 1e6)
    const stats = resolver.stats()
    console.log(
      `round ${round + 1}: ${count} questions in ${ms.toFixed(0)} ms (CPU ${cpuMs.toFixed(0)} ms), ` +
        `${Math.round((count / ms) * 1000)} q/s, ${failed} failed, sent ${stats.sent}, ` +
        `tcp ${stats.tcp}, rss +${rss} MB`
    )
    await resolver.close()
  }
} finally {
  await knot.stop()
}
