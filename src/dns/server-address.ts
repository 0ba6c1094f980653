/**
 * DNS server addresses as users write them and messages show them, and IPv6 addresses in the
 * one text form (RFC 5952) both the wire decoder and the zone-file reader give.
 */
import net from 'node:net'

/**
 * Parses a server given as text: `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`.
 * Host names are refused on purpose: resolving them would itself need DNS.
 */
export function parseServerAddress(text: string): { host: string; port: number } {
  const expected =
    'expected an IP address with an optional port, like 1.1.1.1, 1.1.1.1:53, ' +
    '2606:4700:4700::1111 or [2606:4700:4700::1111]:53'
  const trimmed = text.trim()
  let host: string
  let portText: string | undefined
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(trimmed)
  const withPort = /^([^:]+):([^:]*)$/.exec(trimmed)
  // IPv4 is tried first, and IPv6 only for text with a colon: node:net's IPv6 pattern is a
  // large regular expression whose first use costs a one-domain check about 5 ms of start-up
  // (issue 12). The order changes no answer: an IPv6 address has at least two colons, and
  // `withPort` matches text with exactly one.
  if (bracketed) {
    host = bracketed[1] ?? ''
    portText = bracketed[2]
    if (!net.isIPv6(host)) {
      throw new Error(`invalid DNS server address "${text}": ${host} is not an IPv6 address`)
    }
  } else if (withPort && net.isIPv4(withPort[1] ?? '')) {
    host = withPort[1] ?? ''
    portText = withPort[2]
  } else if (net.isIPv4(trimmed) || (trimmed.includes(':') && net.isIPv6(trimmed))) {
    host = trimmed
  } else {
    throw new Error(`invalid DNS server address "${text}": ${expected}`)
  }
  if (portText === undefined) return { host, port: 53 }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 1 && port <= 65535)) {
    throw new Error(
      `invalid port in DNS server address "${text}": must be a number from 1 to 65535`
    )
  }
  return { host, port }
}

/** `host:port`, with IPv6 hosts in brackets, as messages and reports show a server. */
export function formatServerAddress(host: string, port: number): string {
  // Every IPv6 address has a colon: an IPv4 host never reaches the costly IPv6 pattern.
  return host.includes(':') && net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * RFC 5952 text of an IPv6 address as inet_ntop prints it (and so kdig): lower-case, the
 * longest run of zero groups (the first on a tie, at least two) as `::`, IPv4-mapped and
 * IPv4-compatible addresses with the dotted tail.
 */
export function canonicalIpv6(address: string): string {
  const groups = ipv6Groups(address)
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  if (bestLength < 2) bestStart = -1
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':')
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff))) {
    const g6 = groups[6] as number
    const g7 = groups[7] as number
    const v4 = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join('.')
    return bestLength === 6 ? `::${v4}` : `::ffff:${v4}`
  }
  if (bestStart < 0) return hex(0, 8)
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`
}

/** The eight 16-bit groups of a valid IPv6 address. */
function ipv6Groups(address: string): number[] {
  const parse = (part: string): number[] => {
    if (part === '') return []
    const out: number[] = []
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number]
        out.push((a << 8) | b, (c << 8) | d)
      } else {
        out.push(parseInt(piece, 16))
      }
    }
    return out
  }
  const [head = '', tail] = address.split('::')
  const headGroups = parse(head)
  if (tail === undefined) return headGroups
  const tailGroups = parse(tail)
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0)
  return [...headGroups, ...zeros, ...tailGroups]
}
