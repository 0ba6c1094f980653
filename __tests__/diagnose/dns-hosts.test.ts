import { detectDnsHost, FixWords, relativeName } from '../../src/diagnose/dns-hosts.js'

describe('detectDnsHost', () => {
  it.each([
    [['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'], 'cloudflare'],
    [
      [
        'NS-1042.AWSDNS-02.ORG.',
        'ns-250.awsdns-31.com',
        'ns-1612.awsdns-09.co.uk',
        'ns-780.awsdns-33.net'
      ],
      'route53'
    ],
    [['ns51.domaincontrol.com', 'ns52.domaincontrol.com'], 'godaddy'],
    [['dns1.registrar-servers.com', 'dns2.registrar-servers.com'], 'namecheap'],
    [['ns1.digitalocean.com', 'ns2.digitalocean.com', 'ns3.digitalocean.com'], 'digitalocean'],
    [['ns-cloud-a1.googledomains.com', 'ns-cloud-a2.googledomains.com'], 'google-cloud-dns'],
    [['nsa1.squarespacedns.com', 'nsa2.squarespacedns.com'], 'squarespace'],
    [
      [
        'ns1-05.azure-dns.com',
        'ns2-05.azure-dns.net',
        'ns3-05.azure-dns.org',
        'ns4-05.azure-dns.info'
      ],
      'azure'
    ],
    [['hydrogen.ns.hetzner.com', 'oxygen.ns.hetzner.com', 'helium.ns.hetzner.de'], 'hetzner'],
    [['dns110.ovh.net', 'ns110.ovh.net'], 'ovh'],
    [['ns-31-a.gandi.net', 'ns-61-b.gandi.net', 'ns-203-c.gandi.net'], 'gandi']
  ])('recognises %j as %s', (nameServers, id) => {
    expect(detectDnsHost(nameServers)?.id).toBe(id)
  })

  it.each([
    [[]],
    [['ns1.example.com', 'ns2.example.com']],
    [['ns1.cloudflare.com.evil.example']],
    [['a.ns.cloudflare.com.example.net']],
    [['ada.ns.cloudflare.com', 'ns1.other.example', 'ns2.other.example']]
  ])('recognises no host in %j', (nameServers) => {
    expect(detectDnsHost(nameServers)).toBeUndefined()
  })
})

describe('FixWords', () => {
  it('says what to type in each host form', () => {
    const hetzner = new FixWords('example.com', detectDnsHost(['hydrogen.ns.hetzner.com']))
    expect(
      hetzner.add('CNAME', 'rwmt1._domainkey.example.com', 'rwmt1.dkim.smtp.mailtrap.live')
    ).toBe(
      "In Hetzner DNS's DNS records for example.com, add a CNAME record: type only `rwmt1._domainkey` in the Name field (Hetzner DNS appends example.com itself), `rwmt1.dkim.smtp.mailtrap.live.` in the Value field, with the trailing dot (without it Hetzner DNS appends example.com), TTL the default."
    )
    const cloudflare = new FixWords('example.com', detectDnsHost(['ada.ns.cloudflare.com']))
    expect(cloudflare.add('CNAME', 'mt-link.example.com', 't.mailtrap.live')).toContain(
      '`t.mailtrap.live` in the Target field, set Proxy status to "DNS only" (grey cloud), TTL Auto.'
    )
    const route53 = new FixWords('example.com', detectDnsHost(['ns-250.awsdns-31.com']))
    expect(route53.text('v=DMARC1; p=none')).toBe(
      '`"v=DMARC1; p=none"` in the Value field (Amazon Route 53 wants one pair of quotes around it)'
    )
    const generic = new FixWords('example.com', undefined)
    expect(generic.add('TXT', '_dmarc.mail.example.com', 'v=DMARC1; p=none')).toBe(
      'In the DNS zone example.com, add a TXT record: type only `_dmarc.mail` in the name (host) field (the DNS host appends example.com itself), `v=DMARC1; p=none` in the value, without quotes.'
    )
  })

  it('names records relative to the zone apex', () => {
    expect(relativeName('example.com', 'example.com')).toBe('@')
    expect(relativeName('rwmt1._domainkey.mail.example.com', 'example.com')).toBe(
      'rwmt1._domainkey.mail'
    )
    expect(relativeName('other.net', 'example.com')).toBe('other.net.')
  })
})
