// check() with a JSON stream: every domain written whole, in the config's order, while the
// report it returns keeps plain passing domains slim; every other rendering is unchanged.
import { readFile } from 'node:fs/promises'
import { check } from '../src/check.js'
import { loadConfig } from '../src/config/load-config.js'
import { createZoneFileResolver } from '../src/dns/zone-source.js'
import { JsonReportWriter } from '../src/report/json-stream.js'
import { renderMarkdown } from '../src/report/markdown.js'
import { renderText } from '../src/report/text.js'

const examples = new URL('../examples/', import.meta.url).pathname
const now = (): Date => new Date('2026-11-26T08:00:00Z')

async function run(streamed: boolean) {
  const config = loadConfig(
    await readFile(`${examples}domains.yaml`, 'utf8'),
    'examples/domains.yaml'
  )
  const chunks: string[] = []
  const writer = new JsonReportWriter((chunk) => {
    chunks.push(chunk)
  })
  const resolvers = [await createZoneFileResolver(`${examples}zones`)]
  const report = await check(config, { resolvers, now }, streamed ? { stream: writer } : {})
  if (streamed) await writer.end(report)
  return { config, report, json: chunks.join('') }
}

describe('check with a JSON stream', () => {
  it('writes every domain whole, in the config’s order, and keeps passing ones slim', async () => {
    const whole = await run(false)
    const streamed = await run(true)
    const parsed = JSON.parse(streamed.json) as typeof whole.report
    expect(parsed.domains).toEqual(JSON.parse(JSON.stringify(whole.report.domains)))
    expect(parsed.domains.map((d) => d.domain)).toEqual(whole.config.domains.map((d) => d.name))
    expect(parsed.summary).toEqual(whole.report.summary)
    // The passing domain kept in memory has its verdicts, not each resolver's answers.
    const passing = streamed.report.domains.filter((d) => d.status === 'pass')
    expect(passing.length).toBeGreaterThan(0)
    for (const d of passing) for (const r of d.records) expect(r.observations).toEqual([])
    const failing = streamed.report.domains.filter((d) => d.status !== 'pass')
    expect(failing.some((d) => d.records.some((r) => r.observations.length > 0))).toBe(true)
  })

  it('renders text and Markdown from the slim report exactly as from the whole, findings alike', async () => {
    const whole = (await run(false)).report
    const slim = (await run(true)).report
    expect(renderText(slim, { color: false })).toBe(renderText(whole, { color: false }))
    expect(renderMarkdown(slim)).toBe(renderMarkdown(whole))
    // Annotations are made from the findings, which slimming never touches.
    const findings = (r: typeof whole) =>
      r.domains.map((d) => [d.status, d.findings, d.records.map((x) => [x.status, x.findings])])
    expect(findings(slim)).toEqual(findings(whole))
  })

  it('never passes a record no resolver was asked for (discovery may find no server)', async () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - name: example.com\n    verification: mt07\n',
      'domains.yaml'
    )
    const report = await check(config, { resolvers: [], now })
    expect(report.domains[0]!.records.map((r) => r.status)).not.toContain('pass')
    expect(report.domains[0]!.status).not.toBe('pass')
  })
})
