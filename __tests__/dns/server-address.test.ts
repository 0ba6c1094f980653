/** Server addresses as users write them. */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import net from 'node:net'
import { formatServerAddress, parseServerAddress } from '../../src/dns/server-address.js'

describe('parseServerAddress', () => {
  it.each([
    ['1.2.3.4', { host: '1.2.3.4', port: 53 }],
    ['1.2.3.4:5353', { host: '1.2.3.4', port: 5353 }],
    ['::1', { host: '::1', port: 53 }],
    ['[::1]:5353', { host: '::1', port: 5353 }],
    ['[2606:4700:4700::1111]', { host: '2606:4700:4700::1111', port: 53 }],
    [' 9.9.9.9 ', { host: '9.9.9.9', port: 53 }]
  ])('accepts %s', (text, expected) => {
    expect(parseServerAddress(text)).toEqual(expected)
  })

  it.each([
    ['dns.google', /not.*|expected an IP address/],
    ['dns.google:53', /expected an IP address/],
    ['1.2.3', /expected an IP address/],
    ['1.2.3.4:', /invalid port/],
    ['1.2.3.4:0', /invalid port/],
    ['1.2.3.4:65536', /invalid port/],
    ['1.2.3.4:53x', /invalid port/],
    ['::1:5353x', /expected an IP address/],
    ['[1.2.3.4]:53', /not an IPv6 address/],
    ['[::1]:', /invalid port/],
    ['', /expected an IP address/]
  ])('rejects %j', (text, message) => {
    expect(() => parseServerAddress(text)).toThrow(message)
  })
})

/**
 * parseServerAddress and formatServerAddress as they were before they tried IPv4 first (issue
 * 12: node:net's IPv6 pattern costs start-up): the order must change no answer.
 */
function referenceParse(text: string): { host: string; port: number } {
  const trimmed = text.trim()
  let host: string
  let portText: string | undefined
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(trimmed)
  const withPort = /^([^:]+):([^:]*)$/.exec(trimmed)
  if (bracketed) {
    host = bracketed[1] ?? ''
    portText = bracketed[2]
    if (!net.isIPv6(host)) throw new Error(`${host} is not an IPv6 address`)
  } else if (net.isIP(trimmed) !== 0) {
    host = trimmed
  } else if (withPort && net.isIPv4(withPort[1] ?? '')) {
    host = withPort[1] ?? ''
    portText = withPort[2]
  } else {
    throw new Error('expected an IP address')
  }
  if (portText === undefined) return { host, port: 53 }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 1 && port <= 65535)) throw new Error('invalid port')
  return { host, port }
}

/** What a parse gives: the address, or the kind of error (the words the tests above match). */
function outcome(parse: (text: string) => { host: string; port: number }, text: string) {
  try {
    return parse(text)
  } catch (error) {
    const message = (error as Error).message
    const kinds = ['not an IPv6 address', 'expected an IP address', 'invalid port']
    return kinds.find((m) => message.includes(m)) ?? message
  }
}

describe('IPv4 tried first', () => {
  // Addresses, near-addresses and junk of the characters addresses are made of, with and
  // without brackets, ports, zone ids and spaces.
  const host = fc.oneof(
    fc.ipV4(),
    fc.ipV4Extended(),
    fc.ipV6(),
    fc.ipV6().map((a) => `${a}%eth0`),
    fc.stringMatching(/^[0-9a-fA-F.:%]{0,24}$/)
  )
  const text = fc
    .tuple(
      host,
      fc.constantFrom('', ':53', ':5353', ':', ':0', ':65536', ':x'),
      fc.boolean(),
      fc.constantFrom('', ' ')
    )
    .map(([h, port, brackets, space]) => `${space}${brackets ? `[${h}]` : h}${port}${space}`)

  it('parses every text as the reference does', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(parseServerAddress, t)).toEqual(outcome(referenceParse, t))
      }),
      { numRuns: 5000 }
    )
  })

  it('formats every host as the reference does', () => {
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), (h, port) => {
        const reference = net.isIPv6(h) ? `[${h}]:${port}` : `${h}:${port}`
        expect(formatServerAddress(h, port)).toBe(reference)
      }),
      { numRuns: 5000 }
    )
  })

  it('covers each branch of the reference', () => {
    // The generator reaches every outcome, so the comparison above can fail.
    const seen = new Set<unknown>()
    fc.assert(
      fc.property(text, (t) => {
        const o = outcome(referenceParse, t)
        seen.add(typeof o === 'string' ? o : o.host.includes(':') ? 'v6' : 'v4')
      }),
      { numRuns: 5000 }
    )
    expect([...seen].sort()).toEqual(
      ['expected an IP address', 'invalid port', 'not an IPv6 address', 'v4', 'v6'].sort()
    )
  })
})
