import { readFile } from 'node:fs/promises'
import { check } from '../../src/check.js'
import { loadConfig } from '../../src/config/load-config.js'
import type { Resolver } from '../../src/dns/types.js'
import { createZoneFileResolver } from '../../src/dns/zone-source.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { escapeMarkdown } from '../../src/report/rich.js'
import { exitCodeFor, type Report } from '../../src/report/report.js'
import { renderJson, renderText } from '../../src/report/text.js'

const examples = new URL('../../examples/', import.meta.url).pathname
const now = (): Date => new Date('2026-11-26T08:00:00Z')

async function exampleReport(): Promise<Report> {
  const config = loadConfig(
    await readFile(`${examples}domains.yaml`, 'utf8'),
    'examples/domains.yaml'
  )
  return check(config, { resolvers: [await createZoneFileResolver(`${examples}zones`)], now })
}

/** A resolver that answers one hostile TXT record for every question. */
const hostile: Resolver = {
  name: 'evil|resolver',
  kind: 'recursive',
  address: '127.0.0.1:53',
  close: async () => {},
  query: async (q) => ({
    ok: true,
    response: {
      rcode: 'NOERROR',
      flags: { aa: false, tc: false, rd: true, ra: true },
      answers: [
        {
          name: q.name.toLowerCase(),
          type: 'TXT',
          ttl: 60,
          data: 'v=DMARC1; p=none | <img src=x onerror=alert(1)> @octocat `code` \n::set-output name=x::y'
        }
      ],
      authority: []
    }
  })
}

describe('renderMarkdown', () => {
  it('renders the overview of the examples as the job summary shows it', async () => {
    const md = renderMarkdown(await exampleReport())
    expect(md.slice(0, md.indexOf('\n### '))).toMatchSnapshot()
  })

  // One snapshot per example domain, so a change shows which case it touched.
  it.each([
    'doubled.example',
    'suffixed.example',
    'quoted.example',
    'twodmarc.example',
    'leftover.example',
    'proxied.example',
    'mail.parent.example',
    'strict.example',
    'chained.example',
    'shortform.example'
  ])('renders the details of %s', async (domain) => {
    const md = renderMarkdown(await exampleReport())
    const sections = md.split(/\n(?=### )/).slice(1)
    const section = sections.find((s) => s.match(/^### \S+ (\S+)/)?.[1] === domain)
    expect(section).toBeDefined()
    expect(section).toMatchSnapshot()
  })

  it('escapes untrusted DNS text: no HTML, no table break, no mention, no code-span break', async () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - name: example.com\n    verification: mt07\n',
      'd.yaml'
    )
    const md = renderMarkdown(await check(config, { resolvers: [hostile], now }))
    expect(md).not.toContain('<img')
    expect(md).not.toContain('@octocat')
    expect(md).toContain('evil&#124;resolver')
    for (const line of md.split('\n').filter((l) => l.startsWith('| DMARC | evil'))) {
      // every cell boundary is ours: a data row of the resolver table has exactly 4 pipes
      expect(line.match(/\|/g)).toHaveLength(4)
    }
  })

  it('shows the per-resolver matrix when several resolvers answered', async () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - name: healthy.example\n    verification: mt07\n',
      'd.yaml'
    )
    const zones = await createZoneFileResolver(`${examples}zones`)
    const md = renderMarkdown(await check(config, { resolvers: [zones, hostile], now }))
    expect(md).toContain('| Record | zone-files | evil&#124;resolver |')
    expect(md).toContain('| DKIM 1 | ✅ | ❌ missing |')
    expect(md).toContain('| DMARC | ✅ | ❌ wrong-value |')
    const text = renderText(await check(config, { resolvers: [zones, hostile], now }), {
      color: false
    })
    expect(text).toContain('answers: zone-files ok, evil|resolver missing')
  })

  it('escapes Markdown metacharacters and mentions', () => {
    expect(escapeMarkdown('a|b <script>\n@team `x` [l](u)')).toBe(
      'a&#124;b &#60;script&#62; &#64;team &#96;x&#96; &#91;l&#93;&#40;u&#41;'
    )
  })
})

describe('renderText and renderJson', () => {
  it('colours only when asked and strips control characters from DNS text', async () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - name: example.com\n    verification: mt07\n',
      'd.yaml'
    )
    const report = await check(config, { resolvers: [hostile], now })
    const plain = renderText(report, { color: false })
    expect(plain).not.toContain('\u001b[')
    expect(plain).not.toMatch(/\n::set-output/)
    expect(renderText(report, { color: true })).toContain('\u001b[31m')
  })

  it('writes the JSON contract of DESIGN', async () => {
    const report = JSON.parse(renderJson(await exampleReport()))
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['schemaVersion', 'summary', 'domains'])
    )
    const record = report.domains[0].records[1]
    expect(Object.keys(record)).toEqual(
      expect.arrayContaining([
        'key',
        'type',
        'name',
        'expected',
        'status',
        'findings',
        'observations'
      ])
    )
    expect(record.observations[0]).toEqual({
      resolver: 'zone-files',
      rcode: 'NOERROR',
      authoritative: true,
      verdict: 'ok',
      answers: [
        {
          name: 'rwmt1._domainkey.healthy.example',
          type: 'CNAME',
          data: 'rwmt1.dkim.smtp.mailtrap.live',
          ttl: 3600
        }
      ]
    })
  })
})

describe('exitCodeFor', () => {
  it('maps findings, inconclusive answers and --fail-on to 0, 1 and 3', async () => {
    const report = await exampleReport()
    expect(exitCodeFor(report, 'error')).toBe(1)
    expect(exitCodeFor(report, 'never')).toBe(0)
    const healthy = { ...report, domains: report.domains.slice(0, 1) }
    expect(exitCodeFor(healthy, 'warning')).toBe(0)
    const unknown: Report = {
      ...healthy,
      domains: [
        {
          ...healthy.domains[0]!,
          records: [{ ...healthy.domains[0]!.records[0]!, status: 'unknown', findings: [] }]
        }
      ]
    }
    expect(exitCodeFor(unknown, 'error')).toBe(3)
  })
})

describe('findings as data', () => {
  it('carries facts and a structured fix in JSON, and words without code marks in text', async () => {
    const report = await exampleReport()
    const doubled = report.domains.find((d) => d.domain === 'doubled.example')!
    const finding = doubled.records.find((r) => r.key === 'dkim1')!.findings[0]!
    expect(finding.detail).toMatchObject({
      kind: 'doubled-name',
      doubled: 'rwmt1._domainkey.doubled.example.doubled.example'
    })
    expect(finding.seen).toEqual([
      {
        name: 'rwmt1._domainkey.doubled.example.doubled.example',
        type: 'CNAME',
        data: 'rwmt1.dkim.smtp.mailtrap.live'
      }
    ])
    expect(finding.fix.map((s) => s.action)).toEqual(['delete', 'add'])
    expect(finding.fix[1]!.fields).toEqual([
      { field: 'type', value: 'CNAME' },
      { field: 'Name', value: 'rwmt1._domainkey' },
      { field: 'Value', value: 'rwmt1.dkim.smtp.mailtrap.live' },
      { field: 'TTL', value: '1 Hour (the default)' }
    ])
    const json = JSON.parse(renderJson(report)) as Report
    expect(json.domains[1]!.records[1]!.findings[0]!.hint).toBe(finding.hint)
    const text = renderText(report, { color: false })
    expect(text).toContain('fix: Delete the CNAME record rwmt1._domainkey.doubled.example.')
    expect(text).not.toContain('`')
  })
})
