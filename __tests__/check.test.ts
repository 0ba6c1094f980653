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

describe('the text report', () => {
  it('is coloured on a terminal, and not with --no-color', async () => {
    const { main } = await import('../src/cli.js')
    const run = async (args: string[]) => {
      let out = ''
      const code = await main(
        [
          'check',
          '--config',
          'examples/domains.yaml',
          '--zone-dir',
          'examples/zones',
          '--domain',
          'healthy.example',
          ...args
        ],
        {
          stdout: (t) => (out += t),
          stderr: () => {},
          color: true
        }
      )
      return { code, out }
    }
    expect((await run([])).out).toContain('\u001b[32mPASS\u001b[0m')
    const plain = await run(['--no-color'])
    expect(plain.code).toBe(0)
    expect(plain.out).not.toContain('\u001b[')
  })
})
