import { parseZoneFile, ZoneFileError } from '../../src/dns/zone-file.js'
import { canonicalIpv6 } from '../../src/dns/server-address.js'

const FILE = 'zones/example.com.zone'

function parse(text: string, defaultTtl?: number) {
  return parseZoneFile(text, { origin: 'example.com', file: FILE, defaultTtl })
}

/** The ZoneFileError a text raises (fails the test if it raises none or another error). */
function errorOf(text: string): ZoneFileError {
  try {
    parse(text)
  } catch (error) {
    if (error instanceof ZoneFileError) return error
    throw error
  }
  throw new Error(`no error for ${JSON.stringify(text)}`)
}

/** Records without line numbers, for comparisons that are about the data. */
function data(text: string) {
  return parse(text).map(({ line: _line, ...record }) => record)
}

const SOA = '@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300\n'

describe('parseZoneFile', () => {
  it('reads a typical zone: directives, @, relative and absolute names, inherited owners', () => {
    const text = [
      '$ORIGIN example.com.',
      '$TTL 1h',
      '@ IN SOA ns1 hostmaster.example.com. 2024010101 7200 900 1209600 300',
      '  IN NS ns1',
      '  IN NS ns2.example.net.',
      'ns1 300 IN A 192.0.2.1',
      'www IN 60 CNAME @',
      'mail IN A 192.0.2.25',
      '@ MX 10 mail',
      '  MX 20 mx.example.net.',
      '_sip._tcp SRV 10 60 5060 sip',
      '1.2.0.192.in-addr.arpa. PTR www',
      '@ TXT "v=spf1 mx -all"'
    ].join('\n')
    expect(parse(text)).toEqual([
      {
        name: 'example.com',
        type: 'SOA',
        ttl: 3600,
        data: 'ns1.example.com hostmaster.example.com 2024010101 7200 900 1209600 300',
        line: 3
      },
      { name: 'example.com', type: 'NS', ttl: 3600, data: 'ns1.example.com', line: 4 },
      { name: 'example.com', type: 'NS', ttl: 3600, data: 'ns2.example.net', line: 5 },
      { name: 'ns1.example.com', type: 'A', ttl: 300, data: '192.0.2.1', line: 6 },
      { name: 'www.example.com', type: 'CNAME', ttl: 60, data: 'example.com', line: 7 },
      { name: 'mail.example.com', type: 'A', ttl: 3600, data: '192.0.2.25', line: 8 },
      { name: 'example.com', type: 'MX', ttl: 3600, data: '10 mail.example.com', line: 9 },
      { name: 'example.com', type: 'MX', ttl: 3600, data: '20 mx.example.net', line: 10 },
      {
        name: '_sip._tcp.example.com',
        type: 'SRV',
        ttl: 3600,
        data: '10 60 5060 sip.example.com',
        line: 11
      },
      {
        name: '1.2.0.192.in-addr.arpa',
        type: 'PTR',
        ttl: 3600,
        data: 'www.example.com',
        line: 12
      },
      {
        name: 'example.com',
        type: 'TXT',
        ttl: 3600,
        data: 'v=spf1 mx -all',
        strings: ['v=spf1 mx -all'],
        line: 13
      }
    ])
  })

  it('takes the origin from the options, with or without a trailing dot', () => {
    const withDot = parseZoneFile('www A 192.0.2.1', { origin: 'Example.COM.', file: FILE })
    const without = parseZoneFile('www A 192.0.2.1', { origin: 'example.com', file: FILE })
    expect(withDot[0]?.name).toBe('www.example.com')
    expect(without[0]?.name).toBe('www.example.com')
  })

  it('applies $ORIGIN to later relative names, @ and relative targets', () => {
    const records = data(
      [
        'a A 192.0.2.1',
        '$ORIGIN sub.example.com.',
        'b A 192.0.2.2',
        '@ MX 5 mx',
        '$ORIGIN deeper', // relative: appended to the current origin
        'c CNAME b.sub.example.com.',
        'd NS ns'
      ].join('\n')
    )
    expect(records.map((r) => `${r.name} ${r.type} ${r.data}`)).toEqual([
      'a.example.com A 192.0.2.1',
      'b.sub.example.com A 192.0.2.2',
      'sub.example.com MX 5 mx.sub.example.com',
      'c.deeper.sub.example.com CNAME b.sub.example.com',
      'd.deeper.sub.example.com NS ns.deeper.sub.example.com'
    ])
  })

  it('lower-cases owner names, targets, types and classes', () => {
    const records = data(
      'WWW.Example.COM. in cname TARGET\nMail 60 In mx 10 MX1.Example.NET.\nUp a 192.0.2.1'
    )
    expect(records).toEqual([
      { name: 'www.example.com', type: 'CNAME', ttl: 3600, data: 'target.example.com' },
      { name: 'mail.example.com', type: 'MX', ttl: 60, data: '10 mx1.example.net' },
      { name: 'up.example.com', type: 'A', ttl: 3600, data: '192.0.2.1' }
    ])
  })

  it('uses the previous owner for a line that starts with a blank, across directives', () => {
    const records = parse('www A 192.0.2.1\n\t AAAA 2001:db8::1\n$TTL 60\n  TXT "x"')
    expect(records.map((r) => [r.name, r.type, r.ttl, r.line])).toEqual([
      ['www.example.com', 'A', 3600, 1],
      ['www.example.com', 'AAAA', 3600, 2],
      ['www.example.com', 'TXT', 60, 4]
    ])
  })

  it('accepts TTL and class in either order, each optional', () => {
    const records = parse(
      'a 300 IN A 192.0.2.1\nb IN 300 A 192.0.2.2\nc 300 A 192.0.2.3\nd IN A 192.0.2.4\ne A 192.0.2.5'
    )
    expect(records.map((r) => r.ttl)).toEqual([300, 300, 300, 3600, 3600])
  })

  describe('TTLs', () => {
    it.each([
      ['300', 300],
      ['30s', 30],
      ['1m', 60],
      ['1h', 3600],
      ['1d', 86400],
      ['1w', 604800],
      ['1w2d', 777600],
      ['1H30M', 5400],
      ['1d12h', 129600],
      ['4294967295', 4294967295]
    ])('reads $TTL %s as %d seconds, and a record TTL too', (ttl, seconds) => {
      expect(parse(`$TTL ${ttl}\na A 192.0.2.1`)[0]?.ttl).toBe(seconds)
      expect(parse(`a ${ttl} A 192.0.2.1`)[0]?.ttl).toBe(seconds)
    })

    it('defaults to 3600 (Knot) without $TTL, not to the last explicit TTL', () => {
      expect(parse('a 60 A 192.0.2.1\nb A 192.0.2.2').map((r) => r.ttl)).toEqual([60, 3600])
    })

    it('uses the defaultTtl option until a $TTL', () => {
      const records = parse('a A 192.0.2.1\n$TTL 99\nb A 192.0.2.2', 120)
      expect(records.map((r) => r.ttl)).toEqual([120, 99])
    })

    it('reads SOA timers with units and the serial as a number', () => {
      const [soa] = parse('@ SOA ns h 2024010101 2h 15m 2w 1h')
      expect(soa?.data).toBe('ns.example.com h.example.com 2024010101 7200 900 1209600 3600')
    })
  })

  it('joins lines in parentheses and reports the line the record starts on', () => {
    const text = [
      '$TTL 300',
      '@ IN SOA ns1.example.com. hostmaster.example.com. (',
      '        2024010101 ; serial',
      '        7200       ; refresh',
      '        900 1209600',
      '        300 )      ; minimum',
      'dkim._domainkey IN TXT ( "v=DKIM1; k=rsa; "',
      '                         "p=MIGf" )',
      'next A 192.0.2.1'
    ].join('\n')
    const records = parse(text)
    expect(records.map((r) => [r.type, r.line])).toEqual([
      ['SOA', 2],
      ['TXT', 7],
      ['A', 9]
    ])
    expect(records[0]?.data).toBe(
      'ns1.example.com hostmaster.example.com 2024010101 7200 900 1209600 300'
    )
    expect(records[1]?.strings).toEqual(['v=DKIM1; k=rsa; ', 'p=MIGf'])
    expect(records[1]?.data).toBe('v=DKIM1; k=rsa; p=MIGf')
  })

  describe('TXT', () => {
    it('keeps every character-string and joins them in data', () => {
      const [txt] = parse('@ TXT "v=spf1 include:_spf.example.net" " ~all" ""')
      expect(txt?.strings).toEqual(['v=spf1 include:_spf.example.net', ' ~all', ''])
      expect(txt?.data).toBe('v=spf1 include:_spf.example.net ~all')
    })

    it('keeps ; inside quotes and treats it as a comment outside', () => {
      const [txt] = parse('_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@example.com" ; the policy')
      expect(txt?.strings).toEqual(['v=DMARC1; p=reject; rua=mailto:d@example.com'])
      const [unquoted] = parse('x TXT semi;colon')
      expect(unquoted?.strings).toEqual(['semi'])
    })

    it('reads unquoted words as separate strings', () => {
      const [txt] = parse('x TXT v=spf1 -all')
      expect(txt?.strings).toEqual(['v=spf1', '-all'])
      expect(txt?.data).toBe('v=spf1-all')
    })

    it('decodes \\" \\\\ and \\DDD escapes, quoted and unquoted', () => {
      const [txt] = parse('x TXT "say \\"hi\\"" "back\\\\slash" "caf\\195\\169" \\065\\;b "\\059"')
      expect(txt?.strings).toEqual(['say "hi"', 'back\\slash', 'café', 'A;b', ';'])
    })

    it('reads parentheses and quotes inside a quoted string as text', () => {
      const [txt] = parse('x TXT "a ( b ) c"')
      expect(txt?.data).toBe('a ( b ) c')
    })

    it('splits a string longer than 255 octets as Knot does', () => {
      const long = 'a'.repeat(300)
      const [txt] = parse(`x TXT "${long}"`)
      expect(txt?.strings).toEqual(['a'.repeat(255), 'a'.repeat(45)])
      expect(txt?.data).toBe(long)
    })

    it('reads SPF (type 99) and TYPE16 like TXT', () => {
      const records = parse('x SPF "v=spf1 -all"\ny TYPE16 "hello" "world"')
      expect(records.map((r) => [r.type, r.data])).toEqual([
        ['SPF', 'v=spf1 -all'],
        ['TXT', 'helloworld']
      ])
    })
  })

  it('writes AAAA addresses in RFC 5952 form, as kdig prints them', () => {
    const records = parse(
      [
        'a AAAA 2001:DB8:0:0:0:0:0:1',
        'b AAAA 2001:0:0:1:0:0:0:1',
        'c AAAA ::ffff:1.2.3.4',
        'd AAAA ::',
        'e AAAA 2001:db8:0:1:1:1:1:1'
      ].join('\n')
    )
    expect(records.map((r) => r.data)).toEqual([
      '2001:db8::1',
      '2001:0:0:1::1',
      '::ffff:1.2.3.4',
      '::',
      '2001:db8:0:1:1:1:1:1'
    ])
    expect(canonicalIpv6('::1')).toBe('::1')
    expect(canonicalIpv6('fe80::1:0:0:1')).toBe('fe80::1:0:0:1')
  })

  it('reads CAA into its presentation form', () => {
    const records = parse('@ CAA 0 issue "letsencrypt.org"\n@ CAA 128 tbs "a\\"b"\n@ CAA 0 iodef x')
    expect(records.map((r) => r.data)).toEqual([
      '0 issue "letsencrypt.org"',
      '128 tbs "a\\"b"',
      '0 iodef "x"'
    ])
  })

  it('keeps a root target visible: null MX and SRV "no service"', () => {
    const records = parse('@ MX 0 .\n_imap._tcp SRV 0 0 0 .')
    expect(records.map((r) => r.data)).toEqual(['0 .', '0 0 0 .'])
  })

  it('keeps the rdata of other types as text with single spaces', () => {
    const records = parse(
      [
        'sub DS 12345 8 2 ( 0123456789abcdef',
        '                  0123456789ABCDEF )',
        'x HINFO "Intel  PC" Linux',
        'y TYPE65280 \\# 2 abcd'
      ].join('\n')
    )
    expect(records.map((r) => [r.type, r.data])).toEqual([
      ['DS', '12345 8 2 0123456789abcdef 0123456789ABCDEF'],
      ['HINFO', '"Intel  PC" Linux'],
      ['TYPE65280', '\\# 2 ABCD']
    ])
  })

  it('accepts a CNAME beside other data at the same name (the checks diagnose it)', () => {
    const records = parse('www CNAME target\nwww A 192.0.2.1\nwww TXT "x"')
    expect(records.map((r) => r.type)).toEqual(['CNAME', 'A', 'TXT'])
  })

  it('accepts wildcards, underscores and escaped characters in names', () => {
    const records = parse('*.wild A 192.0.2.1\n_dmarc.mail TXT "x"\nodd\\.label A 192.0.2.2')
    expect(records.map((r) => r.name)).toEqual([
      '*.wild.example.com',
      '_dmarc.mail.example.com',
      'odd\\.label.example.com'
    ])
  })

  it('ignores blank lines, comment lines, CRLF line ends and a byte order mark', () => {
    const records = parse(
      '\uFEFF; header\r\n\r\n   ; indented comment\r\nwww A 192.0.2.1 ; trailing\r\n'
    )
    expect(records).toEqual([
      { name: 'www.example.com', type: 'A', ttl: 3600, data: '192.0.2.1', line: 4 }
    ])
  })

  it('parses an empty file as no records', () => {
    expect(parse('')).toEqual([])
    expect(parse('; nothing\n\n')).toEqual([])
  })

  describe('errors name the file and line', () => {
    it('carries file, line and detail on the error', () => {
      const error = errorOf('www A 192.0.2.1\nbad A 300.1.2.3')
      expect(error).toBeInstanceOf(Error)
      expect(error.name).toBe('ZoneFileError')
      expect(error.file).toBe(FILE)
      expect(error.line).toBe(2)
      expect(error.detail).toBe("bad IPv4 address '300.1.2.3'")
      expect(error.message).toBe(`${FILE}:2: bad IPv4 address '300.1.2.3'`)
    })

    // prettier-ignore
    it.each([
      ['a quote left open at the end of a line', 'a A 192.0.2.1\nx TXT "abc\ndef"', 2,
        'unterminated quoted string (a string cannot span lines)'],
      ['a quote left open at the end of the file', '\n\nx TXT "abc', 3,
        'unterminated quoted string'],
      ['a backslash before the end of a quoted line', 'x TXT "abc\\\n"', 1,
        'unterminated quoted string (backslash at the end of the line)'],
      ['an unknown directive', SOA + '$GENERATE 1-5 a$ A 192.0.2.$', 2,
        'unknown directive $GENERATE'],
      ['$INCLUDE', SOA + '\n$INCLUDE other.zone', 3,
        '$INCLUDE is not supported; put the records in this file'],
      ['$TTL without a value', '$TTL', 1, '$TTL needs a value'],
      ['$ORIGIN with two values', '$ORIGIN a. b.', 1, "unexpected 'b.' after $ORIGIN"],
      ['a bad $TTL', '\n$TTL 1h30', 2, "bad TTL '1h30' (seconds, or units like 1h, 1d, 1w2d)"],
      ['a bad record TTL', 'x 5x A 192.0.2.1', 1,
        "bad TTL '5x' (seconds, or units like 1h, 1d, 1w2d)"],
      ['a TTL over 32 bits', 'x 4294967296 A 192.0.2.1', 1,
        "bad TTL '4294967296' (more than 4294967295 seconds)"],
      ['a bad SOA timer', '@ SOA ns h 1 2 3 4 soon', 1,
        "bad SOA minimum 'soon' (seconds, or units like 1h, 1d, 1w2d)"],
      ['missing rdata', 'ok A 192.0.2.1\nx IN A\n', 2, 'missing rdata for A record'],
      ['missing rdata on a blank-owner line', 'x A 192.0.2.1\n  300 TXT ; nothing', 2,
        'missing rdata for TXT record'],
      ['a missing type', 'x 300 IN', 1, 'missing record type for x.example.com'],
      ['an unknown type', 'x FOO bar', 1, "unknown record type 'FOO'"],
      ['a class other than IN', 'x CH TXT "a"', 1, 'class CH is not supported (only IN)'],
      ['a first record without owner', '; start\n  A 192.0.2.1', 2,
        'the first record has no owner name (the line starts with a blank)'],
      ['an unclosed parenthesis, at its line', 'a A 192.0.2.1\n@ SOA ns h (\n 1 2 3 4 5\n', 2,
        "'(' is never closed"],
      ['a closing parenthesis without an opening one', 'a A 192.0.2.1\nb A 192.0.2.2 )', 2,
        "')' without a matching '('"],
      ['nested parentheses', '@ SOA ns h (\n 1 ( 2 ) 3 4 5 )', 2,
        "nested '(': parentheses cannot be nested"],
      ['a \\DDD escape over 255', 'x TXT "\\300"', 1,
        "bad escape '\\300' in '\\300' (over 255)"],
      ['a short \\DDD escape', 'x TXT "a\\1b"', 1,
        "bad escape '\\1b' in 'a\\1b' (\\DDD needs three digits)"],
      ['a backslash at the end of an unquoted word', 'x TXT abc\\\ny A 192.0.2.1', 1,
        'backslash at the end of the line'],
      ['a bad IPv6 address', '\nx AAAA 2001:db8::g', 2, "bad IPv6 address '2001:db8::g'"],
      ['an IPv4 address in AAAA', 'x AAAA 192.0.2.1', 1, "bad IPv6 address '192.0.2.1'"],
      ['a quoted address', 'x A "192.0.2.1"', 1, "bad IPv4 address '192.0.2.1'"],
      ['an MX preference out of range', 'x MX 65536 mail', 1,
        "bad MX preference '65536' (a number from 0 to 65535)"],
      ['an MX without exchange', 'x MX 10', 1,
        'MX rdata needs 2 fields (preference exchange), got 1'],
      ['an A with two addresses', 'x A 192.0.2.1 192.0.2.2', 1,
        "unexpected '192.0.2.2' after the A rdata (address)"],
      ['a CNAME with two targets', 'x CNAME a b', 1,
        "unexpected 'b' after the CNAME rdata (target)"],
      ['an SRV with a bad port', 'x SRV 0 0 http host', 1,
        "bad SRV port 'http' (a number from 0 to 65535)"],
      ['an SOA with too few fields, on the line the record starts', '@ SOA ( ns h\n 1 2 3 )', 1,
        'SOA rdata needs 7 fields (mname rname serial refresh retry expire minimum), got 5'],
      ['an SOA serial that is not a number', '@ SOA ns h 1h 2 3 4 5', 1,
        "bad SOA serial '1h' (a number from 0 to 4294967295)"],
      ['a bad CAA tag', 'x CAA 0 is-sue "ca.example"', 1,
        "bad CAA tag 'is-sue' (1 to 15 letters or digits)"],
      ['an empty label', 'a..b A 192.0.2.1', 1, "bad owner name 'a..b': empty label"],
      ['a label over 63 octets', `${'a'.repeat(64)} A 192.0.2.1`, 1,
        `bad owner name '${'a'.repeat(40)}…': label longer than 63 octets`],
      ['a name over 255 octets', `x CNAME ${'abcdefghi.'.repeat(26)}`, 1,
        `bad CNAME target '${'abcdefghi.'.repeat(4)}…': longer than 255 octets`],
      ['a quoted owner name', '"www" A 192.0.2.1', 1, 'owner name "www" must not be quoted'],
      ['generic rdata of the wrong length', 'x A \\# 5 c0000201', 1,
        'bad generic data: the length says 5 octets, the data has 4'],
      ['generic rdata that does not fit the type', 'x A \\# 3 c00002', 1,
        'bad generic data for A: an A record that is not 4 octets']
    ])('%s', (_what, text, line, detail) => {
      const error = errorOf(text as string)
      expect(error.message).toBe(`${FILE}:${line}: ${detail}`)
      expect(error.line).toBe(line)
    })

    it('rejects a bad origin option as a whole-file error', () => {
      const run = () => parseZoneFile('', { origin: 'a..b', file: FILE })
      expect(run).toThrow(ZoneFileError)
      expect(run).toThrow(`${FILE}: bad origin 'a..b.': empty label`)
    })
  })
})
