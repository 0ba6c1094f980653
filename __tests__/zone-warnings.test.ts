import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execute } from '../src/engine.js'

const examples = new URL('../examples/', import.meta.url).pathname

describe('zone files that some servers refuse', () => {
  it('warn on the domain, at the file and line, and fail under --fail-on warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zone-warn-'))
    await mkdir(join(dir, 'zones'))
    const zone = await readFile(join(examples, 'zones', 'healthy.example.zone'), 'utf8')
    await writeFile(join(dir, 'zones', 'healthy.example.zone'), zone.replace(/\n/g, '\r\n'))
    await writeFile(
      join(dir, 'domains.yaml'),
      'version: 1\ndomains:\n  - name: healthy.example\n    verification: mt07\n'
    )
    const run = (failOn: 'error' | 'warning') =>
      execute(
        {
          command: 'check',
          config: join(dir, 'domains.yaml'),
          resolvers: [],
          authoritative: [],
          zoneDir: join(dir, 'zones'),
          domains: [],
          failOn
        },
        { now: () => new Date(0), sleep: async () => {}, progress: () => {} }
      )
    const lenient = await run('error')
    const domain = lenient.report.domains[0]!
    expect(domain.status).toBe('warn')
    expect(domain.findings.map((f) => [f.code, f.detail.kind])).toEqual([
      ['zone-file', 'zone-file']
    ])
    expect(domain.findings[0]!.message).toContain('healthy.example.zone:1')
    expect(lenient.exitCode).toBe(0)
    expect((await run('warning')).exitCode).toBe(1)
  })
})
