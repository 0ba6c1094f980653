import { ConfigError, loadConfig } from '../../src/config/load-config.js'

const file = 'domains.yaml'

function problemsOf(text: string): string[] {
  try {
    loadConfig(text, file)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.line}: ${p.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('accepts every documented form and fills in defaults', () => {
    const config = loadConfig(
      [
        'version: 1',
        'defaults:',
        '  resolvers: [authoritative, cloudflare, google, quad9]',
        '  fail-on: warning',
        'domains:',
        '  - Example.COM.',
        '  - name: example.org',
        '    verification: mt07',
        '    tracking: false',
        '  - name: mail.example.net',
        '    zone: example.net',
        '    records:',
        '      dkim1: { value: rwmt1.dkim.smtp.mailtrap.live }',
        '      dmarc: { value: "v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live" }',
        '  - bücher.example'
      ].join('\n'),
      file
    )
    expect(config.failOn).toBe('warning')
    expect(config.resolvers).toEqual(['authoritative', 'cloudflare', 'google', 'quad9'])
    expect(config.domains).toEqual([
      { name: 'example.com', zone: 'example.com', tracking: true, records: {}, line: 6 },
      {
        name: 'example.org',
        zone: 'example.org',
        verification: 'mt07',
        tracking: false,
        trackingPinned: true,
        records: {},
        line: 7
      },
      {
        name: 'mail.example.net',
        zone: 'example.net',
        verification: undefined,
        tracking: true,
        records: {
          dkim1: { value: 'rwmt1.dkim.smtp.mailtrap.live' },
          dmarc: { value: 'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live' }
        },
        line: 10
      },
      {
        name: 'xn--bcher-kva.example',
        zone: 'xn--bcher-kva.example',
        tracking: true,
        records: {},
        line: 15
      }
    ])
  })

  it('names the line of every unknown key, not only the first', () => {
    expect(
      problemsOf(
        [
          'version: 1',
          'domains:',
          '  - name: example.org',
          '    trackng: false',
          '  - name: example.net',
          '    records:',
          '      dkim3: { value: x }'
        ].join('\n')
      )
    ).toEqual([
      '4: unknown key "trackng" in domains[0]',
      '7: unknown key "dkim3" in domains[1].records'
    ])
  })

  it('reports a wrong version, a bad domain and a bad fail-on at their lines', () => {
    const problems = problemsOf(
      ['version: 2', 'defaults:', '  fail-on: sometimes', 'domains:', '  - not a domain'].join('\n')
    )
    expect(problems).toHaveLength(3)
    expect(problems[0]).toBe('1: version: version must be 1')
    expect(problems[1]).toMatch(/^3: defaults\.fail-on: /)
    expect(problems[2]).toMatch(/^5: domains\[0\]: not a valid domain name/)
  })

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('version: 1\ndomains:\n  - name: "unterminated\n')[0]).toBe(
      '4: Missing closing "quote'
    )
  })

  it('rejects duplicates and a zone that does not contain the domain', () => {
    expect(
      problemsOf(
        [
          'version: 1',
          'domains:',
          '  - example.com',
          '  - example.com',
          '  - name: mail.example.net',
          '    zone: example.org'
        ].join('\n')
      )
    ).toEqual([
      '4: domain example.com is listed more than once',
      '5: zone example.org does not contain domain mail.example.net'
    ])
  })

  it.each(['', '# nothing\n', '- example.com\n', 'just text\n'])(
    'says what the file must be when it is %j',
    (text) => {
      expect(problemsOf(text)).toEqual([
        '1: the file must be a mapping with `version: 1` and `domains:`'
      ])
    }
  )

  it('reports the problem inside a domain mapping, not only that the entry is invalid', () => {
    expect(
      problemsOf(
        [
          'version: 1',
          'domains:',
          '  - name: example.org',
          '    tracking: "no"',
          '  - name: example.net',
          '    records: []'
        ].join('\n')
      )
    ).toEqual([
      '4: domains[0].tracking: Invalid input: expected boolean, received string',
      '6: domains[1].records: Invalid input: expected object, received array'
    ])
  })

  it('takes hosts in any case and with a trailing dot, but not as the full name', () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - name: example.org\n    verification: MT02.\n',
      file
    )
    expect(config.domains[0]!.verification).toBe('mt02')
    expect(
      problemsOf(
        [
          'version: 1',
          'domains:',
          '  - name: mail.example.org',
          '    verification: mt02.mail.example.org',
          '    records:',
          '      dkim1: { name: rwmt1._domainkey.mail.example.org. }'
        ].join('\n')
      )
    ).toEqual([
      '3: verification: give the host relative to mail.example.org: `mt02`, not the full name mt02.mail.example.org',
      '3: records.dkim1.name: give the host relative to mail.example.org: `rwmt1._domainkey`, not the full name rwmt1._domainkey.mail.example.org'
    ])
  })

  it('reports a missing domains key', () => {
    expect(problemsOf('version: 1\n')).toEqual(['1: missing required key "domains"'])
  })

  it('formats the error as file:line lines under one heading', () => {
    expect(() =>
      loadConfig('version: 1\ndomains: [example.com]\nextra: 1\n', 'cfg/domains.yaml')
    ).toThrow('Invalid config in cfg/domains.yaml:\ncfg/domains.yaml:3: unknown key "extra"')
  })
})

describe('YAML aliases', () => {
  it('takes a config that uses more than 100 aliases', () => {
    const lines = ['version: 1', 'x: &pin { value: "v=DMARC1; p=none" }', 'domains:']
    lines[1] = ''
    const domains = Array.from(
      { length: 150 },
      (_, i) =>
        `  - name: d${i}.example\n    records:\n      dmarc: ${i === 0 ? '&pin ' : '*pin'}${i === 0 ? '{ value: "v=DMARC1; p=none" }' : ''}`
    )
    const config = loadConfig([...lines.filter(Boolean), ...domains].join('\n') + '\n', 'a.yaml')
    expect(config.domains).toHaveLength(150)
    expect(config.domains[149]!.records.dmarc).toEqual({ value: 'v=DMARC1; p=none' })
  })

  it('refuses an alias bomb with file and line', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'version: 1',
      'domains: [example.com]'
    ].join('\n')
    expect(() => loadConfig(bomb, 'bomb.yaml')).toThrow(/bomb\.yaml:1: .*aliases/)
  })
})
