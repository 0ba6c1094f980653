import { ConfigError, loadConfig } from '../../src/config/load-config.js'
import {
  apiTracking,
  pullConfig,
  type PullSourceDomain,
  type PullConfigOptions
} from '../../src/config/pull.js'
import { escapeLine, unifiedDiff } from '../../src/pull.js'
import {
  MAILTRAP_DEFAULTS,
  MAILTRAP_SPF,
  normalizeExpectedValue
} from '../../src/records/expected.js'
import { readMailtrapFixture } from '../support/fake-mailtrap.js'

const file = 'domains.yaml'
const defaults: PullConfigOptions['defaults'] = {
  records: { ...MAILTRAP_DEFAULTS, spf: MAILTRAP_SPF },
  normalizeValue: normalizeExpectedValue
}
const DMARC = MAILTRAP_DEFAULTS.dmarc.value

interface ApiDomain {
  domain_name: string
  dns_records: { key: string; name?: string; value?: string }[]
  custom_domain_tracking_enabled?: boolean
}

/** The shared samples as pull reads them: acme-mail.test, news., billing., legacy-acme.test. */
let samples: PullSourceDomain[]

beforeAll(async () => {
  const list = (await readMailtrapFixture('domains-list.json')) as { data: ApiDomain[] }
  samples = list.data.map((d) => ({
    name: d.domain_name,
    records: d.dns_records,
    ...(d.custom_domain_tracking_enabled === undefined
      ? {}
      : { customDomainTrackingEnabled: d.custom_domain_tracking_enabled })
  }))
})

function pull(text: string, api: PullSourceDomain[] = samples, add = false) {
  return pullConfig(text, file, api, { defaults, add })
}

/** A domain as Mailtrap lists a new one, with `extra` records changed or added. */
function domain(
  name: string,
  verification: string,
  extra: Record<string, { name?: string; value?: string } | undefined> = {},
  customDomainTrackingEnabled?: boolean
): PullSourceDomain {
  const records: Record<string, { name?: string; value?: string } | undefined> = {
    verification: { name: verification, value: 'smtp.mailtrap.live' },
    dkim1: { name: 'rwmt1._domainkey', value: 'rwmt1.dkim.smtp.mailtrap.live' },
    dkim2: { name: 'rwmt2._domainkey', value: 'rwmt2.dkim.smtp.mailtrap.live' },
    dmarc: { name: '_dmarc', value: DMARC },
    link_verification: { name: 'mt-link', value: 't.mailtrap.live' },
    ...extra
  }
  return {
    name,
    records: Object.entries(records)
      .filter((e): e is [string, { name?: string; value?: string }] => e[1] !== undefined)
      .map(([key, r]) => ({ key, ...r })),
    ...(customDomainTrackingEnabled === undefined ? {} : { customDomainTrackingEnabled })
  }
}

const COMMENTED = `# Sending domains checked in CI. Owner: platform team.
version: 1 # schema version

defaults:
  fail-on: error

domains:
  # The apex: transactional mail.
  - acme-mail.test   # added 2026-09
  # Newsletters, in the parent's zone.
  - name: news.acme-mail.test
    zone: acme-mail.test # same zone
    # tracking stays on for newsletters

  - name: billing.acme-mail.test # invoices
    zone: acme-mail.test
# trailing comment
`

