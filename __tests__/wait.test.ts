import type { FindingReport } from '../src/report/findings.js'
import type { Report } from '../src/report/report.js'
import { exitCodeFor } from '../src/report/report.js'
import { parseDuration, settled, waitUntilSettled } from '../src/wait.js'

function report(
  status: 'pass' | 'warn' | 'fail' | 'unknown',
  findings: Partial<FindingReport>[] = []
): Report {
  return {
    schemaVersion: 1,
    tool: { name: 't', version: '0' },
    generatedAt: '',
    config: 'd.yaml',
    resolvers: [],
    summary: { domains: 1, pass: 0, warn: 0, fail: 0, unknown: 0, [status]: 1 },
    domains: [
      {
        domain: 'shop.test',
        zone: 'shop.test',
        line: 3,
        status,
        nameServers: [],
        dnsHost: null,
        findings: [],
        mailtrap: null,
        records: [
          {
            key: 'dkim1',
            type: 'CNAME',
            name: 'rwmt1._domainkey.shop.test',
            expected: 'x',
            source: 'default',
            status,
            checked: true,
            observations: [],
            findings: findings.map((f) => ({
              severity: 'warning' as const,
              resolvers: [],
              message: '',
              hint: '',
              detail: { kind: 'unconfigured' as const },
              fix: [],
              seen: [],
              code: 'missing' as const,
              docs: '',
              ...f
            }))
          }
        ]
      }
    ]
  }
}

/** A fake clock: sleeping moves time on at once. */
function ports() {
  let t = 0
  const pauses: number[] = []
  const lines: string[] = []
  return {
    pauses,
    lines,
    now: () => t,
    sleep: async (ms: number) => {
      pauses.push(ms)
      t += ms
    },
    progress: (line: string) => lines.push(line)
  }
}

describe('waitUntilSettled', () => {
  it('checks again until everything passes, with pauses growing by half up to 5 minutes', async () => {
    const p = ports()
    const rounds = [
      ...Array.from({ length: 9 }, () =>
        report('warn', [{ code: 'propagating', expiresAt: '2026-11-26T09:30:00.000Z' }])
      ),
      report('pass')
    ]
    const result = await waitUntilSettled(
      async () => ({ report: rounds.shift()!, failOn: 'error' }),
      { timeoutMs: 3_600_000, intervalMs: 30_000 },
      p
    )
    expect(result).toMatchObject({ exitCode: 0, rounds: 10 })
    expect(p.pauses).toEqual([
      30_000, 45_000, 67_500, 101_250, 151_875, 227_813, 300_000, 300_000, 300_000
    ])
    expect(p.lines[0]).toBe(
      'round 1 (0s): 1 record not settled: shop.test DKIM 1 (propagating); caches expire by 2026-11-26T09:30:00.000Z; next check in 30s'
    )
    expect(p.lines.at(-1)).toMatch(
      /^round 10 \(.*\): settled: nothing reaches --fail-on error and nothing is still changing$/
    )
  })

  it('does not settle on DNS alone while what it waits for too is not there yet', async () => {
    const p = ports()
    let n = 0
    const result = await waitUntilSettled(
      async () => ({ report: report('pass'), failOn: 'never' }),
      {
        timeoutMs: 3_600_000,
        intervalMs: 30_000,
        until: { done: () => ++n >= 3, says: 'Mailtrap has verified every domain' }
      },
      p
    )
    expect(result).toMatchObject({ exitCode: 0, rounds: 3 })
    expect(p.pauses).toEqual([30_000, 45_000])
    expect(p.lines.at(-1)).toMatch(
      /settled: nothing reaches --fail-on never and nothing is still changing, and Mailtrap has verified every domain$/
    )
  })

  it('never pauses for less than asked, even past the 5-minute cap', async () => {
    const p = ports()
    let n = 0
    await waitUntilSettled(
      async () => ({
        report: n++ < 2 ? report('fail', [{ code: 'missing', severity: 'error' }]) : report('pass'),
        failOn: 'error'
      }),
      { timeoutMs: 3_600_000, intervalMs: 600_000 },
      p
    )
    expect(p.pauses).toEqual([600_000, 600_000])
  })

  it('exits 1 on a definite failure at the deadline, after a last round at the deadline', async () => {
    const p = ports()
    const result = await waitUntilSettled(
      async () => ({
        report: report('fail', [{ code: 'missing', severity: 'error' }]),
        failOn: 'error'
      }),
      { timeoutMs: 40_000, intervalMs: 30_000 },
      p
    )
    expect(result.exitCode).toBe(1)
    expect(p.pauses).toEqual([30_000, 10_000])
    expect(p.lines.at(-1)).toMatch(/time is up/)
  })

  it('exits 3 when still inconclusive, and 1 when still propagating, at the deadline', async () => {
    const unknown = await waitUntilSettled(
      async () => ({ report: report('unknown', [{ code: 'unknown' }]), failOn: 'error' }),
      { timeoutMs: 1000, intervalMs: 1000 },
      ports()
    )
    expect(unknown.exitCode).toBe(3)
    const moving = await waitUntilSettled(
      async () => ({ report: report('warn', [{ code: 'propagating' }]), failOn: 'error' }),
      { timeoutMs: 1000, intervalMs: 1000 },
      ports()
    )
    expect(moving.exitCode).toBe(1)
  })
})

describe('settled', () => {
  it('does not wait for one unreachable cache beside right answers, but for a record nothing answered', async () => {
    const oneDead = report('warn', [{ code: 'unknown' }])
    expect(settled(oneDead, 'error')).toBe(true)
    expect(settled(report('unknown', [{ code: 'unknown' }]), 'error')).toBe(false)
    expect(settled(report('warn', [{ code: 'propagating' }]), 'error')).toBe(false)
  })

  it('exits 0 with fail-on never at the deadline, as check does, unless nothing answered', async () => {
    const moving = await waitUntilSettled(
      async () => ({ report: report('warn', [{ code: 'propagating' }]), failOn: 'never' }),
      { timeoutMs: 1000, intervalMs: 1000 },
      ports()
    )
    expect(moving.exitCode).toBe(0)
    const dark = await waitUntilSettled(
      async () => ({ report: report('unknown', [{ code: 'unknown' }]), failOn: 'never' }),
      { timeoutMs: 1000, intervalMs: 1000 },
      ports()
    )
    expect(dark.exitCode).toBe(3)
  })
})

describe('exitCodeFor', () => {
  it('never turns an unknown into 1, whatever --fail-on says', () => {
    expect(exitCodeFor(report('unknown', [{ code: 'unknown' }]), 'warning')).toBe(3)
    expect(exitCodeFor(report('warn', [{ code: 'unknown' }]), 'warning')).toBe(0)
    expect(exitCodeFor(report('warn', [{ code: 'propagating' }]), 'warning')).toBe(1)
  })
})

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1500ms', 1500],
    ['90', 90_000],
    ['0.5s', 500]
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['', 'soon', '5 m', '1x', '-1s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow('is not a duration')
  })
})

describe('durations a timer can hold', () => {
  it('refuses what would overflow a timer, and takes what it can hold', () => {
    expect(() => parseDuration('600h')).toThrow('longer than a timer can hold')
    expect(() => parseDuration('2200000000')).toThrow('longer than a timer can hold')
    expect(parseDuration('576h')).toBe(576 * 3_600_000)
    expect(parseDuration('90')).toBe(90_000)
  })
})
