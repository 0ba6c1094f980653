import { readFile, writeFile } from 'node:fs/promises'
import { domainsJsonSchema } from '../../src/config/json-schema.js'

const path = new URL('../../schema/domains.schema.json', import.meta.url)

describe('schema/domains.schema.json', () => {
  it('is the current export of the zod schema (npm run schema rewrites it)', async () => {
    const current = JSON.stringify(domainsJsonSchema(), null, 2) + '\n'
    if (process.env.UPDATE_SCHEMA) await writeFile(path, current)
    expect(await readFile(path, 'utf8')).toBe(current)
  })

  it('describes the documented keys', () => {
    const schema = JSON.stringify(domainsJsonSchema())
    for (const key of [
      'version',
      'defaults',
      'fail-on',
      'resolvers',
      'domains',
      'verification',
      'tracking',
      'zone',
      'dkim1',
      'link_verification'
    ]) {
      expect(schema).toContain(`"${key}"`)
    }
  })
})