describe('pullConfig', () => {
  it("pins each domain's verification host and tracking without losing a comment", () => {
    const result = pull(COMMENTED)
    expect(result.text).toBe(`# Sending domains checked in CI. Owner: platform team.
version: 1 # schema version

defaults:
  fail-on: error

domains:
  # The apex: transactional mail.
  - name: acme-mail.test   # added 2026-09
    verification: mt42
    tracking: false
  # Newsletters, in the parent's zone.
  - name: news.acme-mail.test
    zone: acme-mail.test # same zone
    verification: mt07
    # tracking stays on for newsletters

  - name: billing.acme-mail.test # invoices
    zone: acme-mail.test
    verification: mt84
    tracking: false
# trailing comment
`)
    const comments = (text: string) => text.split('\n').filter((l) => l.includes('#'))
    expect(comments(result.text).map((l) => l.slice(l.indexOf('#')))).toEqual(
      comments(COMMENTED).map((l) => l.slice(l.indexOf('#')))
    )
    expect(result.changes).toEqual([
      { domain: 'acme-mail.test', line: 9, field: 'verification', to: 'mt42' },
      { domain: 'acme-mail.test', line: 9, field: 'tracking', from: 'true', to: 'false' },
      { domain: 'news.acme-mail.test', line: 11, field: 'verification', to: 'mt07' },
      { domain: 'billing.acme-mail.test', line: 15, field: 'verification', to: 'mt84' },
      { domain: 'billing.acme-mail.test', line: 15, field: 'tracking', from: 'true', to: 'false' }
    ])
    expect(result.unlisted).toEqual(['legacy-acme.test'])
    expect(result.unknown).toEqual([])
    const config = loadConfig(result.text, file)
    expect(config.domains.map((d) => [d.name, d.verification, d.tracking])).toEqual([
      ['acme-mail.test', 'mt42', false],
      ['news.acme-mail.test', 'mt07', true],
      ['billing.acme-mail.test', 'mt84', false]
    ])
  })

  it('leaves a file that is already current byte-identical', () => {
    const once = pull(COMMENTED).text
    const twice = pull(once)
    expect(twice.text).toBe(once)
    expect(twice.edits).toEqual([])
    expect(twice.changes).toEqual([])
  })

  it('takes hosts as DNS names: case, a trailing dot and the quoting style are no change', () => {
    const text = [
      'version: 1',
      'domains:',
      '  - { name: acme-mail.test, verification: "MT42.", tracking: false }',
      "  - name: 'news.acme-mail.test'",
      '    verification: Mt07',
      '    records: { verification: { name: mt07 } }',
      ''
    ].join('\n')
    expect(pull(text, samples.slice(0, 2)).text).toBe(text)
  })

  it('replaces a stale pin in place, keeping its quotes, and fixes records.verification.name', () => {
    const text = [
      'version: 1',
      'domains:',
      '  - name: acme-mail.test',
      "    verification: 'mt41' # old",
      '    tracking: true',
      '    records:',
      '      verification: { name: mt41 }',
      '      dmarc:',
      '        value: "v=DMARC1; p=reject" # ours',
      ''
    ].join('\n')
    const api = [domain('acme-mail.test', 'mt42', {}, false)]
    expect(pull(text, api).text).toBe(
      [
        'version: 1',
        'domains:',
        '  - name: acme-mail.test',
        "    verification: 'mt42' # old",
        '    tracking: false',
        '    records:',
        '      verification: { name: mt42 }',
        '      dmarc:',
        `        value: "${DMARC}" # ours`,
        ''
      ].join('\n')
    )
  })

  it('pins under records: only the names and values that differ from the defaults', () => {
    const staging = 'rwmt1.dkim.staging.mailtrap.live'
    const api = [
      domain('a.test', 'mt11', { dkim1: { name: 'rwmt1._domainkey', value: staging } }),
      domain('b.test', 'mt12', { dkim2: { name: 'RWMT9._domainkey.', value: 'x.mailtrap.live' } }),
      domain('c.test', 'mt13', { dmarc: { name: '_dmarc', value: 'v=DMARC1; p=quarantine' } }),
      // The partial dmarc entry of a new domain (key and name only) pins nothing.
      domain('d.test', 'mt14', { dmarc: { name: '_dmarc' } })
    ]
    const text = [
      'version: 1',
      'domains:',
      '  - a.test',
      '  - name: b.test',
      '    records:',
      '      dmarc: { value: "v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100" }',
      '  - name: c.test',
      '    records:',
      '      dmarc:',
      '        name: _dmarc',
      '  - d.test',
      ''
    ].join('\n')
    expect(pull(text, api).text).toBe(
      [
        'version: 1',
        'domains:',
        '  - name: a.test',
        '    verification: mt11',
        '    records:',
        `      dkim1: { value: ${staging} }`,
        '  - name: b.test',
        '    verification: mt12',
        '    records:',
        '      dmarc: { value: "v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100" }',
        '      dkim2: { name: rwmt9._domainkey, value: x.mailtrap.live }',
        '  - name: c.test',
        '    verification: mt13',
        '    records:',
        '      dmarc:',
        '        name: _dmarc',
        "        value: 'v=DMARC1; p=quarantine'",
        '  - name: d.test',
        '    verification: mt14',
        ''
      ].join('\n')
    )
  })

  it('replaces block and multi-line values with one line, keeping the lines around them', () => {
    const quarantine = 'v=DMARC1; p=quarantine'
    const api = ['a.test', 'b.test'].map((name, i) =>
      domain(name, `mt${i}`, { dmarc: { name: '_dmarc', value: quarantine } })
    )
    const text = [
      'version: 1',
      'domains:',
      '  - name: a.test',
      '    records:',
      '      dmarc:',
      '        value: >-',
      '          v=DMARC1;',
      '          p=reject',
      '    zone: a.test',
      '  - name: b.test',
      '    records:',
      '      dmarc:',
      '        value: v=DMARC1;',
      '          p=none',
      '',
      '    # the end',
      ''
    ].join('\n')
    expect(pull(text, api).text).toBe(
      [
        'version: 1',
        'domains:',
        '  - name: a.test',
        '    records:',
        '      dmarc:',
        `        value: '${quarantine}'`,
        '    zone: a.test',
        '    verification: mt0',
        '  - name: b.test',
        '    verification: mt1',
        '    records:',
        '      dmarc:',
        `        value: '${quarantine}'`,
        '',
        '    # the end',
        ''
      ].join('\n')
    )
  })

  it("pins an older domain's SPF record, which is expected only when pinned", () => {
    const result = pull('version: 1\ndomains:\n  - legacy-acme.test\n')
    expect(result.text).toBe(
      [
        'version: 1',
        'domains:',
        '  - name: legacy-acme.test',
        '    verification: ve6wza2rbpe60x7z',
        '    records:',
        "      spf: { value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all' }",
        ''
      ].join('\n')
    )
    expect(loadConfig(result.text, file).domains[0]!.records.spf).toEqual({
      value: MAILTRAP_SPF.value
    })
    expect(result.unlisted).toEqual([
      'acme-mail.test',
      'news.acme-mail.test',
      'billing.acme-mail.test'
    ])
  })

  it('follows custom_domain_tracking_enabled when the API sends it, else the listing', () => {
    expect(apiTracking(domain('a.test', 'mt1'))).toBe(true)
    expect(apiTracking(domain('a.test', 'mt1', {}, true))).toBe(true)
    // Listed even though custom-domain tracking is off, as the fixtures README says it is.
    expect(apiTracking(domain('a.test', 'mt1', {}, false))).toBe(false)
    expect(apiTracking(domain('a.test', 'mt1', { link_verification: undefined }))).toBe(false)
    const text =
      'version: 1\ndomains:\n  - name: a.test\n    verification: mt1\n    tracking: false\n'
    expect(pull(text, [domain('a.test', 'mt1')]).text).toBe(text.replace('false', 'true'))
  })

  it('lists the domains Mailtrap lacks and leaves them as they are', () => {
    const text = 'version: 1\ndomains:\n  - other.test # not in Mailtrap\n'
    const result = pull(text)
    expect(result.text).toBe(text)
    expect(result.unknown).toEqual(['other.test'])
    expect(result.unlisted).toHaveLength(4)
  })

  it('with add, appends the domains the file lacks, with their pins, in the list style', () => {
    const text = [
      'version: 1',
      'domains:',
      '    -   name: news.acme-mail.test',
      '        zone: acme-mail.test',
      '        verification: mt07',
      '# end',
      ''
    ].join('\n')
    const result = pull(text, samples, true)
    expect(result.text).toBe(
      [
        'version: 1',
        'domains:',
        '    -   name: news.acme-mail.test',
        '        zone: acme-mail.test',
        '        verification: mt07',
        '    -   name: acme-mail.test',
        '        verification: mt42',
        '        tracking: false',
        '    -   name: billing.acme-mail.test',
        '        verification: mt84',
        '        tracking: false',
        '    -   name: legacy-acme.test',
        '        verification: ve6wza2rbpe60x7z',
        '        records:',
        "          spf: { value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all' }",
        '# end',
        ''
      ].join('\n')
    )
    expect(result.changes.filter((c) => c.field === 'added')).toEqual([
      { domain: 'acme-mail.test', line: 6, field: 'added', to: 'acme-mail.test' },
      { domain: 'billing.acme-mail.test', line: 9, field: 'added', to: 'billing.acme-mail.test' },
      { domain: 'legacy-acme.test', line: 12, field: 'added', to: 'legacy-acme.test' }
    ])
    expect(loadConfig(result.text, file).domains.map((d) => d.name)).toHaveLength(4)
  })

  it('edits flow style in flow style', () => {
    const text = 'version: 1\ndomains: [acme-mail.test, { name: news.acme-mail.test }]\n'
    const result = pull(text, samples.slice(0, 3), true)
    expect(result.text).toBe(
      'version: 1\ndomains: [{ name: acme-mail.test, verification: mt42, tracking: false }, ' +
        '{ name: news.acme-mail.test, verification: mt07 }, ' +
        '{ name: billing.acme-mail.test, verification: mt84, tracking: false }]\n'
    )
  })

  it('keeps CRLF line ends and a file without a final newline', () => {
    const crlf = 'version: 1\r\ndomains:\r\n  - acme-mail.test\r\n'
    expect(pull(crlf, samples.slice(0, 1)).text).toBe(
      'version: 1\r\ndomains:\r\n  - name: acme-mail.test\r\n    verification: mt42\r\n' +
        '    tracking: false\r\n'
    )
    expect(pull('version: 1\ndomains:\n  - name: acme-mail.test', samples.slice(0, 1)).text).toBe(
      'version: 1\ndomains:\n  - name: acme-mail.test\n    verification: mt42\n    tracking: false\n'
    )
  })

  it('writes what the API says so that it reads back as said, and skips what cannot be held', () => {
    const odd = "v=DMARC1; p=none; it's\u0007 #not a comment: {x}"
    const api = [
      domain('a.test', 'mt1', { dmarc: { name: '_dmarc', value: odd } }),
      domain('b.test', 'bad host!', {}),
      domain('not a domain', 'mt3'),
      domain('c.test', 'mt4', { dkim1: { name: 'rwmt1._domainkey', value: 'true' } })
    ]
    const text = 'version: 1\ndomains:\n  - a.test\n  - b.test\n  - c.test\n'
    const result = pull(text, api)
    const config = loadConfig(result.text, file)
    expect(config.domains[0]!.records.dmarc).toEqual({ value: odd })
    expect(result.text).toContain('\\u0007')
    expect(config.domains[1]!.verification).toBeUndefined()
    expect(config.domains[2]!.records.dkim1).toEqual({ value: 'true' })
    expect(result.skipped).toEqual([
      'b.test: Mailtrap lists verification at "bad host!", not a host name',
      'Mailtrap lists "not a domain", which is not a domain name this file can hold'
    ])
  })

  it('refuses an invalid file with its line, and an entry given by an alias', () => {
    expect(() => pull('version: 1\ndomains:\n  - name: a.test\n    colour: blue\n')).toThrow(
      /domains\.yaml:4: unknown key "colour"/
    )
    const alias = 'version: 1\ndomains:\n  - &a acme-mail.test\n  - *a\n'
    expect(() => pull(alias)).toThrow(ConfigError)
    const anchored = 'version: 1\nx: &n news.acme-mail.test\ndomains:\n  - *n\n'
    try {
      pull(anchored)
      throw new Error('expected a ConfigError')
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
    }
  })
})

