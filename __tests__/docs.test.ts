import { readFile } from 'node:fs/promises'
import { DIAGNOSES } from '../src/diagnose/codes.js'

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8')

describe('the documentation of the diagnosis codes', () => {
  it('has a section in docs/checks.md and a row in the README for every code, with its severity', async () => {
    const checks = await read('docs/checks.md')
    const readme = await read('README.md')
    for (const [code, { severity }] of Object.entries(DIAGNOSES)) {
      expect(checks).toContain(`## \`${code}\``)
      expect(checks).toContain(`| [\`${code}\`](#${code}) | ${code === 'ok' ? '–' : severity} |`)
      expect(readme).toContain(`| \`${code}\` | ${code === 'ok' ? '–' : severity} |`)
    }
    expect(readme).toContain('(docs/checks.md)')
  })
})
