import { createGitHubClient, withDeadline, type Clock } from '../../src/github/client.js'
import { createGitHubPort } from '../../src/github/github-port.js'
import {
  commentFooter,
  publishComment,
  shouldComment,
  workflowRunUrl,
  type PublishOptions
} from '../../src/github/publish-comment.js'
import { MAX_COMMENT_LENGTH } from '../../src/github/sticky-comment.js'
import { startFakeGitHub, type FakeComment, type FakeGitHub } from '../support/fake-github.js'

const token = 'ghs_workflowToken0123456789abcdefABCDEF'
const appToken = 'ghs_appInstallationToken0123456789abcdef'
const pat = 'github_pat_11AAAAAAA0123456789abcdefghij'
const marker = '<!-- mailtrap-dns-verify:domains.yaml -->'
const noSleep: Clock = { now: () => 0, sleep: async () => {} }

describe('publishComment against the loopback GitHub', () => {
  let github: FakeGitHub
  beforeEach(async () => {
    github = await startFakeGitHub({
      repo: 'acme/dns',
      pull: 7,
      token,
      tokens: {
        [appToken]: { login: 'dns-checker[bot]', type: 'Bot' },
        [pat]: { login: 'release-manager', type: 'User' }
      }
    })
  })
  afterEach(async () => {
    await github.close()
  })

  /** One run of the action's comment step, with a fresh client as each run has. */
  function publish(
    over: Partial<PublishOptions> & { token?: string; runId?: number } = {}
  ): Promise<string> {
    const client = createGitHubClient({
      token: over.token ?? token,
      baseUrl: github.url,
      clock: noSleep
    })
    return publishComment({
      port: createGitHubPort(client),
      target: { owner: 'acme', repo: 'dns', number: 7 },
      key: 'domains.yaml',
      markdown: '## 1 failing\n\nbad.example: DKIM 1 missing',
      passed: false,
      mode: 'auto',
      onPass: 'update',
      run: {
        url: workflowRunUrl('https://github.com', 'acme/dns', over.runId ?? 100),
        sha: '0123456789abcdef0123456789abcdef01234567'
      },
      ...over
    })
  }
  const onPull = () => github.comments.filter((c) => (c.issue ?? 7) === 7)
  const writes = () =>
    github.requests.filter((r) => r.method !== 'GET' && !r.body.includes('viewer')).length

  it('two failing runs leave one comment; after the fix it is updated', async () => {
    expect(await publish({ runId: 1 })).toBe('created')
    expect(await publish({ runId: 2 })).toBe('unchanged')
    expect(onPull()).toHaveLength(1)
    expect(onPull()[0]!.body).toBe(
      `${marker}\n## 1 failing\n\nbad.example: DKIM 1 missing\n\n---\n<sub>Checked commit \`0123456\` in [workflow run](https://github.com/acme/dns/actions/runs/1).</sub>\n`
    )
    expect(await publish({ runId: 3, passed: true, markdown: '## All 1 pass' })).toBe('updated')
    expect(onPull()).toHaveLength(1)
    expect(onPull()[0]!.body).toContain('## All 1 pass')
    expect(onPull()[0]!.body).toContain('actions/runs/3)')
  })

  it('parallel first runs end with one comment, the oldest', async () => {
    github.createBarrier = 2
    const results = await Promise.all([publish({ runId: 1 }), publish({ runId: 2 })])
    expect(results.sort()).toEqual(['created', 'unchanged'])
    expect(onPull()).toHaveLength(1)
    expect(onPull()[0]!.id).toBe(1000)
    expect(
      github.requests.filter(
        (r) => r.path === '/repos/acme/dns/issues/7/comments' && r.method === 'POST'
      )
    ).toHaveLength(2)
  })

  it('a later run deletes duplicates an earlier one left, keeping the oldest', async () => {
    const mine = (id: number, at: string): FakeComment => ({
      id,
      body: `${marker}\nold ${id}`,
      user: { login: 'github-actions[bot]', type: 'Bot' },
      created_at: at
    })
    github.comments.push(mine(20, '2025-06-02T00:00:00Z'), mine(10, '2025-06-03T00:00:00Z'))
    expect(await publish()).toBe('updated')
    expect(onPull().map((c) => c.id)).toEqual([20])
    expect(onPull()[0]!.body).toContain('bad.example')
  })

  it('two keys keep two comments', async () => {
    expect(await publish({ key: 'eu/domains.yaml' })).toBe('created')
    expect(await publish({ key: 'us/domains.yaml', markdown: 'us report' })).toBe('created')
    expect(await publish({ key: 'eu/domains.yaml', markdown: 'eu report 2' })).toBe('updated')
    expect(onPull().map((c) => c.body.split('\n')[0])).toEqual([
      '<!-- mailtrap-dns-verify:eu/domains.yaml -->',
      '<!-- mailtrap-dns-verify:us/domains.yaml -->'
    ])
    expect(onPull()[1]!.body).toContain('us report')
  })

  it("leaves another bot's and a person's comment with the marker alone", async () => {
    github.comments.push(
      { id: 1, body: `${marker}\nrenovate's`, user: { login: 'renovate[bot]', type: 'Bot' } },
      { id: 2, body: `${marker}\nquoted`, user: { login: 'octocat', type: 'User' } }
    )
    expect(await publish()).toBe('created')
    expect(await publish({ markdown: 'second' })).toBe('updated')
    expect(onPull().map((c) => [c.id, c.body.split('\n')[1]])).toEqual([
      [1, "renovate's"],
      [2, 'quoted'],
      [1000, 'second']
    ])
  })

  it("an app's token finds its own bot's comment through GraphQL's viewer, not the workflow's", async () => {
    github.comments.push({
      id: 1,
      body: `${marker}\nworkflow's`,
      user: { login: 'github-actions[bot]', type: 'Bot' }
    })
    expect(await publish({ token: appToken })).toBe('created')
    expect(await publish({ token: appToken, markdown: 'again' })).toBe('updated')
    expect(onPull().map((c) => c.user.login)).toEqual(['github-actions[bot]', 'dns-checker[bot]'])
    expect(github.requests.some((r) => r.path === '/graphql' && r.body.includes('viewer'))).toBe(
      true
    )
  })

  it("a PAT's user is asked for with GET /user", async () => {
    expect(await publish({ token: pat })).toBe('created')
    expect(await publish({ token: pat, markdown: 'again' })).toBe('updated')
    expect(onPull()).toHaveLength(1)
    expect(onPull()[0]!.user.login).toBe('release-manager')
  })

  it('comment-on-pass delete removes the comment; a pass without one creates nothing', async () => {
    await publish()
    expect(await publish({ passed: true, onPass: 'delete' })).toBe('deleted')
    expect(onPull()).toHaveLength(0)
    expect(await publish({ passed: true, onPass: 'delete' })).toBe('skipped')
    expect(await publish({ passed: true, onPass: 'minimize' })).toBe('skipped')
    expect(await publish({ passed: true, mode: 'on-failure' })).toBe('skipped')
    expect(onPull()).toHaveLength(0)
  })

  it('comment-on-pass minimize hides it as RESOLVED through GraphQL; a new failure shows it again', async () => {
    await publish()
    expect(await publish({ passed: true, onPass: 'minimize', markdown: 'all pass' })).toBe(
      'minimized'
    )
    expect(onPull()[0]!.minimized).toEqual({ classifier: 'RESOLVED' })
    expect(onPull()[0]!.body).toContain('all pass')
    expect(await publish({ markdown: 'failing again' })).toBe('updated')
    expect(onPull()[0]!.minimized).toBeUndefined()
    expect(onPull()).toHaveLength(1)
  })

  it('on-failure updates an earlier failing comment on a pass; always creates one on a pass', async () => {
    await publish({ mode: 'on-failure' })
    expect(await publish({ mode: 'on-failure', passed: true, markdown: 'fixed' })).toBe('updated')
    expect(await publish({ mode: 'always', key: 'other', passed: true })).toBe('created')
    expect(await publish({ mode: 'never' })).toBe('skipped')
    expect(onPull()).toHaveLength(2)
  })

  it('a workflow token refused GET /user with 401 still finds its own comment', async () => {
    await github.close()
    github = await startFakeGitHub({ repo: 'acme/dns', pull: 7, token, userStatus: 401 })
    github.comments.push({
      id: 1,
      body: `${marker}\nold`,
      user: { login: 'github-actions[bot]', type: 'Bot' }
    })
    expect(await publish()).toBe('updated')
    expect(onPull()).toHaveLength(1)
  })

  it('the comment step ends in bounded time against an endless listing and a silent API', async () => {
    github.endless = true
    const warnings: string[] = []
    const client = createGitHubClient({
      token,
      baseUrl: github.url,
      clock: noSleep,
      maxPages: 3,
      warn: (l) => warnings.push(l)
    })
    const options = {
      port: createGitHubPort(client),
      target: { owner: 'acme', repo: 'dns', number: 7 },
      key: 'domains.yaml',
      markdown: 'report',
      passed: false,
      mode: 'auto' as const,
      onPass: 'update' as const,
      run: { url: 'https://github.com/acme/dns/actions/runs/1', sha: 'abcdef0' }
    }
    expect(await publishComment(options)).toBe('created')
    expect(warnings[0]).toMatch(/^Stopped listing the comments of #7 after 3 pages/)

    github.endless = false
    github.silent = true
    const silent = createGitHubClient({ token, baseUrl: github.url, timeoutMs: 60_000 })
    const error = await withDeadline(
      publishComment({ ...options, port: createGitHubPort(silent) }),
      500,
      { what: 'The pull request comment', onExpire: () => silent.abort() }
    ).catch((e: unknown) => e)
    expect(silent.describe(error)).toBe('The pull request comment did not finish within 500 ms')
  })

  it('cuts a body too long for a comment and keeps the footer', async () => {
    const before = writes()
    await publish({ markdown: 'line\n'.repeat(20_000) })
    expect(writes()).toBe(before + 1)
    const body = onPull()[0]!.body
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH)
    expect(body).toContain('The report is cut here')
    expect(body).toMatch(
      /in \[workflow run\]\(https:\/\/github.com\/acme\/dns\/actions\/runs\/100\)\.<\/sub>\n$/
    )
  })
})

