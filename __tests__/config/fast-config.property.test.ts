import fc from 'fast-check'
import { fastConfig } from '../../src/config/fast-config.js'
import {
  ConfigError,
  loadConfig,
  loadConfigFull,
  type Config
} from '../../src/config/load-config.js'

const file = 'domains.yaml'

/** What a load gives: the config, or the error text with every problem's line. */
function outcome(load: () => unknown): unknown {
  try {
    return { config: load() }
  } catch (error) {
    if (error instanceof ConfigError) return { error: error.message, problems: error.problems }
    throw error
  }
}

/** Picks from `good` mostly; from `bad` too when the file is a wild one. */
function pick<T>(wild: boolean, good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return wild ? fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: bad }) : good
}

/** Scalars as YAML writes them: plain, double- or single-quoted, with the odd escape. */
function written(wild: boolean, words: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const quoted = fc.oneof(
    { weight: 4, arbitrary: words },
    { weight: 1, arbitrary: words.map((w) => `"${w}"`) },
    { weight: 1, arbitrary: words.map((w) => `'${w}'`) }
  )
  return pick(
    wild,
    quoted,
    fc.oneof(
      words.map((w) => `"${w}\\t"`),
      words.map((w) => `'it''s ${w}'`)
    )
  )
}

const oddText = fc.string({
  unit: fc.constantFrom('a', 'Z', '7', '.', '-', '_', 'ü', ' ', '#', ':', '"', "'", '\\', '@', '{'),
  maxLength: 8
})
const domainWords = (wild: boolean): fc.Arbitrary<string> =>
  pick(
    wild,
    fc.constantFrom(
      'example.com',
      'Example.COM.',
      'mail.example.net',
      'sub.mail.example.net',
      'bücher.example',
      '123.example.com',
      '_dmarc.example.com',
      'a.b',
      'a-b.example'
    ),
    fc.oneof(
      fc.constantFrom(
        '1.5',
        '1e5',
        '0x1f',
        'true',
        'False',
        'null',
        '~',
        'localhost',
        'a..b',
        '-bad.example',
        'not a domain',
        'x'.repeat(64) + '.example'
      ),
      oddText
    )
  )
const hostWords = (wild: boolean): fc.Arbitrary<string> =>
  pick(
    wild,
    fc.constantFrom('mt07', 'MT02.', 'rwmt1._domainkey', '@', 'MT-LINK', 'mt07.mail.example.net'),
    fc.oneof(fc.constantFrom('mt07.example.com', '', ' mt07', 'a b', '1', 'True', 'bad-'), oddText)
  )
const valueWords = (wild: boolean): fc.Arbitrary<string> =>
  pick(
    wild,
    fc.constantFrom('rwmt1.dkim.smtp.mailtrap.live', 'v=DMARC1; p=none', 'ü ü', 'x'),
    fc.oneof(fc.constantFrom('', '12'), oddText)
  )
const boolWords = (wild: boolean): fc.Arbitrary<string> =>
  pick(
    wild,
    fc.constantFrom('true', 'false', 'True', 'FALSE'),
    fc.constantFrom('yes', '"no"', '1', '')
  )
const trail = (wild: boolean): fc.Arbitrary<string> =>
  pick(wild, fc.constantFrom('', '', '', ' ', '  # note'), fc.constantFrom('#x', ' #', '\t'))

const pinLines = (wild: boolean, indent: string): fc.Arbitrary<string[]> => {
  const keys = pick(wild, fc.constantFrom('name', 'value'), fc.constantFrom('nme', 'value'))
  const pair = keys.chain((key) =>
    written(wild, key === 'name' ? hostWords(wild) : valueWords(wild)).map((v) => [key, v])
  )
  const pairs = wild
    ? fc.array(pair, { maxLength: 2 })
    : fc.uniqueArray(pair, { minLength: 1, maxLength: 2, selector: ([key]) => key })
  return fc.oneof(
    pairs.map((ps) => [` { ${ps.map(([k, v]) => `${k}: ${v}`).join(', ')} }`]),
    pairs.map((ps) => ['', ...ps.map(([k, v]) => `${indent}${k}: ${v}`)])
  )
}

/** Keys for a mapping: distinct in a tidy file, repeated now and then in a wild one. */
function keysOf(
  wild: boolean,
  keys: fc.Arbitrary<string>,
  minLength: number,
  maxLength: number
): fc.Arbitrary<string[]> {
  return wild ? fc.array(keys, { maxLength }) : fc.uniqueArray(keys, { minLength, maxLength })
}