describe('unifiedDiff', () => {
  it('shows what pull would change, with three lines of context and escaped controls', () => {
    const before = COMMENTED
    const result = pull(before)
    expect(unifiedDiff(file, before, result.edits)).toBe(`--- domains.yaml
+++ domains.yaml (after pull)
@@ -6,12 +6,17 @@
 
 domains:
   # The apex: transactional mail.
-  - acme-mail.test   # added 2026-09
+  - name: acme-mail.test   # added 2026-09
+    verification: mt42
+    tracking: false
   # Newsletters, in the parent's zone.
   - name: news.acme-mail.test
     zone: acme-mail.test # same zone
+    verification: mt07
     # tracking stays on for newsletters
 
   - name: billing.acme-mail.test # invoices
     zone: acme-mail.test
+    verification: mt84
+    tracking: false
 # trailing comment
`)
  })

  it('splits far-apart changes into hunks and numbers the new lines', () => {
    const lines = ['version: 1', 'domains:', '  - acme-mail.test']
    for (let i = 0; i < 10; i++) lines.push(`  - name: d${i}.test # \u001b[31mred\u001b[0m`)
    lines.push('  - name: billing.acme-mail.test', '')
    const before = lines.join('\n')
    const diff = unifiedDiff(file, before, pull(before, samples.slice(0, 3)).edits)
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual([
      '@@ -1,6 +1,8 @@',
      '@@ -12,3 +14,5 @@'
    ])
    expect(diff).toContain(' \\x1b[31mred')
    expect(diff).not.toContain('\u001b')
    expect(escapeLine('a\u202eb\tc')).toBe('a\\u{202e}b\\x09c')
  })
})
