import { readFile } from 'node:fs/promises'
import { check } from '../../src/check.js'
import { loadConfig } from '../../src/config/load-config.js'
import { createZoneFileResolver } from '../../src/dns/zone-source.js'
import {
  COMMENT_LIMIT_CHARS,
  renderMarkdown,
  SUMMARY_LIMIT_BYTES,
  utf8Bytes
} from '../../src/report/markdown.js'
import { summarize, type DomainReport, type Report } from '../../src/report/report.js'

const examples = new URL('../../examples/', import.meta.url).pathname

async function exampleReport(): Promise<Report> {
  const config = loadConfig(
    await readFile(`${examples}domains.yaml`, 'utf8'),
    'examples/domains.yaml'
  )
  const now = (): Date => new Date('2026-11-26T08:00:00Z')
  return check(config, { resolvers: [await createZoneFileResolver(`${examples}zones`)], now })
}

/** A fleet: `passing` copies of a passing domain, then `failing` copies of failing ones. */
async function fleet(passing: number, failing: number): Promise<Report> {
  const base = await exampleReport()
  const pass = base.domains.find((d) => d.status === 'pass')!
  const fails = base.domains.filter((d) => d.status === 'fail')
  const copy = (d: DomainReport, name: string): DomainReport => ({ ...d, domain: name })
  const domains = [
    ...Array.from({ length: passing }, (_, i) => copy(pass, `ok-${i}.example`)),
    ...Array.from({ length: failing }, (_, i) => copy(fails[i % fails.length]!, `bad-${i}.example`))
  ]
  return { ...base, domains, summary: summarize(domains) }
}

describe('reports that fit GitHub', () => {
  it('keeps 1,000 failing domains under 1 MiB of summary and 65,536 characters of comment, failing first', async () => {
    const report = await fleet(2000, 1000)
    const full = renderMarkdown(report)
    expect(utf8Bytes(full)).toBeGreaterThan(SUMMARY_LIMIT_BYTES)
    const summary = renderMarkdown(report, {
      limit: SUMMARY_LIMIT_BYTES,
      measure: utf8Bytes,
      fullReport: 'The JSON report has all of it.'
    })
    const comment = renderMarkdown(report, { limit: COMMENT_LIMIT_CHARS })
    expect(utf8Bytes(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES)
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS)
    for (const text of [summary, comment]) {
      expect(text).toContain("Cut to fit GitHub's limit")
      // Every failing domain is named, and before any passing one.
      for (let i = 0; i < 1000; i++) expect(text).toContain(`bad-${i}.example`)
      expect(text.indexOf('bad-0.example')).toBeLessThan(text.indexOf('passing'))
    }
    expect(summary).toContain('The JSON report has all of it.')
  })

  it('names the last five failing domains of 2,000 first in the comment', async () => {
    const report = await fleet(1995, 5)
    const comment = renderMarkdown(report, { limit: COMMENT_LIMIT_CHARS })
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS)
    const firstRow = comment
      .split('\n')
      .find((l) => l.startsWith('| bad-') || l.startsWith('| ok-'))
    expect(firstRow).toMatch(/^\| bad-0\.example/)
    for (let i = 0; i < 5; i++) expect(comment).toContain(`### ❌ bad-${i}.example`)
  })

  it('measures a rendering exactly: it fits a limit of its own size, and not one less', async () => {
    // Measured piece by piece, as the fit does; a name beyond ASCII makes bytes and characters differ.
    const report = await fleet(3, 4)
    report.domains[0] = { ...report.domains[0]!, domain: 'bücher-ok.example' }
    report.domains[4] = { ...report.domains[4]!, domain: 'bücher-bad.example' }
    const full = renderMarkdown(report)
    for (const measure of [utf8Bytes, (text: string) => text.length]) {
      expect(renderMarkdown(report, { limit: measure(full), measure })).toBe(full)
      const cut = renderMarkdown(report, { limit: measure(full) - 1, measure })
      expect(cut).toContain("Cut to fit GitHub's limit")
      expect(measure(cut)).toBeLessThanOrEqual(measure(full) - 1)
    }
    expect(utf8Bytes(full)).toBeGreaterThan(full.length)
  })

  it('cuts nothing when the report fits', async () => {
    const report = await exampleReport()
    expect(renderMarkdown(report, { limit: COMMENT_LIMIT_CHARS })).toBe(renderMarkdown(report))
    expect(renderMarkdown(report)).not.toContain('Cut to fit')
  })
})
