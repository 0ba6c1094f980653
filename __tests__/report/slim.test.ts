import type { DomainReport, RecordReport } from '../../src/report/report.js'
import { NONE, slim } from '../../src/report/slim.js'
import { renderText } from '../../src/report/text.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import type { Report } from '../../src/report/report.js'

const answers = [{ name: 'mt07.shop.test', type: 'CNAME', data: 'smtp.mailtrap.live', ttl: 300 }]

function record(key: string, verdicts: ('ok' | 'unknown')[]): RecordReport {
  const silent = verdicts.includes('unknown')
  return {
    key,
    type: 'CNAME',
    name: `${key}.shop.test`,
    expected: 'smtp.mailtrap.live',
    source: 'default',
    status: 'pass',
    checked: true,
    findings: silent
      ? [
          {
            code: 'unknown',
            severity: 'notice',
            resolvers: ['quad9'],
            message: 'quad9 (9.9.9.9:53) did not answer: timed out',
            hint: 'Run the check again.',
            detail: { kind: 'no-answer', error: 'quad9 (9.9.9.9:53) did not answer: timed out' },
            fix: [{ action: 'retry-resolver' }],
            seen: [],
            docs: ''
          }
        ]
      : [],
    observations: verdicts.map((verdict, i) => ({
      resolver: ['cloudflare', 'quad9'][i]!,
      rcode: verdict === 'ok' ? 'NOERROR' : null,
      authoritative: false,
      answers: verdict === 'ok' ? answers : [],
      ...(verdict === 'ok' ? {} : { error: 'quad9 (9.9.9.9:53) did not answer: timed out' }),
      verdict
    }))
  } as RecordReport
}

function domain(records: RecordReport[]): DomainReport {
  return {
    domain: 'shop.test',
    zone: 'shop.test',
    line: 3,
    status: 'pass',
    records,
    findings: [],
    nameServers: [],
    dnsHost: null,
    mailtrap: null
  }
}

function report(d: DomainReport): Report {
  return {
    schemaVersion: 1,
    tool: { name: 't', version: '0' },
    generatedAt: '',
    config: 'domains.yaml',
    resolvers: [],
    summary: { domains: 1, pass: 1, warn: 0, fail: 0, unknown: 0 },
    domains: [d]
  }
}

describe('slim', () => {
  it('keeps no observation of a record every resolver found right, and no answers of the rest', () => {
    const whole = domain([record('mt07', ['ok', 'ok']), record('dkim1', ['ok', 'unknown'])])
    const kept = slim(whole)
    expect(kept.records[0]!.observations).toEqual([])
    expect(kept.records[1]!.observations).toEqual([
      {
        resolver: 'cloudflare',
        rcode: 'NOERROR',
        authoritative: false,
        answers: [],
        verdict: 'ok'
      },
      {
        resolver: 'quad9',
        rcode: null,
        authoritative: false,
        answers: [],
        error: 'quad9 (9.9.9.9:53) did not answer: timed out',
        verdict: 'unknown'
      }
    ])
    expect(renderText(report(kept), { color: false })).toBe(
      renderText(report(whole), { color: false })
    )
    expect(renderMarkdown(report(kept))).toBe(renderMarkdown(report(whole)))
  })

  it('keeps a domain that is not passing whole', () => {
    const failing = { ...domain([record('mt07', ['ok', 'unknown'])]), status: 'fail' as const }
    expect(slim(failing)).toBe(failing)
  })

  it('shares one frozen empty list among the plain records it keeps: a change in place throws', () => {
    const kept = [1, 2].map(() => slim(domain([record('mt07', ['ok', 'ok'])])))
    expect(kept[0]!.records[0]!.observations).toBe(NONE)
    expect(kept[1]!.records[0]!.observations).toBe(NONE)
    expect(Object.isFrozen(NONE)).toBe(true)
    expect(() => (kept[0]!.records[0]!.observations as unknown[]).push({})).toThrow(TypeError)
    expect(NONE).toEqual([])
  })
})
