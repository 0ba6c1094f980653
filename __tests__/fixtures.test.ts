import { readdir } from 'node:fs/promises'

const copy = new URL('./fixtures/mailtrap/', import.meta.url)

describe('the copy of the shared Mailtrap fixtures', () => {
  it('holds the documented payloads the fake Mailtrap serves', async () => {
    const files = (await readdir(copy)).sort()
    expect(files).toEqual(
      expect.arrayContaining(['accounts.json', 'domains-list.json', 'error-401.json'])
    )
  })
})
