import { configDrift, expandExpected } from '../../src/records/expected.js'

const domain = {
  name: 'acme.test',
  zone: 'acme.test',
  verification: 'mt41',
  tracking: true,
  records: { dkim1: { value: 'rwmt1.dkim.smtp.mailtrap.live.' } },
  line: 3
}

describe('expandExpected', () => {
  it('takes the API over the config over the defaults, and compares API hosts as DNS names', () => {
    const records = expandExpected(domain, {
      records: [
        { key: 'verification', host: 'MT42', value: 'smtp.mailtrap.live' },
        { key: 'dkim1', host: 'rwmt1._domainkey' },
        { key: 'spf', host: '', value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all' }
      ]
    })
    expect(records.records.map((r) => [r.key, r.name, r.value, r.source])).toEqual([
      ['verification', 'mt42.acme.test', 'smtp.mailtrap.live', 'mailtrap'],
      ['dkim1', 'rwmt1._domainkey.acme.test', 'rwmt1.dkim.smtp.mailtrap.live', 'config'],
      ['dkim2', 'rwmt2._domainkey.acme.test', 'rwmt2.dkim.smtp.mailtrap.live', 'default'],
      ['dmarc', '_dmarc.acme.test', expect.stringContaining('v=DMARC1; p=none'), 'default'],
      ['spf', 'acme.test', 'v=spf1 include:_spf.smtp.mailtrap.live ~all', 'mailtrap']
    ])
  })

  it('says where the config pins what the API expects otherwise, and nothing where they agree', () => {
    const drift = configDrift(domain, {
      records: [
        { key: 'verification', host: 'mt42', value: 'smtp.mailtrap.live' },
        { key: 'dkim1', host: 'rwmt1._domainkey', value: 'RWMT1.dkim.smtp.mailtrap.live' }
      ]
    })
    expect([...drift]).toEqual([['verification', [{ field: 'host', pinned: 'mt41', api: 'mt42' }]]])
  })

  it('finds no drift where hosts differ only as DNS names do: apex "" vs @, case, a trailing dot', () => {
    const pinned = {
      ...domain,
      verification: 'MT07.',
      records: { spf: { name: '@', value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all' } }
    }
    const drift = configDrift(pinned, {
      records: [
        { key: 'verification', host: 'mt07', value: 'smtp.mailtrap.live' },
        { key: 'spf', host: '', value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all' }
      ]
    })
    expect([...drift]).toEqual([])
  })
})

describe('what the API lists', () => {
  it('checks a record under a key the tool does not know, and follows the API on tracking', () => {
    const records = expandExpected(
      { ...domain, trackingPinned: true },
      {
        trackingEnabled: false,
        records: [
          { key: 'link_verification', host: 'mt-link', value: 't.mailtrap.live' },
          { key: 'inbound_mx', host: '@', value: '10 MX.Mailtrap.Live.', type: 'MX' }
        ]
      }
    ).records
    expect(records.find((r) => r.key === 'link_verification')).toBeUndefined()
    expect(records.find((r) => r.key === 'inbound_mx')).toMatchObject({
      type: 'MX',
      name: 'acme.test',
      value: '10 mx.mailtrap.live',
      source: 'mailtrap'
    })
    const drift = configDrift(
      { ...domain, trackingPinned: true },
      { trackingEnabled: false, records: [] }
    )
    expect(drift.get('link_verification')).toEqual([
      { field: 'tracking', pinned: 'true', api: 'false' }
    ])
  })
})

describe('hosts from the API', () => {
  it.each(['a b', 'a..b', '*', 'x'.repeat(64)])('does not believe %j', (host) => {
    const records = expandExpected(domain, {
      records: [{ key: 'verification', host, value: 'smtp.mailtrap.live' }]
    }).records
    expect(records[0]!.name).toBe('mt41.acme.test')
  })
})
