import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { DnsRecord, DnsResponse } from '../../src/dns/types.js'
import { parseZoneFile, ZoneFileError } from '../../src/dns/zone-file.js'
import {
  answerFromZones,
  buildZone,
  createZoneFileResolver,
  loadZoneDir,
  type ZoneSet
} from '../../src/dns/zone-source.js'

const SOA_DATA = 'ns1.example.com hostmaster.example.com 1 7200 900 1209600 300'
/** Negative answers carry the SOA with TTL min(3600, 300). */
const NEGATIVE_SOA: DnsRecord = { name: 'example.com', type: 'SOA', ttl: 300, data: SOA_DATA }

const EXAMPLE_COM = `
$ORIGIN example.com.
$TTL 3600
@         IN SOA ns1 hostmaster ( 1 7200 900 1209600 300 )
@         IN NS  ns1
ns1       IN A   192.0.2.1
www    60 IN A   192.0.2.10
www    60 IN A   192.0.2.11
WWW.Upper IN A   192.0.2.12
@         IN MX  10 mail
mail      IN A   192.0.2.25
@         IN TXT "v=spf1 " "mx -all"
c1     60 IN CNAME c2
c2     60 IN CNAME target
target 60 IN A   192.0.2.7
dangling  IN CNAME nothere
to-txt    IN CNAME target
outside   IN CNAME www.example.org.
to-other  IN CNAME www.other.test.
to-child  IN CNAME host.child
to-deleg  IN CNAME x.sub
loop1     IN CNAME loop2
loop2     IN CNAME loop1
self      IN CNAME self
a.b.ent   IN A   192.0.2.30
*.wild    IN A   192.0.2.40
*.wild    IN TXT "wild"
x.wild    IN MX  10 mail
*.wc      IN CNAME target
*.wcloop  IN CNAME x.wcloop
sub       IN NS  ns.sub
ns.sub    IN A   192.0.2.53
sub       IN DS  12345 8 2 0123456789ABCDEF
child     IN NS  ns1
mixed     IN CNAME target
mixed     IN A   192.0.2.99
ttl   100 IN A   192.0.2.1
ttl   200 IN A   192.0.2.2
ttl   200 IN A   192.0.2.1
`

const CHILD = `
@    IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 60
@    IN NS  ns1.example.com.
host IN A   198.51.100.1
`

const OTHER_TEST = `
@   300 IN SOA ns1.other.test. hostmaster.other.test. 7 7200 900 1209600 3600
@   IN NS  ns1.example.com.
www IN A   198.51.100.80
`

function zoneSet(files: Record<string, string>): ZoneSet {
  return {
    dir: 'memory',
    warnings: [],
    zones: Object.entries(files).map(([name, text]) => {
      const file = `${name}.zone`
      return buildZone(name, file, parseZoneFile(text, { origin: name, file }))
    })
  }
}

const ZONES = zoneSet({
  'example.com': EXAMPLE_COM,
  'child.example.com': CHILD,
  'other.test': OTHER_TEST
})

function ask(name: string, type: string): DnsResponse {
  return answerFromZones(ZONES, { name, type })
}

function a(name: string, data: string, ttl = 3600): DnsRecord {
  return { name, type: 'A', ttl, data }
}

function cname(name: string, data: string, ttl = 3600): DnsRecord {
  return { name, type: 'CNAME', ttl, data }
}

function answer(rcode: string, aa: boolean, answers: DnsRecord[], authority: DnsRecord[]) {
  return { rcode, flags: { aa, tc: false, rd: false, ra: false }, answers, authority }
}

