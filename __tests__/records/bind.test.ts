import { renderBindSnippet } from '../../src/records/bind.js'
import { expandExpected } from '../../src/records/expected.js'
import { parseZoneFile } from '../../src/dns/zone-file.js'

describe('renderBindSnippet', () => {
  it('writes the records relative to the zone apex, ready to paste, and parses back to them', () => {
    const expected = expandExpected({
      name: 'mail.example.net',
      zone: 'example.net',
      verification: 'mt07',
      tracking: true,
      records: { dmarc: { value: 'v=DMARC1; p=none; rua=mailto:"odd"@example.net' } },
      line: 1
    }).records
    const snippet = renderBindSnippet('mail.example.net', 'example.net', expected)
    expect(snippet).toBe(
      [
        '; mail.example.net: the records Mailtrap expects',
        '$ORIGIN example.net.',
        'mt07.mail             3600 IN CNAME smtp.mailtrap.live.',
        'rwmt1._domainkey.mail 3600 IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
        'rwmt2._domainkey.mail 3600 IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
        'mt-link.mail          3600 IN CNAME t.mailtrap.live.',
        '_dmarc.mail           3600 IN TXT   "v=DMARC1; p=none; rua=mailto:\\"odd\\"@example.net"',
        ''
      ].join('\n')
    )
    const parsed = parseZoneFile(snippet, { origin: 'example.net', file: 'snippet' })
    expect(parsed.map((r) => [r.name, r.type, r.data])).toEqual(
      expected.map((r) => [r.name, r.type, r.value])
    )
  })

  it('leaves out a record whose name is not known, with a comment', () => {
    const expected = expandExpected({
      name: 'example.com',
      zone: 'example.com',
      tracking: false,
      records: {},
      line: 1
    }).records
    expect(renderBindSnippet('example.com', 'example.com', expected)).toContain(
      '; verification: the host is not known'
    )
  })
})
