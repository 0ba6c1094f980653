/**
 * The engine's view of Mailtrap loads its client on the first question (start-up, issue 12):
 * what the view answers, and how it fails, must be what it was when the client was made at once.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { UsageError } from '../../src/errors.js'
import { createMailtrapView, type MailtrapView } from '../../src/mailtrap-view.js'
import { startFakeMailtrap, type FakeMailtrap } from '../support/fake-mailtrap.js'

const fakes: FakeMailtrap[] = []
const views: MailtrapView[] = []

afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()))
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

async function setup(token = 'test-token'): Promise<{ fake: FakeMailtrap; view: MailtrapView }> {
  const fake = await startFakeMailtrap({ token: 'test-token' })
  fakes.push(fake)
  const view = createMailtrapView(
    { token, baseUrl: fake.url, retries: 0 },
    { now: () => new Date('2026-01-01T00:00:00Z') }
  )
  views.push(view)
  return { fake, view }
}

describe('createMailtrapView', () => {
  it('asks nothing until a question, and reads the list once per interval', async () => {
    const { fake, view } = await setup()
    expect(fake.requests).toHaveLength(0)
    expect(view.readAt()).toBeUndefined()
    const first = await view.port.domains()
    expect(first.map((d) => d.name)).toContain('acme-mail.test')
    const asked = fake.requests.length
    expect(asked).toBeGreaterThan(0)
    await view.port.domains()
    expect(fake.requests).toHaveLength(asked)
    expect(view.readAt()).toEqual(new Date('2026-01-01T00:00:00Z'))
  })

  it('turns a refused token into a UsageError', async () => {
    const { view } = await setup('another-token')
    await expect(view.port.domains()).rejects.toThrow(UsageError)
  })

  it('refuses invalid options at the first question, as a UsageError naming Mailtrap', async () => {
    const { fake, view } = await setup(' ')
    const read = view.port.domains()
    await expect(read).rejects.toThrow(UsageError)
    await expect(read).rejects.toThrow('Mailtrap: Mailtrap API token is empty')
    expect(fake.requests).toHaveLength(0)
    await expect(view.close()).resolves.toBeUndefined()
  })

  it('checks the options on ready(), without asking Mailtrap', async () => {
    const bad = await setup(' ')
    await expect(bad.view.ready()).rejects.toThrow('Mailtrap: Mailtrap API token is empty')
    const good = await setup()
    await expect(good.view.ready()).resolves.toBeUndefined()
    expect(good.fake.requests).toHaveLength(0)
  })

  it('closes without having asked anything', async () => {
    const { fake, view } = await setup()
    await expect(view.close()).resolves.toBeUndefined()
    expect(fake.requests).toHaveLength(0)
  })
})
