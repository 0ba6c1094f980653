import { check } from '../src/check.js'
import { loadConfig } from '../src/config/load-config.js'
import type { Resolver } from '../src/dns/types.js'

const silent: Resolver = {
  name: 'none',
  kind: 'recursive',
  address: '-',
  close: async () => {},
  query: async () => ({ ok: false, error: 'none: not asked' })
}

describe('check --domain', () => {
  it('takes internationalised names as the config does, in punycode', async () => {
    const config = loadConfig(
      'version: 1\ndomains:\n  - bücher.example\n  - other.example\n',
      'd.yaml'
    )
    const report = await check(
      config,
      { resolvers: [silent], now: () => new Date(0) },
      { domains: ['BÜCHER.example.'] }
    )
    expect(report.domains.map((d) => d.domain)).toEqual(['xn--bcher-kva.example'])
    await expect(
      check(config, { resolvers: [silent], now: () => new Date(0) }, { domains: ['nope.example'] })
    ).rejects.toThrow('--domain nope.example: not in d.yaml')
  })
})
