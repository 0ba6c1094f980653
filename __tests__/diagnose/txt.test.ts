import { mergeSpf, parseDmarc, readDmarc, spfIncludes } from '../../src/diagnose/txt.js'
import {
  describeDmarcOutcome,
  describeDmarcProblems,
  dmarcDifferences
} from '../../src/report/dmarc-words.js'

const MAILTRAP =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

function differences(text: string): string[] {
  const actual = parseDmarc(text)
  const expected = parseDmarc(MAILTRAP)
  if (!actual.ok || !expected.ok) throw new Error('unparsable')
  return dmarcDifferences(actual.tags, expected.tags)
}

describe('DMARC by its tags', () => {
  it('ignores tags receivers ignore, and defaults the receivers apply', () => {
    expect(differences(`${MAILTRAP}; foo=bar`)).toEqual([])
    expect(differences(`${MAILTRAP}; sp=none; np=none; adkim=r`)).toEqual([])
    expect(
      differences(
        'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live'
      )
    ).toEqual([])
    expect(differences(`${MAILTRAP}; sp=reject`)).toEqual([
      'sp is reject where Mailtrap expects none'
    ])
  })

  it('says why a record is malformed', () => {
    expect(parseDmarc('v=dmarc1; p=none')).toEqual({
      ok: false,
      problems: ['v must be DMARC1 (upper case), not dmarc1']
    })
    expect(parseDmarc('v=DMARC1')).toEqual({
      ok: false,
      problems: ['the required tag p (policy) is missing']
    })
    expect(parseDmarc('v=DMARC1; p=none; pct=150; rua=dmarc@example.com')).toEqual({
      ok: false,
      problems: [
        'pct=150 is not valid: it takes a whole number from 0 to 100',
        'rua URI "dmarc@example.com" is not valid: it is not a URI (it needs a scheme, such as mailto:)'
      ]
    })
    expect(parseDmarc('p=none; v=DMARC1; pct=150')).toMatchObject({
      ok: false,
      problems: [
        'it must start with v=DMARC1',
        'pct=150 is not valid: it takes a whole number from 0 to 100'
      ]
    })
  })

  it('says which RFC a difference rests on when only one has the tag', () => {
    expect(differences(MAILTRAP.replace('pct=100', 'pct=50'))).toEqual([
      'pct is 50 where Mailtrap expects 100 (RFC 7489 only: RFC 9989 removed pct)'
    ])
    expect(differences(`${MAILTRAP}; psd=y; t=n`)).toEqual([
      'psd is y where Mailtrap expects u (RFC 9989: RFC 7489 receivers ignore psd)'
    ])
    expect(
      differences(
        'v=DMARC1; p=reject; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:x@example.com'
      )
    ).toEqual([
      'p is reject where Mailtrap expects none',
      'ruf is mailto:x@example.com where Mailtrap expects mailto:dmarc@smtp.mailtrap.live'
    ])
  })
})

describe('what receivers do with a malformed record, in words', () => {
  it.each([
    [' v=DMARC1; p=none', 'Receivers ignore it, as if there were no DMARC record.'],
    [
      'v=DMARC1',
      'Receivers that follow RFC 9989 act as if it said p=none; those that follow RFC 7489 ignore it, as if there were no DMARC record.'
    ],
    [
      'v=DMARC1; p=none; adkim=x; rua=mailto:x',
      'Receivers still apply it, with adkim, rua left out (defaults apply).'
    ],
    ['v=DMARC1; p=none;; foo', 'Receivers still apply it, skipping what is not a tag.'],
    [
      'v=DMARC1; rua=mailto:a@example.com; p=reject',
      'Receivers that follow RFC 9989 apply it; those that follow RFC 7489 act as if it said p=none.'
    ],
    ['v=DMARC1; p=quar\nantine; rua=mailto:a@example.com', 'Receivers act as if it said p=none.'],
    [
      'v=DMARC1; p=reject; np=x',
      'Receivers that follow RFC 9989 ignore it, as if there were no DMARC record; those that follow RFC 7489 apply it.'
    ]
  ])('%j: %s', (text, words) => {
    expect(describeDmarcOutcome(readDmarc(text))).toBe(words)
  })

  it('marks a problem with its RFC when only one says so', () => {
    expect(
      describeDmarcProblems(readDmarc('v=DMARC1; p=none; pct=150; fo=0:1; ext-tag=1'))
    ).toEqual([
      'pct=150 is not valid: it takes a whole number from 0 to 100 (RFC 7489)',
      'fo=0:1 is not valid: 0 and 1 exclude each other (RFC 9989)',
      '"ext-tag" is not a tag name: tag names are letters'
    ])
  })
})

describe('the SPF readers, still reached through txt.js', () => {
  it('merges and checks includes', () => {
    const expected = 'v=spf1 include:_spf.smtp.mailtrap.live ~all'
    const merged = mergeSpf('v=spf1 include:_spf.google.com ~all', expected)
    expect(merged).toBe('v=spf1 include:_spf.google.com include:_spf.smtp.mailtrap.live ~all')
    expect(spfIncludes(merged, expected)).toBe(true)
  })
})
