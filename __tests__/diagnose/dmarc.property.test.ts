import fc from 'fast-check'
import { compareDmarc } from '../../src/diagnose/dmarc-compare.js'
import { isDmarcRecord, readDmarc } from '../../src/diagnose/dmarc.js'

/**
 * For random valid DMARC tag lists, the verdict does not depend on what the RFCs say does not
 * count: the order of tags after v and p, whitespace around `;` and `=` (*WSP in dmarc-sep and
 * equals), the case of tag names and keyword values (RFC 5234 2.3: quoted ABNF strings match in
 * any case). It does depend on p's place, but only by RFC 7489. And no string makes it throw.
 */

const MAILTRAP = readDmarc(
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'
).tags

type Tag = [string, string]

const policy = fc.constantFrom('none', 'quarantine', 'reject')
const uri = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,7}$/),
    fc.stringMatching(/^[a-z0-9]{1,8}(\.[a-z0-9]{1,8}){1,2}$/),
    fc.option(fc.stringMatching(/^![0-9]{1,4}[kmgt]?$/), { nil: '' })
  )
  .map(([local, domain, size]) => `mailto:${local}@${domain}${size}`)
const uris = fc
  .array(fc.oneof(fc.constant('mailto:dmarc@smtp.mailtrap.live'), uri), {
    minLength: 1,
    maxLength: 3
  })
  .map((list) => list.join(','))
// RFC 9989 4.8 dmarc-fo: each option once, 0 and 1 not together.
const fo = fc
  .tuple(fc.constantFrom('0', '1'), fc.subarray(['d', 's']))
  .chain(([first, rest]) => fc.shuffledSubarray([first, ...rest], { minLength: rest.length + 1 }))
  .map((options) => options.join(':'))
const KNOWN = [
  'v',
  'p',
  'sp',
  'np',
  'adkim',
  'aspf',
  'fo',
  'rua',
  'ruf',
  'pct',
  'rf',
  'ri',
  't',
  'psd'
]
const unknown = fc.tuple(
  fc.stringMatching(/^[a-z]{1,6}$/).filter((name) => !KNOWN.includes(name)),
  fc.stringMatching(/^[a-z0-9.:/]{1,8}$/)
)
const others = fc
  .tuple(
    fc.record(
      {
        sp: policy,
        np: policy,
        adkim: fc.constantFrom('r', 's'),
        aspf: fc.constantFrom('r', 's'),
        fo,
        rua: uris,
        ruf: uris,
        pct: fc.integer({ min: 0, max: 100 }).map(String),
        rf: fc.constant('afrf'),
        ri: fc.integer({ min: 0, max: 4294967295 }).map(String),
        t: fc.constantFrom('y', 'n'),
        psd: fc.constantFrom('y', 'n', 'u')
      },
      { requiredKeys: [] }
    ),
    fc.option(unknown, { nil: undefined })
  )
  .map(([known, extra]) => [...(Object.entries(known) as Tag[]), ...(extra ? [extra] : [])])

/** How one rendering spells a record: spacing, case, a trailing `;`. */
interface Style {
  spaces: string[]
  upper: boolean[]
  trailing: boolean
}

const plain: Style = { spaces: [''], upper: [false], trailing: false }
const CASELESS = new Set(['p', 'sp', 'np', 'adkim', 'aspf', 'fo', 'rf', 't', 'psd', 'rua', 'ruf'])

function render(tags: Tag[], style: Style): string {
  let n = 0
  const space = (): string => style.spaces[n++ % style.spaces.length] ?? ''
  const mix = (text: string): string =>
    [...text].map((c) => (style.upper[n++ % style.upper.length] ? c.toUpperCase() : c)).join('')
  const parts = tags.map(([name, value]) => {
    const shownValue = name === 'v' ? value : CASELESS.has(name) ? mix(value) : value
    return `${mix(name)}${space()}=${space()}${shownValue}`
  })
  return (
    parts.map((p, i) => (i === 0 ? p : `${space()};${space()}${p}`)).join('') +
    (style.trailing ? `${space()};${space()}` : '')
  )
}

const style = fc.record({
  spaces: fc.array(fc.stringMatching(/^[ \t]{0,2}$/), { minLength: 1, maxLength: 9 }),
  upper: fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }),
  trailing: fc.boolean()
})

