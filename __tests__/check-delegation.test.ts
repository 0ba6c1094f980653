import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execute } from '../src/engine.js'

describe('a zone that is not delegated yet', () => {
  it('says so, and words every fix for the zone, never for the registry above it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'undelegated-'))
    await mkdir(join(dir, 'zones'))
    await writeFile(
      join(dir, 'zones', 'test.zone'),
      '$TTL 3600\n@ IN SOA ns1.registry.test. h 1 7200 900 1209600 300\n@ IN NS ns1.registry.test.\n'
    )
    await writeFile(
      join(dir, 'domains.yaml'),
      'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n'
    )
    const { report, exitCode } = await execute(
      {
        command: 'check',
        config: join(dir, 'domains.yaml'),
        resolvers: [],
        authoritative: [],
        zoneDir: join(dir, 'zones'),
        domains: []
      },
      { now: () => new Date(0), sleep: async () => {}, progress: () => {} }
    )
    const domain = report.domains[0]!
    expect(exitCode).toBe(1)
    expect(domain.zone).toBe('shop.test')
    expect(domain.findings[0]!.message).toBe(
      'shop.test is not delegated: the test registry answers that it does not exist, so no record in it can be found yet.'
    )
    const hints = domain.records.flatMap((r) => r.findings.map((f) => f.hint))
    expect(hints.length).toBeGreaterThan(0)
    for (const hint of hints) {
      expect(hint).toContain('In the DNS zone shop.test')
      expect(hint).not.toContain('zone test,')
    }
    expect(domain.fix).toContain('$ORIGIN shop.test.')
  })
})
