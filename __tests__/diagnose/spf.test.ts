import { isSpf, mergeSpf, spfIncludes, spfLookups } from '../../src/diagnose/spf.js'

const MAILTRAP = 'v=spf1 include:_spf.smtp.mailtrap.live ~all'

describe('mergeSpf: one record, never a second (RFC 7208 4.5)', () => {
  it.each([
    // The include goes before `all`: terms after it are never tested (RFC 7208 5.1).
    [
      'v=spf1 include:_spf.google.com ~all',
      'v=spf1 include:_spf.google.com include:_spf.smtp.mailtrap.live ~all'
    ],
    [
      'v=spf1 mx a:mail.example.com -all',
      'v=spf1 mx a:mail.example.com include:_spf.smtp.mailtrap.live -all'
    ],
    [
      'V=SPF1  ip4:192.0.2.1   ?all exp=explain.example.com',
      'V=SPF1 ip4:192.0.2.1 include:_spf.smtp.mailtrap.live ?all exp=explain.example.com'
    ],
    // Without `all`, before `redirect=`, which still catches what nothing else matched (6.1).
    [
      'v=spf1 ip4:192.0.2.0/24 redirect=_spf.example.net',
      'v=spf1 ip4:192.0.2.0/24 include:_spf.smtp.mailtrap.live redirect=_spf.example.net'
    ],
    // Neither: at the end.
    ['v=spf1 mx', 'v=spf1 mx include:_spf.smtp.mailtrap.live'],
    ['v=spf1', 'v=spf1 include:_spf.smtp.mailtrap.live'],
    // Already there (any case, + qualifier, trailing dot): unchanged but for spacing.
    [
      'v=spf1 +INCLUDE:_spf.smtp.mailtrap.live. -all',
      'v=spf1 +INCLUDE:_spf.smtp.mailtrap.live. -all'
    ],
    [
      'v=spf1  include:_spf.smtp.mailtrap.live  ~all ',
      'v=spf1 include:_spf.smtp.mailtrap.live ~all'
    ],
    // The same include with a failing qualifier would answer first: it is replaced in place.
    [
      'v=spf1 -include:_spf.smtp.mailtrap.live mx ~all',
      'v=spf1 include:_spf.smtp.mailtrap.live mx ~all'
    ],
    // No SPF record to keep: Mailtrap's.
    ['google-site-verification=abc', MAILTRAP]
  ])('%s', (existing, merged) => {
    expect(mergeSpf(existing, MAILTRAP)).toBe(merged)
    expect(spfIncludes(merged, MAILTRAP)).toBe(true)
  })

  it('adds every missing include, in the expected order, and keeps what is there', () => {
    const expected = 'v=spf1 include:a.example include:b.example include:c.example -all'
    expect(mergeSpf('v=spf1 include:b.example ~all', expected)).toBe(
      'v=spf1 include:b.example include:a.example include:c.example ~all'
    )
  })

  it('merges into a record that then passes, and counts the DNS lookups it costs', () => {
    const full = `v=spf1 ${Array.from({ length: 10 }, (_, i) => `include:s${i}.example`).join(' ')} -all`
    expect(spfLookups(full)).toBe(10)
    expect(spfLookups(mergeSpf(full, MAILTRAP))).toBe(11)
    expect(
      spfLookups(
        'v=spf1 a mx ptr a:x.example mx/24 exists:%{i}.x.example ip4:192.0.2.1 redirect=r.example'
      )
    ).toBe(7)
  })
})

describe('SPF includes', () => {
  it.each([
    ['v=spf1 include:_spf.smtp.mailtrap.live ~all', true],
    ['v=spf1 +include:_spf.smtp.mailtrap.live -all', true],
    ['v=spf1 include:_spf.google.com INCLUDE:_spf.smtp.mailtrap.live ~all', true],
    ['v=spf1 include:_spf.smtp.mailtrap.live. ~all', true],
    ['v=spf1 redirect=_spf.smtp.mailtrap.live', true],
    ['v=spf1 include:_spf.google.com ~all', false],
    ['v=spf1 -include:_spf.smtp.mailtrap.live ~all', false]
  ])('%s includes Mailtrap: %s', (record, result) => {
    expect(spfIncludes(record, MAILTRAP)).toBe(result)
  })

  it('knows an SPF record by v=spf1 and a space or the end', () => {
    expect(isSpf('v=spf1 -all')).toBe(true)
    expect(isSpf('V=SPF1')).toBe(true)
    expect(isSpf('v=spf10 -all')).toBe(false)
  })
})