/** The verdict: ok, what receivers do, each problem and each difference from Mailtrap's record. */
function verdict(text: string): object {
  const r = readDmarc(text)
  return {
    ok: r.ok,
    discarded: r.discarded,
    outcome: r.outcome,
    problems: r.problems.map((p) => `${p.tag.toLowerCase()}:${p.rfc}:${p.effect}:${p.severity}`),
    differences: compareDmarc(r.tags, MAILTRAP).map((d) => `${d.tag}:${d.rfc}`)
  }
}

const sorted = (v: object): object =>
  Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, Array.isArray(x) ? [...(x as string[])].sort() : x])
  )

describe('DMARC verdicts by the RFCs, not by spelling (property tests)', () => {
  it('a valid record is ok whatever its order after p, spacing and case', () => {
    fc.assert(
      fc.property(
        policy,
        others.chain((tags) =>
          fc.tuple(fc.constant(tags), fc.shuffledSubarray(tags, { minLength: tags.length }))
        ),
        style,
        (p, [tags, shuffled], spelled) => {
          const canonical = render([['v', 'DMARC1'], ['p', p], ...tags], plain)
          const variant = render([['v', 'DMARC1'], ['p', p], ...shuffled], spelled)
          const want = verdict(canonical)
          expect(want).toMatchObject({ ok: true, problems: [] })
          expect(sorted(verdict(variant))).toEqual(sorted(want))
        }
      ),
      { numRuns: 300 }
    )
  })

  it('p anywhere but second changes the verdict by RFC 7489 only', () => {
    fc.assert(
      fc.property(
        policy,
        others.filter((tags) => tags.length > 0),
        fc.nat(),
        style,
        (p, tags, at, spelled) => {
          const place = 1 + (at % tags.length)
          const moved: Tag[] = [...tags.slice(0, place), ['p', p], ...tags.slice(place)]
          const canonical = readDmarc(render([['v', 'DMARC1'], ['p', p], ...tags], plain))
          const variant = readDmarc(render([['v', 'DMARC1'], ...moved], spelled))
          const hasRua = tags.some(([name]) => name === 'rua')
          expect(variant.outcome).toEqual({
            rfc7489: hasRua ? 'policy-none' : 'discard',
            rfc9989: canonical.outcome.rfc9989
          })
          expect(variant.problems.map((x) => `${x.tag}:${x.rfc}:${x.severity}`)).toEqual([
            `p:7489:${hasRua ? 'warning' : 'error'}`
          ])
          const differing = (tags: Map<string, string>): string[] =>
            compareDmarc(tags, MAILTRAP).map((d) => `${d.tag}:${d.rfc}`)
          expect(differing(variant.tags)).toEqual(differing(canonical.tags))
        }
      ),
      { numRuns: 200 }
    )
  })

  const fragments = fc.constantFrom(
    'v',
    'V',
    '=',
    'DMARC1',
    'dmarc1',
    ';',
    ' ',
    '\t',
    '\n',
    '\r',
    '\u0000',
    'p',
    'sp',
    'np',
    'none',
    'reject',
    'rua',
    'ruf',
    'mailto:',
    '@',
    'x',
    '.',
    ',',
    '!',
    '10m',
    '%',
    '%4',
    'é',
    'fo',
    '0',
    '1',
    ':',
    'pct',
    '150',
    't',
    'y',
    'psd',
    '-',
    '_'
  )
  const anything = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.array(fragments, { maxLength: 30 }).map((parts) => parts.join('')),
    fc.array(fragments, { maxLength: 30 }).map((parts) => `v=DMARC1;${parts.join('')}`)
  )

  it('never throws, and its parts agree with each other', () => {
    fc.assert(
      fc.property(anything, (text) => {
        const r = readDmarc(text)
        expect(r.discarded).toBe(r.outcome.rfc7489 === 'discard' || r.outcome.rfc9989 === 'discard')
        if (r.ok) expect(r.discarded).toBe(false)
        if (r.problems.length === 0)
          expect(r.outcome).toEqual({ rfc7489: 'apply', rfc9989: 'apply' })
        // What receivers skip at discovery is discarded by the reader too.
        if (!isDmarcRecord(text))
          expect(r.outcome).toEqual({ rfc7489: 'discard', rfc9989: 'discard' })
        for (const key of r.tags.keys()) expect(key).toMatch(/^[a-z]+$/)
        expect(() => compareDmarc(r.tags, MAILTRAP)).not.toThrow()
      }),
      { numRuns: 1000 }
    )
  })
})
