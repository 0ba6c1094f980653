import { detectDnsHost } from '../../src/diagnose/dns-hosts.js'
import { relativeName } from '../../src/names/dns-names.js'
import { FixWords } from '../../src/report/fix-words.js'
import { toPlain, type Rich } from '../../src/report/rich.js'

/** Rich text with code spans in backticks, as a person would write it. */
const ticks = (text: Rich): string =>
  text.map((span) => (typeof span === 'string' ? span : `\`${span.code}\``)).join('')

describe('FixWords', () => {
  it('says what to type in each host form', () => {
    const hetzner = new FixWords('example.com', detectDnsHost(['hydrogen.ns.hetzner.com']))
    expect(
      ticks(hetzner.add('CNAME', 'rwmt1._domainkey.example.com', 'rwmt1.dkim.smtp.mailtrap.live'))
    ).toBe(
      "In Hetzner DNS's DNS records for example.com, add a CNAME record: type only `rwmt1._domainkey` in the Name field (Hetzner DNS appends example.com itself), `rwmt1.dkim.smtp.mailtrap.live.` in the Value field, with the trailing dot (without it Hetzner DNS appends example.com), TTL the default."
    )
    const cloudflare = new FixWords('example.com', detectDnsHost(['ada.ns.cloudflare.com']))
    expect(ticks(cloudflare.add('CNAME', 'mt-link.example.com', 't.mailtrap.live'))).toContain(
      '`t.mailtrap.live` in the Target field, set Proxy status to "DNS only" (grey cloud), TTL Auto.'
    )
    const route53 = new FixWords('example.com', detectDnsHost(['ns-250.awsdns-31.com']))
    expect(ticks(route53.text('v=DMARC1; p=none'))).toBe(
      '`"v=DMARC1; p=none"` in the Value field (Amazon Route 53 wants one pair of quotes around it)'
    )
    const generic = new FixWords('example.com', undefined)
    expect(ticks(generic.add('TXT', '_dmarc.mail.example.com', 'v=DMARC1; p=none'))).toBe(
      'In the DNS zone example.com, add a TXT record: type only `_dmarc.mail` in the name (host) field (the DNS host appends example.com itself), `v=DMARC1; p=none` in the value, without quotes.'
    )
  })

  it('gives the form fields as data, and plain text without code marks', () => {
    const route53 = new FixWords('example.com', detectDnsHost(['ns-250.awsdns-31.com']))
    expect(route53.fields('TXT', '_dmarc.example.com', 'v=DMARC1; p=none')).toEqual([
      { field: 'type', value: 'TXT' },
      { field: 'Record name', value: '_dmarc' },
      { field: 'Value', value: '"v=DMARC1; p=none"' },
      { field: 'TTL', value: '300' }
    ])
    expect(toPlain(route53.add('TXT', '_dmarc.example.com', 'v=DMARC1; p=none'))).not.toContain('`')
  })

  it('names records relative to the zone apex', () => {
    expect(relativeName('example.com', 'example.com')).toBe('@')
    expect(relativeName('rwmt1._domainkey.mail.example.com', 'example.com')).toBe(
      'rwmt1._domainkey.mail'
    )
    expect(relativeName('other.net', 'example.com')).toBe('other.net.')
  })
})
