import { detectDnsHost } from '../../src/diagnose/dns-hosts.js'

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
