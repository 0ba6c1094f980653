import {
  isAtOrBelow,
  normalizeHost,
  normalizeName,
  parentName,
  relativeName,
  sameName,
  splitLabels,
  toAsciiName
} from '../../src/names/dns-names.js'

describe('DNS names', () => {
  it('normalises case and the root dot, but not an escaped final dot', () => {
    expect(normalizeName('Example.COM.')).toBe('example.com')
    expect(normalizeName('a\\.')).toBe('a\\.')
    expect(sameName('MT07.Example.com.', 'mt07.example.com')).toBe(true)
  })

  it('splits labels on unescaped dots only', () => {
    expect(splitLabels('rwmt1\\.dkim\\.smtp.example.com')).toEqual([
      'rwmt1\\.dkim\\.smtp',
      'example',
      'com'
    ])
    expect(splitLabels('a\\\\.b')).toEqual(['a\\\\', 'b'])
    expect(splitLabels('.')).toEqual([])
    expect(parentName('a\\.b.c.d')).toBe('c.d')
  })

  it('makes names relative to an apex label by label', () => {
    expect(relativeName('example.com', 'example.com')).toBe('@')
    expect(relativeName('rwmt1._domainkey.Example.com.', 'example.com')).toBe('rwmt1._domainkey')
    expect(relativeName('x.other.org', 'example.com')).toBe('x.other.org.')
    expect(relativeName('notexample.com', 'example.com')).toBe('notexample.com.')
    expect(isAtOrBelow('a\\.example.com', 'example.com')).toBe(false)
    expect(isAtOrBelow('a.example.com', 'example.com')).toBe(true)
  })

  it('normalises hosts as configs and the API write them', () => {
    expect(normalizeHost('')).toBe('@')
    expect(normalizeHost('@')).toBe('@')
    expect(normalizeHost('MT07.')).toBe('mt07')
  })

  it('turns internationalised names into punycode', () => {
    expect(toAsciiName('Bücher.Example.')).toBe('xn--bcher-kva.example')
  })
})
