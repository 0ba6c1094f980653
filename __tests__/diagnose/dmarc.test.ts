import { compareDmarc } from '../../src/diagnose/dmarc-compare.js'
import { isDmarcRecord, readDmarc, uriProblem, visible } from '../../src/diagnose/dmarc.js'

const RUA = 'rua=mailto:dmarc@smtp.mailtrap.live'
const MAILTRAP = `v=DMARC1; p=none; ${RUA}; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100`

/** The verdict in one line: outcomes by RFC 7489 / RFC 9989, then each problem as tag:rfc:effect. */
function verdict(text: string): string {
  const r = readDmarc(text)
  const problems = r.problems.map((p) => `${p.tag}:${p.rfc}:${p.effect}`)
  return [`${r.outcome.rfc7489}/${r.outcome.rfc9989}`, ...problems].join(' ')
}

describe('readDmarc: what receivers do with a record (RFC 7489 6.3/6.4/6.6.3, RFC 9989 4.7/4.8/4.10.1)', () => {
  it.each([
    // Valid: spacing around = and ; (*WSP in dmarc-sep and equals), tag names in any case (RFC 5234 2.3).
    [MAILTRAP, 'apply/apply'],
    ['v = DMARC1 ; p = none ;', 'apply/apply'],
    ['V=DMARC1; P=NONE; ADKIM=S', 'apply/apply'],
    ['v=DMARC1;p=reject;rua=mailto:a@example.com!10m', 'apply/apply'],
    ['v=DMARC1; p=none; foo=bar', 'apply/apply'],
    // The record must begin with v=DMARC1 itself: no leading whitespace (ABNF dmarc-record,
    // 7489 6.6.3 step 3), DMARC1 in upper case, v first, no tag twice (RFC 6376 3.2).
    [' v=DMARC1; p=none', 'discard/discard v:both:discard'],
    ['\tv=DMARC1; p=none', 'discard/discard v:both:discard'],
    ['v=dmarc1; p=none', 'discard/discard v:both:discard'],
    ['p=none; v=DMARC1', 'discard/discard v:both:discard'],
    ['v=DMARC1 p=none', 'discard/discard v:both:discard p:7489:policy'],
    ['v=DMARC1; p=none; p=reject', 'discard/discard p:both:discard'],
    ['\nv=DMARC1; p=none', 'discard/discard v:both:discard \\nv:both:skip'],
    // Errors after v fall back to defaults and the record still applies.
    [`v=DMARC1; p=none;; ${RUA}`, 'apply/apply :both:skip'],
    [`v=DMARC1; p=none; ;;; ${RUA}; ;`, 'apply/apply :both:skip'],
    ['v=DMARC1; p=none; ext-tag=1', 'apply/apply ext-tag:both:skip'],
    ['v=DMARC1; p=none; ext_tag=1', 'apply/apply ext_tag:9989:skip'],
    ['v=DMARC1; p=none; foo', 'apply/apply :both:skip'],
    ['v=DMARC1; p=none; adkim=x', 'apply/apply adkim:both:default'],
    ['v=DMARC1; p=none; rua=mailto:dmarc', 'apply/apply rua:both:default'],
    ['v=DMARC1; p=none; ruf=mailto:dm\u0001arc@example.com', 'apply/apply ruf:both:default'],
    ['v=DMARC1; p=none; pct=150', 'apply/apply pct:7489:default'],
    ['v=DMARC1; p=none; ri=-1; rf=iodef', 'apply/apply ri:7489:default rf:7489:default'],
    ['v=DMARC1; p=none; fo=0:1', 'apply/apply fo:9989:default'],
    ['v=DMARC1; p=none; t=maybe; psd=x', 'apply/apply t:9989:default psd:9989:default'],
    // An empty tag between v and p also takes p out of its RFC 7489 place.
    [`v=DMARC1;; p=none; ${RUA}`, 'policy-none/apply :both:skip p:7489:policy'],
    // No valid p (or a bad sp/np): p=none when rua holds a valid URI, else no DMARC at all.
    [`v=DMARC1; p=quar\nantine; ${RUA}`, 'policy-none/policy-none p:both:policy'],
    ['v=DMARC1; p=quar\nantine', 'discard/discard p:both:policy'],
    ['v=DMARC1; p=none\n', 'discard/discard p:both:policy'],
    ['v=DMARC1;\np=reject', 'discard/discard \\np:both:skip p:7489:policy'],
    ['v=DMARC1; p=', 'discard/discard p:both:policy'],
    ['v=DMARC1; p=reject; sp=bogus', 'discard/discard sp:both:policy'],
    [`v=DMARC1; p=reject; sp=bogus; ${RUA}`, 'policy-none/policy-none sp:both:policy'],
    ['v=DMARC1; p=reject; np=bogus', 'apply/discard np:9989:policy'],
    ['v=DMARC1; p=reject; rua=mailto:nobody', 'apply/apply rua:both:default'],
    // Where the RFCs part: p is required and second in RFC 7489, optional and anywhere in RFC 9989.
    ['v=DMARC1', 'discard/policy-none p:7489:policy'],
    [`v=DMARC1; ${RUA}`, 'policy-none/policy-none p:7489:policy'],
    [`v=DMARC1; ${RUA}; p=reject`, 'policy-none/apply p:7489:policy'],
    ['v=DMARC1; adkim=s; p=reject', 'discard/apply p:7489:policy']
  ])('%j: %s', (text, expected) => {
    expect(verdict(text)).toBe(expected)
  })

  it('says what it found, with invisible characters shown', () => {
    const r = readDmarc(`v=DMARC1; p=quar\nantine; ${RUA}`)
    expect(r.problems).toEqual([
      {
        tag: 'p',
        reason: 'p=quar\\nantine holds a control or non-ASCII character',
        rfc: 'both',
        effect: 'policy',
        severity: 'error',
        cite: expect.stringContaining('RFC 7489 6.6.3 step 6')
      }
    ])
    expect(r).toMatchObject({ ok: false, discarded: false })
    expect(r.tags.get('p')).toBe('none')
  })

  it('warns, without failing the record, of p out of its RFC 7489 place while rua is valid', () => {
    const warned = readDmarc(`v=DMARC1; ${RUA}; p=none`)
    expect(warned).toMatchObject({ ok: true, discarded: false })
    expect(warned.problems.map((p) => p.severity)).toEqual(['warning'])
    const failed = readDmarc('v=DMARC1; adkim=s; p=none')
    expect(failed).toMatchObject({ ok: false, discarded: true })
    expect(failed.problems.map((p) => p.severity)).toEqual(['error'])
  })

  it('keeps the tags receivers use and leaves out those in error', () => {
    const r = readDmarc(`v=DMARC1; P=reject; adkim=x; rua=mailto:a@example.com, mailto:x; sp=none`)
    expect([...r.tags]).toEqual([
      ['v', 'DMARC1'],
      ['p', 'reject'],
      ['rua', 'mailto:a@example.com'],
      ['sp', 'none']
    ])
    expect(r.problems.map((p) => p.reason)).toEqual([
      'adkim=x is not valid: it takes r or s',
      'rua URI "mailto:x" is not valid: a mailto: URI needs an address such as mailto:dmarc@example.com'
    ])
  })

  it('fills in p=none where RFC 9989 reads a record without p so, keeping sp', () => {
    const r = readDmarc(`v=DMARC1; sp=reject; ${RUA}`)
    expect(r.tags.get('p')).toBe('none')
    expect(r.tags.get('sp')).toBe('reject')
    const bad = readDmarc(`v=DMARC1; p=reject; sp=bogus; np=reject; ${RUA}`)
    expect([...bad.tags.keys()]).toEqual(['v', 'p', 'rua'])
    expect(bad.tags.get('p')).toBe('none')
  })

  it('tells the records receivers keep at discovery from those they skip', () => {
    expect(isDmarcRecord('v=DMARC1; p=none')).toBe(true)
    expect(isDmarcRecord('V = DMARC1')).toBe(true)
    expect(isDmarcRecord(' v=DMARC1; p=none')).toBe(false)
    expect(isDmarcRecord('v=dmarc1; p=none')).toBe(false)
    expect(isDmarcRecord('v=DMARC1x; p=none')).toBe(false)
    expect(isDmarcRecord('p=none; v=DMARC1')).toBe(false)
  })

  it.each([
    ['mailto:dmarc@example.com', undefined],
    ['MAILTO:dmarc@example.com!10m', undefined],
    ['https://reports.example.com/dmarc', undefined],
    ['mailto:dmarc%40x@example.com', undefined],
    ['mailto:dmarc', 'a mailto: URI needs an address such as mailto:dmarc@example.com'],
    ['mailto:@example.com', 'a mailto: URI needs an address such as mailto:dmarc@example.com'],
    ['mailto:dmarc@', 'a mailto: URI needs an address such as mailto:dmarc@example.com'],
    ['mailto:dmarc@exa_mple.com', 'exa_mple.com is not a domain name'],
    ['mailto:dm arc@example.com', 'it holds a space or control character, which a URI cannot'],
    ['mailto:dmarc@example.com\r', 'it holds a space or control character, which a URI cannot'],
    ['dmarc@example.com', 'it is not a URI (it needs a scheme, such as mailto:)'],
    ['mailto:a!b@example.com', 'a ! inside a URI must be written %21'],
    ['mailto:a%4@example.com', 'a % in a URI must start an escape such as %40'],
    ['mailto:a"b@example.com', 'it holds characters a URI cannot']
  ])('URI %j: %s', (uri, reason) => {
    expect(uriProblem(uri)).toBe(reason)
  })

  it('shows control characters as escapes', () => {
    expect(visible('a\nb\r\t\u0001é')).toBe('a\\nb\\r\\t\\x01\\xe9')
  })
})

