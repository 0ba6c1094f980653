import { describe, expect, it } from '@jest/globals'
import { decodeName, encodeName } from '../../src/dns/wire-name.js'

describe('encodeName', () => {
  it('writes labels with their lengths and decodes escapes', () => {
    expect([...encodeName('')]).toEqual([0])
    expect([...encodeName('ab.c')]).toEqual([2, 0x61, 0x62, 1, 0x63, 0])
    // `\.` keeps a dot inside one label; `\\` is a backslash; `\DDD` an octet.
    expect([...encodeName('a\\.b.c')]).toEqual([3, 0x61, 0x2e, 0x62, 1, 0x63, 0])
    expect([...encodeName('a\\\\b\\032')]).toEqual([4, 0x61, 0x5c, 0x62, 0x20, 0])
    expect([...encodeName('é')]).toEqual([2, 0xc3, 0xa9, 0])
  })

  it.each([
    ['a..b', /empty label/],
    ['.a', /empty label/],
    [`${'a'.repeat(64)}.b`, /longer than 63/],
    [Array.from({ length: 128 }, () => 'a').join('.'), /longer than 255/],
    ['a\\300', /bad escape/],
    ['a\\', /backslash at the end/]
  ])('refuses %j', (name, message) => {
    expect(() => encodeName(name)).toThrow(message)
  })

  it('takes the longest name there is: 255 octets', () => {
    const name = [...Array.from({ length: 3 }, () => 'a'.repeat(63)), 'a'.repeat(61)].join('.')
    expect(encodeName(name).length).toBe(255)
    expect(() => encodeName(`${name}a`)).toThrow(/longer than 255/)
  })
})

describe('decodeName', () => {
  it('follows compression pointers and gives the end after the first pointer', () => {
    // "ab.c" at 0, then "x" + pointer to 0 at 6.
    const buf = Buffer.from([2, 0x61, 0x62, 1, 0x63, 0, 1, 0x78, 0xc0, 0, 0xff])
    expect(decodeName(buf, 0)).toEqual({ name: 'ab.c', end: 6 })
    expect(decodeName(buf, 6)).toEqual({ name: 'x.ab.c', end: 10 })
  })

  it('escapes a dot and a backslash inside a label and octets outside printable ASCII', () => {
    const buf = Buffer.from([5, 0x52, 0x2e, 0x5c, 0x20, 0xc3, 1, 0x43, 0])
    expect(decodeName(buf, 0).name).toBe('r\\.\\\\\\032\\195.c')
    expect(encodeName(decodeName(buf, 0).name)).toEqual(
      Buffer.from([5, 0x72, 0x2e, 0x5c, 0x20, 0xc3, 1, 0x63, 0])
    )
  })

  it.each([
    ['a loop', [0xc0, 0], /loop|longer/],
    ['a name past the end', [3, 0x61], /past the end/],
    ['a reserved label type', [0x40, 0], /unknown type/]
  ])('refuses %s', (_what, bytes, message) => {
    expect(() => decodeName(Buffer.from(bytes as number[]), 0)).toThrow(message as RegExp)
  })
})