const recordsLines = (wild: boolean, indent: string): fc.Arbitrary<string[]> =>
  keysOf(
    wild,
    pick(
      wild,
      fc.constantFrom('dkim1', 'dmarc', 'verification', 'link_verification'),
      fc.constantFrom('dkim3', 'dkim1')
    ),
    1,
    3
  )
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          pinLines(wild, indent + '  ').map(([head, ...rest]) => [
            `${indent}${key}:${head}`,
            ...rest
          ])
        )
      )
    )
    .map((blocks) => blocks.flat())

/** One mapping entry: key lines, the first on the dash line. */
const mappingEntry = (wild: boolean, dash: string, indent: string): fc.Arbitrary<string[]> =>
  fc
    .tuple(
      pick<string[]>(wild, fc.constant(['name']), fc.constant([] as string[])),
      keysOf(
        wild,
        pick(
          wild,
          fc.constantFrom('zone', 'verification', 'tracking', 'create', 'records'),
          fc.constantFrom('trackng', 'name', 'zone')
        ),
        0,
        3
      )
    )
    .chain(([first, more]) =>
      fc.tuple(
        ...[...first, ...more].map((key): fc.Arbitrary<string[]> => {
          if (key === 'records')
            return recordsLines(wild, indent + '  ').map((l) => ['records:', ...l])
          const words =
            key === 'tracking' || key === 'create'
              ? boolWords(wild)
              : key === 'verification'
                ? written(wild, hostWords(wild))
                : written(wild, domainWords(wild))
          return fc.tuple(words, trail(wild)).map(([v, t]) => [`${key}: ${v}${t}`])
        })
      )
    )
    .map((parts) => {
      const [first, ...rest] = parts.flat()
      if (first === undefined) return [dash.trimEnd()]
      return [`${dash}${first}`, ...rest.map((l) => (l.startsWith(' ') ? l : `${indent}${l}`))]
    })

const domainsBlock = (wild: boolean): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.constantFrom(0, 2, 2, 4), pick(wild, fc.constant(0), fc.constantFrom(1, -1)))
    .chain(([seq, skew]) => {
      const dash = `${' '.repeat(seq)}- `
      const indent = ' '.repeat(Math.max(0, seq + 2 + skew))
      const entry = fc.oneof(
        fc
          .tuple(written(wild, domainWords(wild)), trail(wild))
          .map(([v, t]) => [`${dash}${v}${t}`]),
        mappingEntry(wild, dash, indent),
        pick(
          wild,
          fc.constantFrom(['# a comment'], [''], ['  # indented comment']),
          fc.constantFrom([`${dash}`], [`${' '.repeat(seq)}-`], ['\t'])
        )
      )
      return fc
        .array(entry, { minLength: wild ? 0 : 1, maxLength: 6 })
        .map((entries) => ['domains:', ...entries.flat()])
    })

const versionBlock = (wild: boolean): fc.Arbitrary<string[]> =>
  pick<string[]>(
    wild,
    fc.constantFrom(['version: 1'], ['version:  1 # schema']),
    fc.constantFrom(
      ['version: 2'],
      ["version: '1'"],
      ['version: 1.0'],
      ['version: 1', '  continued'],
      []
    )
  )

const otherBlock = (wild: boolean): fc.Arbitrary<string[]> =>
  pick<string[]>(
    wild,
    fc.constantFrom(
      ['defaults:', '  fail-on: warning'],
      ['defaults:', '  resolvers: [cloudflare, google]', '  fail-on: never'],
      ['defaults:', '  resolvers:', '    - name: a', '      address: 127.0.0.1:53'],
      ['# top comment'],
      ['']
    ),
    fc.constantFrom(
      ['defaults:', '  fail-on: sometimes'],
      ['defaults:'],
      ['defaults: {}'],
      ['defaults: "unterminated'],
      ['extra: 1'],
      ['version: 1'],
      ['---']
    )
  )

/** Whole files in and around the fast path's subset; a wild one breaks a rule or several. */
const configText = fc.boolean().chain((wild) =>
  fc
    .tuple(
      versionBlock(wild),
      fc.array(otherBlock(wild), { maxLength: 2 }),
      domainsBlock(wild),
      fc.nat(3),
      fc.constantFrom('\n', '\n', '\n', '\r\n'),
      fc.boolean(),
      pick(
        wild,
        fc.constant(undefined),
        fc.tuple(
          fc.nat(),
          fc.constantFrom('\t', ' ', '"', '#', '&a ', '*a', '|', '\ufeff', '\n', '- ', '{')
        )
      )
    )
    .map(([version, others, domains, at, eol, finalEol, mutation]) => {
      const blocks: string[][] = [version, ...others]
      blocks.splice(Math.min(at, blocks.length), 0, domains)
      let text = blocks.flat().join(eol) + (finalEol ? eol : '')
      if (mutation) {
        const [pos, insert] = mutation
        const i = pos % (text.length + 1)
        text = text.slice(0, i) + insert + text.slice(i)
      }
      return text
    })
)