describe('answerFromZones', () => {
  it('answers the records of the asked type with their TTLs, authoritatively', () => {
    expect(ask('www.example.com', 'A')).toEqual(
      answer(
        'NOERROR',
        true,
        [a('www.example.com', '192.0.2.10', 60), a('www.example.com', '192.0.2.11', 60)],
        []
      )
    )
  })

  it('reads the question name in any case and with a trailing dot', () => {
    expect(ask('WWW.Example.COM.', 'A').answers).toHaveLength(2)
    expect(ask('www.upper.example.com', 'a').answers).toEqual([
      a('www.upper.example.com', '192.0.2.12')
    ])
  })

  it('answers TXT with the strings and their concatenation', () => {
    expect(ask('example.com', 'TXT').answers).toEqual([
      {
        name: 'example.com',
        type: 'TXT',
        ttl: 3600,
        data: 'v=spf1 mx -all',
        strings: ['v=spf1 ', 'mx -all']
      }
    ])
  })

  it('answers the SOA and NS at the apex with their own TTLs', () => {
    expect(ask('example.com', 'SOA').answers).toEqual([
      { name: 'example.com', type: 'SOA', ttl: 3600, data: SOA_DATA }
    ])
    expect(ask('example.com', 'NS').answers).toEqual([
      { name: 'example.com', type: 'NS', ttl: 3600, data: 'ns1.example.com' }
    ])
  })

  describe('CNAME', () => {
    it('follows a chain inside the zone and appends what the target has', () => {
      expect(ask('c1.example.com', 'A')).toEqual(
        answer(
          'NOERROR',
          true,
          [
            cname('c1.example.com', 'c2.example.com', 60),
            cname('c2.example.com', 'target.example.com', 60),
            a('target.example.com', '192.0.2.7', 60)
          ],
          []
        )
      )
    })

    it('answers only the CNAME when the CNAME itself is asked', () => {
      expect(ask('c1.example.com', 'CNAME')).toEqual(
        answer('NOERROR', true, [cname('c1.example.com', 'c2.example.com', 60)], [])
      )
    })

    it('gives NXDOMAIN and the SOA when the target does not exist in the zone', () => {
      expect(ask('dangling.example.com', 'A')).toEqual(
        answer(
          'NXDOMAIN',
          true,
          [cname('dangling.example.com', 'nothere.example.com')],
          [NEGATIVE_SOA]
        )
      )
    })

    it('gives NODATA and the SOA when the target lacks the type', () => {
      expect(ask('to-txt.example.com', 'TXT')).toEqual(
        answer('NOERROR', true, [cname('to-txt.example.com', 'target.example.com')], [NEGATIVE_SOA])
      )
    })

    it('stops at a target outside every zone', () => {
      expect(ask('outside.example.com', 'A')).toEqual(
        answer('NOERROR', true, [cname('outside.example.com', 'www.example.org')], [])
      )
    })

    it('stops at a target in another loaded zone, even a child zone', () => {
      expect(ask('to-other.example.com', 'A')).toEqual(
        answer('NOERROR', true, [cname('to-other.example.com', 'www.other.test')], [])
      )
      // child.example.com is delegated from example.com: the chain meets the referral.
      expect(ask('to-child.example.com', 'A')).toEqual(
        answer(
          'NOERROR',
          true,
          [cname('to-child.example.com', 'host.child.example.com')],
          [{ name: 'child.example.com', type: 'NS', ttl: 3600, data: 'ns1.example.com' }]
        )
      )
    })

    it('keeps AA when the chain leads below a delegation, with the NS in authority', () => {
      expect(ask('to-deleg.example.com', 'A')).toEqual(
        answer(
          'NOERROR',
          true,
          [cname('to-deleg.example.com', 'x.sub.example.com')],
          [{ name: 'sub.example.com', type: 'NS', ttl: 3600, data: 'ns.sub.example.com' }]
        )
      )
    })

    it('stops a loop at the first repeated CNAME', () => {
      expect(ask('loop1.example.com', 'A')).toEqual(
        answer(
          'NOERROR',
          true,
          [
            cname('loop1.example.com', 'loop2.example.com'),
            cname('loop2.example.com', 'loop1.example.com')
          ],
          []
        )
      )
      expect(ask('self.example.com', 'A').answers).toEqual([
        cname('self.example.com', 'self.example.com')
      ])
    })

    it('bounds a long chain', () => {
      const lines = ['@ SOA ns h 1 2 3 4 5']
      for (let i = 0; i < 200; i++) lines.push(`c${i} CNAME c${i + 1}`)
      const zones = zoneSet({ 'long.test': lines.join('\n') })
      const response = answerFromZones(zones, { name: 'c0.long.test', type: 'A' })
      expect(response.rcode).toBe('NOERROR')
      expect(response.answers.length).toBeLessThanOrEqual(64)
    })

    it('shows the other data beside a CNAME (a file Knot would refuse), for the conflict check', () => {
      expect(ask('mixed.example.com', 'A').answers).toEqual([
        cname('mixed.example.com', 'target.example.com'),
        a('mixed.example.com', '192.0.2.99'),
        a('target.example.com', '192.0.2.7', 60)
      ])
      expect(ask('mixed.example.com', 'CNAME').answers).toEqual([
        cname('mixed.example.com', 'target.example.com'),
        a('mixed.example.com', '192.0.2.99')
      ])
    })
  })

  describe('names that do not exist, or lack the type', () => {
    it('gives NXDOMAIN with the SOA, its TTL capped at the SOA minimum', () => {
      expect(ask('nope.example.com', 'A')).toEqual(answer('NXDOMAIN', true, [], [NEGATIVE_SOA]))
    })

    it('gives NODATA (NOERROR, no answer) with the SOA for a name without the type', () => {
      expect(ask('www.example.com', 'MX')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
      expect(ask('example.com', 'AAAA')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
    })

    it('keeps the SOA TTL when it is below the minimum', () => {
      const response = answerFromZones(ZONES, { name: 'nope.other.test', type: 'A' })
      expect(response.authority).toEqual([
        {
          name: 'other.test',
          type: 'SOA',
          ttl: 300,
          data: 'ns1.other.test hostmaster.other.test 7 7200 900 1209600 3600'
        }
      ])
    })

    it('treats an empty non-terminal as existing: NODATA, not NXDOMAIN', () => {
      expect(ask('ent.example.com', 'A')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
      expect(ask('b.ent.example.com', 'TXT')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
      expect(ask('x.b.ent.example.com', 'A').rcode).toBe('NXDOMAIN')
    })
  })

  describe('wildcards (RFC 4592)', () => {
    it('synthesises the answer with the question name as owner', () => {
      expect(ask('anything.wild.example.com', 'A')).toEqual(
        answer('NOERROR', true, [a('anything.wild.example.com', '192.0.2.40')], [])
      )
      expect(ask('a.b.c.wild.example.com', 'TXT').answers).toEqual([
        {
          name: 'a.b.c.wild.example.com',
          type: 'TXT',
          ttl: 3600,
          data: 'wild',
          strings: ['wild']
        }
      ])
    })

    it('gives NODATA when the wildcard lacks the type', () => {
      expect(ask('q.wild.example.com', 'MX')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
    })

    it('does not apply to names that exist, nor below them', () => {
      expect(ask('x.wild.example.com', 'A')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
      // The closest encloser of y.x.wild is x.wild, which has no wildcard child.
      expect(ask('y.x.wild.example.com', 'A')).toEqual(answer('NXDOMAIN', true, [], [NEGATIVE_SOA]))
      expect(ask('wild.example.com', 'A')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
    })

    it('answers the wildcard name itself like any name', () => {
      expect(ask('*.wild.example.com', 'A').answers).toEqual([
        a('*.wild.example.com', '192.0.2.40')
      ])
    })

    it('follows a synthesised CNAME', () => {
      expect(ask('q.wc.example.com', 'A').answers).toEqual([
        cname('q.wc.example.com', 'target.example.com'),
        a('target.example.com', '192.0.2.7', 60)
      ])
    })

    it('stops when a wildcard CNAME leads back to the same wildcard', () => {
      expect(ask('q.wcloop.example.com', 'A')).toEqual(
        answer(
          'NOERROR',
          true,
          [
            cname('q.wcloop.example.com', 'x.wcloop.example.com'),
            cname('x.wcloop.example.com', 'x.wcloop.example.com')
          ],
          []
        )
      )
    })
  })

  describe('delegations', () => {
    const referral = answer(
      'NOERROR',
      false,
      [],
      [{ name: 'sub.example.com', type: 'NS', ttl: 3600, data: 'ns.sub.example.com' }]
    )

    it('refers names below a delegation, without AA', () => {
      expect(ask('host.sub.example.com', 'A')).toEqual(referral)
      expect(ask('deep.host.sub.example.com', 'TXT')).toEqual(referral)
    })

    it('refers the delegation point itself, even for NS, and glue below it', () => {
      expect(ask('sub.example.com', 'A')).toEqual(referral)
      expect(ask('sub.example.com', 'NS')).toEqual(referral)
      expect(ask('ns.sub.example.com', 'A')).toEqual(referral)
    })

    it('answers DS at the delegation point from the parent', () => {
      expect(ask('sub.example.com', 'DS')).toEqual(
        answer(
          'NOERROR',
          true,
          [{ name: 'sub.example.com', type: 'DS', ttl: 3600, data: '12345 8 2 0123456789ABCDEF' }],
          []
        )
      )
      expect(ask('host.sub.example.com', 'DS')).toEqual(referral)
    })

    it('answers DS at the apex of a loaded child zone from the parent zone', () => {
      expect(ask('child.example.com', 'DS')).toEqual(answer('NOERROR', true, [], [NEGATIVE_SOA]))
      // With no parent loaded, the zone itself answers.
      expect(ask('other.test', 'DS').authority[0]?.name).toBe('other.test')
    })
  })

  describe('choosing the zone', () => {
    it('refuses names outside every zone, and the parents of the apexes', () => {
      const refused = answer('REFUSED', false, [], [])
      expect(ask('www.example.org', 'A')).toEqual(refused)
      expect(ask('com', 'SOA')).toEqual(refused)
      expect(ask('notexample.com', 'A')).toEqual(refused)
    })

    it('answers from the zone with the closest enclosing apex', () => {
      expect(ask('host.child.example.com', 'A')).toEqual(
        answer('NOERROR', true, [a('host.child.example.com', '198.51.100.1')], [])
      )
      expect(ask('child.example.com', 'SOA').answers[0]?.data).toContain(' 60')
      expect(ask('www.other.test', 'A').answers).toEqual([a('www.other.test', '198.51.100.80')])
    })
  })

  it('answers an RRset once, with the TTL read last for it (as Knot loads it)', () => {
    expect(ask('ttl.example.com', 'A').answers).toEqual([
      a('ttl.example.com', '192.0.2.1', 200),
      a('ttl.example.com', '192.0.2.2', 200)
    ])
  })

  it('returns plain records that do not share state with the zone', () => {
    const first = ask('example.com', 'TXT')
    expect(first.answers[0]).not.toHaveProperty('line')
    first.answers[0]?.strings?.push('changed')
    ;(first.answers[0] as DnsRecord).data = 'changed'
    expect(ask('example.com', 'TXT').answers[0]?.data).toBe('v=spf1 mx -all')
    expect(ask('example.com', 'TXT').answers[0]?.strings).toEqual(['v=spf1 ', 'mx -all'])
  })
})

describe('buildZone', () => {
  const build = (text: string) =>
    buildZone(
      'example.com',
      'f.zone',
      parseZoneFile(text, { origin: 'example.com', file: 'f.zone' })
    )

  it('keeps every record and the apex SOA', () => {
    const zone = build('@ SOA ns h 1 2 3 4 5\nwww A 192.0.2.1\nwww A 192.0.2.1')
    expect(zone.name).toBe('example.com')
    expect(zone.records).toHaveLength(3)
    expect(zone.soa.line).toBe(1)
  })

  it.each([
    ['www A 192.0.2.1', 'f.zone: no SOA record at the zone apex example.com'],
    [
      '@ SOA ns h 1 2 3 4 5\nwww SOA ns h 1 2 3 4 5',
      'f.zone:2: SOA record at www.example.com, not at the zone apex example.com'
    ],
    [
      '@ SOA ns h 1 2 3 4 5\n\n@ SOA ns h 2 2 3 4 5',
      'f.zone:3: second SOA record at the zone apex (the first is on line 1)'
    ],
    [
      '@ SOA ns h 1 2 3 4 5\nmail.example.net. A 192.0.2.1',
      'f.zone:2: mail.example.net is outside the zone example.com'
    ]
  ])('rejects %j', (text, message) => {
    expect(() => build(text)).toThrow(ZoneFileError)
    expect(() => build(text)).toThrow(message)
  })
})

describe('loadZoneDir and createZoneFileResolver', () => {
  let dir: string

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zone-source-'))
  })

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  const write = (name: string, text: string) => fs.writeFile(path.join(dir, name), text)

  it('reads every *.zone file, named after the file, the name being the origin', async () => {
    await write('example.com.zone', '@ SOA ns1 hostmaster 1 2 3 4 5\nwww A 192.0.2.1\n')
    await write('Other.Test.zone', '@ SOA ns h 1 2 3 4 5\n')
    await write('notes.txt', 'not a zone')
    await write('.hidden.zone', 'not read')
    await fs.mkdir(path.join(dir, 'sub.zone'))
    const zones = await loadZoneDir(dir)
    expect(zones.dir).toBe(dir)
    expect(zones.zones.map((z) => [z.name, z.file])).toEqual([
      ['other.test', path.join(dir, 'Other.Test.zone')],
      ['example.com', path.join(dir, 'example.com.zone')]
    ])
    expect(zones.zones[1]?.soa.data).toBe('ns1.example.com hostmaster.example.com 1 2 3 4 5')
    expect(answerFromZones(zones, { name: 'www.example.com', type: 'A' }).answers).toEqual([
      a('www.example.com', '192.0.2.1')
    ])
  })

  it('names the file and line of a parse error', async () => {
    await write('example.com.zone', '@ SOA ns h 1 2 3 4 5\nwww TXT "open\n')
    const file = path.join(dir, 'example.com.zone')
    await expect(loadZoneDir(dir)).rejects.toThrow(
      `${file}:2: unterminated quoted string (a string cannot span lines)`
    )
    await expect(loadZoneDir(dir)).rejects.toMatchObject({ file, line: 2 })
  })

  it('names the file of a zone without an SOA at the apex', async () => {
    await write('example.com.zone', '@ NS ns1\nns1 A 192.0.2.1\n')
    const file = path.join(dir, 'example.com.zone')
    await expect(loadZoneDir(dir)).rejects.toThrow(ZoneFileError)
    await expect(loadZoneDir(dir)).rejects.toThrow(
      `${file}: no SOA record at the zone apex example.com`
    )
  })

  it('rejects two files for the same zone', async () => {
    await write('example.com.zone', '@ SOA ns h 1 2 3 4 5\n')
    await write('Example.com.zone', '@ SOA ns h 1 2 3 4 5\n')
    await expect(loadZoneDir(dir)).rejects.toThrow(
      `${path.join(dir, 'example.com.zone')}: zone example.com is already read from ${path.join(dir, 'Example.com.zone')}`
    )
  })

  it('rejects a directory without zone files, and one that does not exist', async () => {
    await expect(loadZoneDir(dir)).rejects.toThrow(`${dir}: no *.zone files in the directory`)
    const missing = path.join(dir, 'missing')
    await expect(loadZoneDir(missing)).rejects.toThrow(ZoneFileError)
    await expect(loadZoneDir(missing)).rejects.toThrow(`${missing}: cannot read the zone directory`)
  })

  it('makes a resolver that answers from the files and never throws', async () => {
    await write('example.com.zone', EXAMPLE_COM)
    const resolver = await createZoneFileResolver(dir)
    expect(resolver.name).toBe('zone-files')
    expect(resolver.kind).toBe('zone-files')
    expect(resolver.address).toBe(dir)
    await expect(resolver.query({ name: 'c1.example.com.', type: 'A' })).resolves.toEqual({
      ok: true,
      response: answer(
        'NOERROR',
        true,
        [
          cname('c1.example.com', 'c2.example.com', 60),
          cname('c2.example.com', 'target.example.com', 60),
          a('target.example.com', '192.0.2.7', 60)
        ],
        []
      )
    })
    await expect(resolver.query({ name: 'Example.NET.', type: 'A' })).resolves.toEqual({
      ok: false,
      error: `zone files in ${dir}: no zone file holds example.net (add ${dir}/<zone>.zone)`
    })
    await expect(resolver.close()).resolves.toBeUndefined()
  })

  it('refuses two different CNAMEs at one name, as every server refuses such a zone', async () => {
    await write(
      'example.com.zone',
      '@ SOA ns h 1 2 3 4 5\nwww CNAME a.example.net.\nwww CNAME a.example.net.\nWWW CNAME b.example.net.\n'
    )
    await expect(createZoneFileResolver(dir)).rejects.toThrow(
      `${path.join(dir, 'example.com.zone')}:4: a second CNAME at www.example.com (the first is on line 2): a name holds one CNAME at most, and servers refuse the zone`
    )
  })

  it('fails to create the resolver when a zone file is wrong', async () => {
    await write('example.com.zone', '@ SOA ns h 1 2 3 4 5\n$INCLUDE other\n')
    await expect(createZoneFileResolver(dir)).rejects.toThrow(
      `${path.join(dir, 'example.com.zone')}:2: $INCLUDE is not supported`
    )
  })
})
