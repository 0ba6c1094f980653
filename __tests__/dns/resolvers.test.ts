import { buildResolvers, closeFleet, ResolverSpecError } from '../../src/dns/resolvers.js'
import type { Resolver } from '../../src/dns/types.js'

const base = { cli: [], config: undefined, authoritative: [], systemServers: () => ['127.0.0.53'] }

async function describeResolvers(
  request: Partial<Parameters<typeof buildResolvers>[0]>
): Promise<string[]> {
  const fleet = await buildResolvers({ ...base, ...request })
  const resolvers: Resolver[] = fleet.resolvers
  await closeFleet(fleet)
  return [
    ...(fleet.discovery ? ['(discovers authoritative servers)'] : []),
    ...resolvers.map((r) => `${r.name} ${r.kind} ${r.address}`)
  ]
}

// Building resolvers sends nothing: sockets open on the first query, and none is asked here.
describe('buildResolvers', () => {
  it('discovers authoritative servers and asks the presets by default', async () => {
    expect(await describeResolvers({})).toEqual([
      '(discovers authoritative servers)',
      'cloudflare recursive 1.1.1.1:53',
      'google recursive 8.8.8.8:53',
      'quad9 recursive 9.9.9.9:53'
    ])
  })

  it('lets --resolver replace the configured set and --authoritative add pinned servers', async () => {
    expect(
      await describeResolvers({
        cli: ['knot=127.0.0.1:5300', 'opendns', 'system'],
        config: ['google'],
        authoritative: ['127.0.0.2:5301', '[::1]:5302']
      })
    ).toEqual([
      'knot recursive 127.0.0.1:5300',
      'opendns recursive 208.67.222.222:53',
      'system system 127.0.0.53:53',
      'authoritative-1 authoritative 127.0.0.2:5301',
      'authoritative-2 authoritative [::1]:5302'
    ])
  })

  it('reads config entries: presets, addresses, named addresses, system servers', async () => {
    expect(
      await describeResolvers({
        config: ['127.0.0.9', { name: 'corp', address: '127.0.0.10:5353' }, 'system'],
        systemServers: () => ['127.0.0.53', '[::1]:5353']
      })
    ).toEqual([
      '127.0.0.9 recursive 127.0.0.9:53',
      'corp recursive 127.0.0.10:5353',
      'system-1 system 127.0.0.53:53',
      'system-2 system [::1]:5353'
    ])
  })

  it('answers from zone files alone when a zone directory is given', async () => {
    const dir = new URL('../../examples/zones', import.meta.url).pathname
    expect(await describeResolvers({ zoneDir: dir, cli: ['cloudflare'] })).toEqual([
      `zone-files zone-files ${dir}`
    ])
  })

  it.each([
    [{ cli: ['bogus'] }, 'unknown resolver "bogus"'],
    [{ cli: ['toString'] }, 'unknown resolver "toString"'],
    [{ config: ['constructor'] }, 'unknown resolver "constructor"'],
    [{ cli: ['x=not-an-address'] }, 'resolver x not-an-address'],
    [{ cli: ['a b=1.2.3.4'] }, '--resolver a b=1.2.3.4: the name before "="'],
    [{ cli: ['a=127.0.0.1', 'a=127.0.0.2'] }, 'resolver name "a" is used twice'],
    [{ authoritative: ['nowhere'] }, '--authoritative nowhere'],
    [{ cli: ['system'], systemServers: () => [] }, 'this machine has no DNS servers']
  ])('rejects %j with a clear message', async (request, message) => {
    const attempt = buildResolvers({ ...base, ...request } as Parameters<typeof buildResolvers>[0])
    await expect(attempt).rejects.toThrow(ResolverSpecError)
    await expect(
      buildResolvers({ ...base, ...request } as Parameters<typeof buildResolvers>[0])
    ).rejects.toThrow(message)
  })
})
