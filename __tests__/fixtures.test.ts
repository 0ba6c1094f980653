import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'

const copy = new URL('./fixtures/mailtrap/', import.meta.url)
const shared = new URL('../../shared/fixtures/mailtrap/', import.meta.url)

describe('the copy of the shared Mailtrap fixtures', () => {
  it('holds the documented payloads the fake Mailtrap serves', async () => {
    const files = (await readdir(copy)).sort()
    expect(files).toEqual(
      expect.arrayContaining(['accounts.json', 'domains-list.json', 'error-401.json'])
    )
  })

  // shared/ sits beside the repository on the team's machines and in CI: the copy must be
  // identical, so a change to the recorded payloads reaches the tests.
  it('is identical to shared/fixtures/mailtrap', async () => {
    expect(existsSync(shared)).toBe(true)
    for (const file of await readdir(shared)) {
      expect([file, await readFile(new URL(file, copy), 'utf8')]).toEqual([
        file,
        await readFile(new URL(file, shared), 'utf8')
      ])
    }
  })
})
