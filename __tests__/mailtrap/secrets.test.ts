/**
 * A canary token against a stand-in that echoes it back in every error it can stage: in the
 * message field, beside it, in an HTML page, in a header, in account names, as sent, in another
 * case, in base64 and split by invisible characters. The canary, in any form, must appear in no
 * error (however it is rendered) and in nothing the client logs.
 */
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  createMailtrapClient,
  MailtrapError,
  type MailtrapClient,
  type MailtrapClientOptions
} from '../../src/mailtrap/client.js'
import { startFakeMailtrap, type FakeMailtrap } from '../support/fake-mailtrap.js'
import { CANARY, ECHOES, echoes, holdsCanary } from '../net/canary.js'
import { testClock } from '../net/test-clock.js'

const fakes: FakeMailtrap[] = []
const clients: MailtrapClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

/** A stand-in that takes the canary; a client with it, whose debug lines go to `logged`. */
async function setup(options: Partial<MailtrapClientOptions> = {}, families?: 'account') {
  const f = await startFakeMailtrap({
    token: CANARY,
    accounts: [{ id: 31001, name: 'Acme Mail' }],
    ...(families ? { families } : {})
  })
  fakes.push(f)
  const logged: string[] = []
  const c = createMailtrapClient({
    token: CANARY,
    baseUrl: f.url,
    clock: testClock(),
    timeoutMs: 500,
    debug: (line) => logged.push(line),
    ...options
  })
  clients.push(c)
  return { f, c, logged }
}

/** Every way an error can be shown, logged or serialised. */
function renderings(error: unknown): string[] {
  expect(error).toBeInstanceOf(MailtrapError)
  const e = error as MailtrapError
  return [
    e.message,
    String(e),
    e.stack ?? '',
    JSON.stringify(e),
    inspect(e, { depth: 10, showHidden: true }),
    ...Object.getOwnPropertyNames(e).map((key) => String(Reflect.get(e, key)))
  ]
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: unknown) => err
  )
}

/** Bodies that echo the token: in each message field, nested, and beside the message. */
const bodies = (echo: string): unknown[] => [
  { errors: `Token ${echo} is not valid for this account` },
  { error: `Incorrect API token ${echo}` },
  { message: `Bearer ${echo} refused` },
  { errors: { base: [`token ${echo}`], domain_name: [echo] } },
  { errors: 'Rate limit exceeded', request: { authorization: `Bearer ${echo}` } }
]

describe('a token echoed back by Mailtrap', () => {
  it.each(Object.entries(ECHOES))(
    'never reaches an error or a log line: %s',
    async (_form, echo) => {
      const { f, c, logged } = await setup({ retries: 1 })
      await c.listDomains()
      const errors: unknown[] = []
      for (const status of [401, 403, 404, 422, 429, 500, 502]) {
        for (const body of bodies(echo)) {
          // 429s and 5xxs are tried twice, so their retries are logged too.
          f.failNext(status, body, {}, status >= 429 ? 2 : 1)
          errors.push(await rejection(c.getDomain(870001)))
        }
      }
      f.failNext(422, { errors: { base: [`name taken by ${echo}`] } })
      errors.push(await rejection(c.createDomain('new.acme-mail.test')))
      f.failNext(503, { message: `maintenance for ${echo}` })
      errors.push(await rejection(c.createDomain('new2.acme-mail.test')))
      f.failNext(404, `<html><body>No route for ${echo}</body></html>`, {
        'content-type': 'text/html'
      })
      errors.push(await rejection(c.getDomain(870002)))
      f.failNext(200, `not json ${echo}`, {
        'content-type': `text/plain; note=${echo.replace(/[^\x21-\x7e]/g, '')}`
      })
      errors.push(await rejection(c.getDomain(870002)))
      f.failNext(200, { data: [{ id: 1, domain_name: 7, compliance_status: echo }] })
      errors.push(await rejection(c.listDomains()))

      expect(errors).toHaveLength(7 * 5 + 5)
      for (const error of errors) {
        for (const text of renderings(error)) expect(holdsCanary(text)).toBe(false)
      }
      expect(logged.length).toBeGreaterThan(0)
      for (const line of logged) expect(holdsCanary(line)).toBe(false)
      // The messages still say what Mailtrap said, the token cut out of it.
      const first = (errors[5] as MailtrapError).message
      expect(first).toBe(
        'The Mailtrap API token has no access (403 on GET /api/domains/870001): ' +
          'Token *** is not valid for this account'
      )
    }
  )

  it('is cut out of account names in the message that lists them', async () => {
    const f = await startFakeMailtrap({
      token: CANARY,
      families: 'account',
      accounts: Object.values(echoes(CANARY)).map((name, i) => ({ id: i + 1, name }))
    })
    fakes.push(f)
    const c = createMailtrapClient({ token: CANARY, baseUrl: f.url, clock: testClock() })
    clients.push(c)
    const error = await rejection(c.listDomains())
    expect((error as MailtrapError).message).toMatch(
      /^the token reaches 12 accounts: \*\*\* \(1\), \*\*\* \(2\), /
    )
    for (const text of renderings(error)) expect(holdsCanary(text)).toBe(false)
  })

  it('is never quoted from a connection that fails either', async () => {
    const { f, c, logged } = await setup({ retries: 2 })
    await c.listDomains()
    f.stallNext(3)
    const error = await rejection(c.getDomain(870001))
    expect((error as MailtrapError).message).toMatch(/failed after 3 tries: no answer from/)
    for (const text of [...renderings(error), ...logged]) expect(holdsCanary(text)).toBe(false)
    expect(logged).toHaveLength(3)
  })
})