describe('shouldComment', () => {
  it('comments on pull request events for auto, always for always, never for never', () => {
    expect(shouldComment('auto', 'pull_request', false)).toBe(true)
    expect(shouldComment('auto', 'pull_request_target', true)).toBe(true)
    expect(shouldComment('auto', 'workflow_run', false)).toBe(true)
    expect(shouldComment('auto', 'push', false)).toBe(false)
    expect(shouldComment('auto', 'schedule', false)).toBe(false)
    expect(shouldComment('auto', 'push', false, true)).toBe(true)
    expect(shouldComment('always', 'push', true)).toBe(true)
    expect(shouldComment('on-failure', 'pull_request', true)).toBe(true)
    expect(shouldComment('never', 'pull_request', false)).toBe(false)
  })
})

describe('commentFooter', () => {
  it('names the commit and links the run, and refuses what is not a SHA or a URL', () => {
    expect(commentFooter({ url: 'https://github.com/a/b/actions/runs/9', sha: 'ABCDEF0123' })).toBe(
      '\n\n---\n<sub>Checked commit `ABCDEF0` in [workflow run](https://github.com/a/b/actions/runs/9).</sub>\n'
    )
    expect(commentFooter({ url: 'javascript:alert(1)', sha: '`rm`' })).toBe(
      '\n\n---\n<sub>Checked commit `unknown`.</sub>\n'
    )
  })
})