describe('compareDmarc: defaults written out are no difference (RFC 7489 6.3, RFC 9989 4.7)', () => {
  const expected = readDmarc(MAILTRAP).tags
  function differences(text: string): string[] {
    const r = readDmarc(text)
    return compareDmarc(r.tags, expected).map((d) => `${d.tag}:${d.have}>${d.want}:${d.rfc}`)
  }

  it.each([
    `${MAILTRAP}; t=n; psd=u`,
    `${MAILTRAP}; adkim=r; aspf=r; fo=0; ri=86400`,
    `v=DMARC1; p=none; ${RUA}; ruf=mailto:dmarc@smtp.mailtrap.live`,
    `v=DMARC1; p=NONE; rua=MAILTO:dmarc@SMTP.Mailtrap.Live; ruf=mailto:dmarc@smtp.mailtrap.live.`,
    MAILTRAP.replace('pct=100', 'pct=0100'),
    `${MAILTRAP}; sp=none; np=none; t=y`,
    `${MAILTRAP}; foo=bar`
  ])('%s is Mailtrap’s', (text) => {
    expect(differences(text)).toEqual([])
  })

  it.each([
    [MAILTRAP.replace('pct=100', 'pct=50'), ['pct:50>100:7489']],
    [`${MAILTRAP}; psd=y`, ['psd:y>u:9989']],
    [`${MAILTRAP}; np=reject`, ['np:reject>none:9989']],
    [`${MAILTRAP}; sp=reject; t=y`, ['sp:reject>none:both', 't:y>n:9989']],
    [`${MAILTRAP}; fo=1`, ['fo:1>0:both']],
    [
      'v=DMARC1; p=none; rua=mailto:DMARC@smtp.mailtrap.live',
      ['ruf:undefined>mailto:dmarc@smtp.mailtrap.live:both']
    ],
    [
      'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live!10m',
      [
        'rua:mailto:dmarc@smtp.mailtrap.live!10m>mailto:dmarc@smtp.mailtrap.live:both',
        'ruf:undefined>mailto:dmarc@smtp.mailtrap.live:both'
      ]
    ]
  ])('%s differs: %j', (text, expected) => {
    expect(differences(text)).toEqual(expected)
  })

  it('reads report lists and fo as sets, and fo not at all without ruf', () => {
    const want = readDmarc('v=DMARC1; p=none; rua=mailto:a@example.com,mailto:b@example.com').tags
    const have = readDmarc(
      'v=DMARC1; p=none; rua=mailto:b@example.com , mailto:a@example.com; fo=1'
    )
    expect(compareDmarc(have.tags, want)).toEqual([])
    const withRuf = readDmarc('v=DMARC1; p=none; ruf=mailto:a@example.com; fo=d:1').tags
    const same = readDmarc('v=DMARC1; p=none; ruf=mailto:a@example.com; fo=1 : D').tags
    expect(compareDmarc(same, withRuf)).toEqual([])
  })
})
