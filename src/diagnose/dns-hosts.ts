import { normalizeName } from '../names/dns-names.js'

/**
 * DNS hosts recognised from a zone's NS names, and how each one's record editor is filled in,
 * so that a fix says exactly what to type where. Facts from each host's record form; where a
 * host appends the zone to a CNAME target that lacks a trailing dot, the fix says to add one.
 */
export interface DnsHost {
  id: string
  name: string
  /** NS host names of this provider. */
  nameServers: RegExp
  /** The label of the record form's name field. */
  nameField: string
  /** The label of the CNAME target field. */
  targetField: string
  /** The label of the TXT value field. */
  textField: string
  /** The form appends the zone to a target without a trailing dot (as a BIND file does). */
  targetNeedsDot: boolean
  /** The form wants TXT values inside double quotes (Route 53). */
  quotesText: boolean
  /** What to put in the TTL field. */
  ttl: string
  /** How to turn a proxy or flattening off, where the host has one. */
  proxyOff?: string
}

export const DNS_HOSTS: readonly DnsHost[] = [
  {
    id: 'cloudflare',
    ttl: 'Auto',
    name: 'Cloudflare',
    nameServers: /\.ns\.cloudflare\.com$/,
    nameField: 'Name',
    targetField: 'Target',
    textField: 'Content',
    targetNeedsDot: false,
    quotesText: false,
    proxyOff: 'set Proxy status to "DNS only" (grey cloud)'
  },
  {
    id: 'route53',
    ttl: '300',
    name: 'Amazon Route 53',
    nameServers: /^ns-\d+\.awsdns-\d+\.(com|net|org|co\.uk)$/,
    nameField: 'Record name',
    targetField: 'Value',
    textField: 'Value',
    targetNeedsDot: false,
    quotesText: true,
    proxyOff: 'turn "Alias" off and make it a plain CNAME'
  },
  {
    id: 'godaddy',
    ttl: '1 Hour (the default)',
    name: 'GoDaddy',
    nameServers: /\.domaincontrol\.com$/,
    nameField: 'Name',
    targetField: 'Value',
    textField: 'Value',
    targetNeedsDot: false,
    quotesText: false
  },
  {
    id: 'namecheap',
    ttl: 'Automatic',
    name: 'Namecheap',
    nameServers: /\.registrar-servers\.com$/,
    // Namecheap's Advanced DNS form: Type, Host, Value, TTL (its knowledge base, "How can I set
    // up a CNAME record for my domain").
    nameField: 'Host',
    targetField: 'Value',
    textField: 'Value',
    targetNeedsDot: false,
    quotesText: false
  },
  {
    id: 'digitalocean',
    ttl: '3600',
    name: 'DigitalOcean',
    nameServers: /^ns\d\.digitalocean\.com$/,
    nameField: 'Hostname',
    targetField: 'Is an alias of',
    textField: 'Value',
    targetNeedsDot: true,
    quotesText: false
  },
  {
    id: 'google-cloud-dns',
    ttl: '300',
    name: 'Google Cloud DNS',
    nameServers: /^ns-cloud-[a-z]\d+\.googledomains\.com$/,
    nameField: 'DNS name',
    targetField: 'Canonical name',
    textField: 'TXT data',
    targetNeedsDot: true,
    quotesText: false
  },
  {
    id: 'squarespace',
    ttl: 'the default',
    name: 'Squarespace',
    nameServers: /\.squarespacedns\.com$/,
    nameField: 'Host',
    targetField: 'Data',
    textField: 'Data',
    targetNeedsDot: false,
    quotesText: false
  },
  {
    id: 'azure',
    ttl: '1 Hour (the default)',
    name: 'Azure DNS',
    nameServers: /^ns\d-\d+\.azure-dns\.(com|net|org|info)$/,
    nameField: 'Name',
    targetField: 'Alias',
    textField: 'Value',
    targetNeedsDot: false,
    quotesText: false,
    proxyOff: 'set "Alias record set" to No and make it a plain CNAME'
  },
  {
    id: 'hetzner',
    ttl: 'the default',
    name: 'Hetzner DNS',
    nameServers: /\.ns\.hetzner\.(com|de)$|^(hydrogen|oxygen|helium)\.ns\.hetzner\.(com|de)$/,
    nameField: 'Name',
    targetField: 'Value',
    textField: 'Value',
    targetNeedsDot: true,
    quotesText: false
  },
  {
    id: 'ovh',
    ttl: 'the default',
    name: 'OVHcloud',
    nameServers: /^(dns|ns)\d*\.ovh\.(net|ca)$|\.anycast\.me$/,
    nameField: 'Sub-domain',
    targetField: 'Target',
    textField: 'Value',
    targetNeedsDot: true,
    quotesText: false
  },
  {
    id: 'gandi',
    ttl: 'the default',
    name: 'Gandi',
    nameServers: /\.gandi\.net$/,
    nameField: 'Name',
    targetField: 'Hostname',
    textField: 'Text value',
    targetNeedsDot: true,
    quotesText: false
  }
]

/**
 * The DNS host of a zone, from its NS names: the provider that serves all (or most) of them.
 * Undefined when no known provider serves the zone, or the NS set is empty.
 */
export function detectDnsHost(nameServers: string[]): DnsHost | undefined {
  const names = nameServers.map(normalizeName)
  let best: { host: DnsHost; count: number } | undefined
  for (const host of DNS_HOSTS) {
    const count = names.filter((n) => host.nameServers.test(n)).length
    if (count > 0 && (!best || count > best.count)) best = { host, count }
  }
  return best && best.count * 2 >= names.length ? best.host : undefined
}

/** The DNS host with this id, when it is one the tool knows. */
export function dnsHostById(id: string | undefined): DnsHost | undefined {
  return DNS_HOSTS.find((h) => h.id === id)
}
