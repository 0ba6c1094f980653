import {
  createGitHubClient,
  describeGitHubError,
  GitHubApiError,
  redact,
  withDeadline,
  type Clock
} from '../../src/github/client.js'
import { stderrDuring } from '../net/stderr.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

const token = 'ghs_clientTestToken0123456789abcdefABCDEF'

/** A clock whose sleeps return at once and are written down. */
function fakeClock(): Clock & { sleeps: number[] } {
  let t = Date.parse('2026-01-01T00:00:00Z')
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms)
      t += ms
    }
  }
}

describe('createGitHubClient', () => {
  let github: FakeGitHub
  beforeEach(async () => {
    github = await startFakeGitHub({
      repo: 'acme/dns',
      pull: 7,
      token,
      comments: Array.from({ length: 250 }, (_, i) => ({
        id: i + 1,
        body: `comment ${i}`,
        user: { login: 'octocat', type: 'User' }
      }))
    })
  })
  afterEach(async () => {
    await github.close()
  })

  const listComments = (client: ReturnType<typeof createGitHubClient>) =>
    client.list<{ id: number }>(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: 'acme', repo: 'dns', issue_number: 7 },
      'comments'
    )

  it('lists every page with Link headers', async () => {
    const client = createGitHubClient({ token, baseUrl: github.url, clock: fakeClock() })
    const items = await listComments(client)
    expect(items).toHaveLength(250)
    expect(github.requests.map((r) => r.path)).toEqual([
      '/repos/acme/dns/issues/7/comments?per_page=100',
      '/repos/acme/dns/issues/7/comments?per_page=100&page=2',
      '/repos/acme/dns/issues/7/comments?per_page=100&page=3'
    ])
  })

  it('lists 30 times at once on one client without a listener warning', async () => {
    // Every request listens on the client's close signal while it lasts (a drift run files
    // issues for many domains at once).
    const client = createGitHubClient({ token, baseUrl: github.url, clock: fakeClock() })
    const printed = await stderrDuring(async () => {
      const lists = await Promise.all(Array.from({ length: 30 }, () => listComments(client)))
      expect(lists.map((items) => items.length)).toEqual(Array(30).fill(250))
    })
    expect(printed).not.toContain('MaxListenersExceededWarning')
  })

  it('retries 5xx answers with backoff, then succeeds', async () => {
    const clock = fakeClock()
    github.failNext = 2
    const client = createGitHubClient({ token, baseUrl: github.url, clock })
    expect(await listComments(client)).toHaveLength(250)
    expect(clock.sleeps).toEqual([1000, 2000])
  })

  it('gives up after its retries and says what GitHub answered', async () => {
    const clock = fakeClock()
    github.failNext = 10
    const client = createGitHubClient({ token, baseUrl: github.url, clock, retries: 2 })
    const error = await listComments(client).catch((e: unknown) => e)
    expect(client.describe(error)).toBe('HTTP 502: Server Error')
    expect(describeGitHubError({ status: 429, message: 'Too Many Requests' }, [])).toMatch(
      /^GitHub's secondary rate limit stopped the request \(HTTP 429\)/
    )
    expect(github.requests).toHaveLength(3)
  })

  it('does not repeat a POST after a 5xx (it may have been done), so no comment is written twice', async () => {
    github.failNext = 1
    const client = createGitHubClient({ token, baseUrl: github.url, clock: fakeClock() })
    await expect(
      client.octokit.rest.issues.createComment({
        owner: 'acme',
        repo: 'dns',
        issue_number: 7,
        body: 'x'
      })
    ).rejects.toMatchObject({ status: 502 })
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('waits out a secondary rate limit as GitHub asks, for writes too', async () => {
    const clock = fakeClock()
    const warnings: string[] = []
    github.rateLimitNext = 1
    const client = createGitHubClient({
      token,
      baseUrl: github.url,
      clock,
      warn: (l) => warnings.push(l)
    })
    await client.octokit.rest.issues.createComment({
      owner: 'acme',
      repo: 'dns',
      issue_number: 7,
      body: 'after the limit'
    })
    expect(clock.sleeps).toEqual([2000])
    expect(warnings[0]).toMatch(/secondary rate limit .*waiting 2 s/)
    expect(github.comments.at(-1)!.body).toBe('after the limit')
  })

  it('says a secondary rate limit is one, not a permission problem, when it does not lift', async () => {
    github.rateLimitNext = 10
    const client = createGitHubClient({
      token,
      baseUrl: github.url,
      clock: fakeClock(),
      retries: 1
    })
    const error = await listComments(client).catch((e: unknown) => e)
    const line = client.describe(error)
    expect(line).toMatch(
      /^GitHub's secondary rate limit stopped the request \(HTTP 403, retry after 2 s\)/
    )
    expect(line).toContain('not a permission problem')
  })

  it('stops an endless listing at the page cap with a warning', async () => {
    github.endless = true
    const warnings: string[] = []
    const client = createGitHubClient({
      token,
      baseUrl: github.url,
      clock: fakeClock(),
      maxPages: 5,
      warn: (l) => warnings.push(l)
    })
    const items = await listComments(client)
    expect(items).toHaveLength(500)
    expect(github.requests).toHaveLength(5)
    expect(warnings).toEqual([
      'Stopped listing comments after 5 pages (500 items): GitHub still offered more. Later ones are not considered.'
    ])
  })

  it('gives up on a silent API after its timeout and retries', async () => {
    github.silent = true
    const clock = fakeClock()
    const client = createGitHubClient({
      token,
      baseUrl: github.url,
      clock,
      timeoutMs: 200,
      retries: 1
    })
    const error = await listComments(client).catch((e: unknown) => e)
    expect(client.describe(error)).toBe(
      'GET /repos/acme/dns/issues/7/comments: no complete answer within 200 ms'
    )
    expect(github.requests).toHaveLength(2)
    expect(clock.sleeps).toEqual([1000])
  })

  it('aborts what is in flight when a step deadline runs out', async () => {
    github.silent = true
    const client = createGitHubClient({ token, baseUrl: github.url, timeoutMs: 60_000 })
    let expired = false
    const error = await withDeadline(listComments(client), 300, {
      what: 'The pull request comment',
      onExpire: () => {
        expired = true
        client.abort()
      }
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GitHubApiError)
    expect((error as Error).message).toBe('The pull request comment did not finish within 300 ms')
    expect(expired).toBe(true)
  })

  it('never shows the token, even when GitHub echoes it in another case', async () => {
    github.echoToken = true
    const client = createGitHubClient({ token, baseUrl: github.url, clock: fakeClock() })
    const error = await client.octokit.rest.issues
      .get({ owner: 'acme', repo: 'dns', issue_number: 99 })
      .catch((e: unknown) => e)
    const line = client.describe(error)
    expect(line).toBe('HTTP 404: Not Found (token ***)')
    expect(line.toLowerCase()).not.toContain(token.toLowerCase())
  })
})

describe('withDeadline', () => {
  it('passes a result through and rejects a step that outlives its deadline', async () => {
    expect(await withDeadline(Promise.resolve(7), 1000, { clock: fakeClock() })).toBe(7)
    let expired = 0
    await expect(
      withDeadline(new Promise(() => {}), 5000, { clock: fakeClock(), onExpire: () => expired++ })
    ).rejects.toThrow('The step did not finish within 5000 ms')
    expect(expired).toBe(1)
  })
})

describe('describeGitHubError and redact', () => {
  it('redacts case-insensitively, drops control characters and cuts long lines', () => {
    expect(redact('a SECRET-Token b secret-token', ['secret-token'])).toBe('a *** b ***')
    const line = describeGitHubError(
      { status: 422, message: `bad\u001b[31m ${'x'.repeat(1000)} ${token.toUpperCase()}` },
      [token]
    )
    expect(line.length).toBeLessThanOrEqual(300)
    expect(line).toMatch(/^HTTP 422: bad\\x1b\[31m x+…$/)
  })
})
