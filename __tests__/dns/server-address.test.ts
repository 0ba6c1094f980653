/** Server addresses as users write them. */
import { describe, expect, it } from '@jest/globals'
import { parseServerAddress } from '../../src/dns/server-address.js'

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