describe('the fast path of loadConfig', () => {
  it('gives what the full path gives, for every file it takes, and leaves it the rest', () => {
    let taken = 0
    let left = 0
    fc.assert(
      fc.property(configText, (text) => {
        const fast = fastConfig(text)
        const full = outcome(() => loadConfigFull(text, file))
        const actual = outcome(() => loadConfig(text, file))
        expect(actual).toStrictEqual(full)
        // The report writes these objects as JSON: the keys come in the same order too.
        expect(JSON.stringify(actual)).toBe(JSON.stringify(full))
        // Where both take the file, each domain is on the line the full path gives it.
        if (fast && 'config' in (full as object)) {
          const { config } = full as { config: Config }
          expect(fast.lines).toEqual(config.domains.map((d) => d.line))
          taken++
        } else left++
      }),
      { numRuns: 600 }
    )
    // The generator exercises both sides (each is most of the runs' share, not a rare event).
    expect(taken).toBeGreaterThan(30)
    expect(left).toBeGreaterThan(30)
  })

  it('takes a fleet of plain entries and puts each domain on its own line', () => {
    const lines = ['# fleet', 'version: 1', 'domains:']
    for (let i = 0; i < 500; i++) lines.push(`  - name: f${i}.fleet.test`, '    verification: mt07')
    const text = lines.join('\n') + '\n'
    const fast = fastConfig(text)
    expect(fast?.entries).toHaveLength(500)
    const config = loadConfig(text, file)
    expect(config.domains[0]).toEqual({
      name: 'f0.fleet.test',
      zone: 'f0.fleet.test',
      verification: 'mt07',
      tracking: true,
      records: {},
      line: 4
    })
    expect(config.domains[499]!.line).toBe(4 + 2 * 499)
    expect(config).toStrictEqual(loadConfigFull(text, file))
  })

  it('takes defaults beside the domains, read by yaml and the schema', () => {
    const text = [
      'version: 1',
      'domains:',
      '- example.com',
      '- name: mail.example.net',
      '  zone: example.net',
      '  records:',
      '    dkim1: { value: "rwmt1.dkim.smtp.mailtrap.live" }',
      '    dmarc:',
      "      value: 'v=DMARC1; p=none'",
      'defaults:',
      '  resolvers: [authoritative, cloudflare]',
      '  fail-on: warning'
    ].join('\n')
    expect(fastConfig(text)?.needsRest).toBe(true)
    const config = loadConfig(text, file)
    expect(config.resolvers).toEqual(['authoritative', 'cloudflare'])
    expect(config.failOn).toBe('warning')
    expect(config).toStrictEqual(loadConfigFull(text, file))
  })

  it('takes CRLF line ends as YAML does', () => {
    const text = 'version: 1\r\ndomains:\r\n  - name: a.example # a\r\n    tracking: false\r\n'
    expect(fastConfig(text)?.lines).toEqual([3])
    expect(loadConfig(text, file)).toStrictEqual(loadConfigFull(text, file))
  })

  it.each([
    ['a number where a name goes', 'version: 1\ndomains:\n  - 1.5\n'],
    ['a boolean name', 'version: 1\ndomains:\n  - name: true\n'],
    ['a multi-line plain value', 'version: 1\ndomains:\n  - name: example\n      .com\n'],
    ['an escape', 'version: 1\ndomains:\n  - "example\\x2ecom"\n'],
    ['an anchor', 'version: 1\ndomains:\n  - &a example.com\n'],
    ['a tab', 'version: 1\ndomains:\n\t- example.com\n'],
    ['a CR alone', 'version: 1\rdomains:\r  - example.com\r'],
    ['a quote over the domains key', 'version: 1\nextra: "a\ndomains:\n  - example.com\n"\n'],
    ['a duplicate key', 'version: 1\ndomains:\n  - name: a.example\n    name: b.example\n'],
    ['an unknown key', 'version: 1\ndomains:\n  - name: a.example\n    trackng: false\n'],
    ['a second document', 'version: 1\ndomains:\n  - a.example\n---\nversion: 1\n']
  ])('leaves %s to the full path', (_, text) => {
    expect(fastConfig(text)).toBeUndefined()
    expect(outcome(() => loadConfig(text, file))).toStrictEqual(
      outcome(() => loadConfigFull(text, file))
    )
  })
})
