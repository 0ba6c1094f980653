import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createGitHubClient } from '../../src/github/client.js'
import { findPullRequest, mayFindPullRequest } from '../../src/github/find-pull-request.js'
import { createGitHubPort } from '../../src/github/github-port.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

interface WebhookDefinition {
  name: string
  examples: Record<string, unknown>[]
}

/** The real payloads GitHub sends, as @octokit/webhooks-examples ships them. */
const definitions = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-examples'), 'utf8')
) as WebhookDefinition[]
const examples = (name: string) => definitions.find((d) => d.name === name)!.examples
const token = 'ghs_findPullRequestToken0123456789abcdef'

describe('findPullRequest with real webhook payloads', () => {
  let github: FakeGitHub
  let port: ReturnType<typeof createGitHubPort>
  const repo = { owner: 'Codertocat', repo: 'Hello-World' }
  beforeEach(async () => {
    github = await startFakeGitHub({ repo: 'Codertocat/Hello-World', pull: 2, token })
    port = createGitHubPort(createGitHubClient({ token, baseUrl: github.url }))
  })
  afterEach(async () => {
    await github.close()
  })

  it('takes the number from every pull_request payload, and pull_request_target alike, asking nothing', async () => {
    const payloads = examples('pull_request')
    expect(payloads.length).toBeGreaterThan(20)
    for (const payload of payloads) {
      for (const event of ['pull_request', 'pull_request_target']) {
        expect(await findPullRequest(event, payload, port, { repo })).toEqual({
          number: 2,
          source: 'event'
        })
      }
    }
    expect(github.requests).toHaveLength(0)
  })

  it('takes workflow_run.pull_requests when its base is this repository', async () => {
    const payload = examples('workflow_run')[2]!
    expect(await findPullRequest('workflow_run', payload, port, { repo })).toEqual({
      number: 2,
      source: 'workflow_run'
    })
    expect(github.requests).toHaveLength(0)
  })

  it("does not take another repository's pull request from workflow_run.pull_requests", async () => {
    const payload = examples('workflow_run')[2]!
    const other = { owner: 'octo-org', repo: 'octo-repo' }
    await github.close()
    github = await startFakeGitHub({ repo: 'octo-org/octo-repo', pull: 1, token })
    port = createGitHubPort(createGitHubClient({ token, baseUrl: github.url }))
    expect(await findPullRequest('workflow_run', payload, port, { repo: other })).toBeUndefined()
    expect(github.requests.map((r) => r.path)).toEqual([
      '/repos/octo-org/octo-repo/commits/3484a3fb816e0859fd6e1cea078d76385ff50625/pulls?per_page=100',
      '/repos/octo-org/octo-repo/pulls?state=open&per_page=100'
    ])
  })

  it("finds a fork's pull request by head SHA and head repository when pull_requests is empty", async () => {
    const payload = examples('workflow_run')[0]! // head_repository octo-org/octo-repo, a fork
    const sha = '5779607b49aab1200488439f02372c57b4f75444'
    github.pulls.push(
      { number: 4, state: 'open', head: { sha, ref: 'main', repo: { full_name: 'mallory/fork' } } },
      {
        number: 5,
        state: 'open',
        head: { sha, ref: 'main', repo: { full_name: 'octo-org/octo-repo' } }
      },
      {
        number: 6,
        state: 'closed',
        head: { sha, ref: 'x', repo: { full_name: 'octo-org/octo-repo' } }
      }
    )
    expect(await findPullRequest('workflow_run', payload, port, { repo })).toEqual({
      number: 5,
      source: 'open-pulls'
    })
  })

  it('finds a same-repository pull request through the pull requests of the commit', async () => {
    const payload = structuredClone(examples('workflow_run')[1]!)
    ;(payload.workflow_run as { head_repository: unknown }).head_repository = {
      full_name: 'Codertocat/Hello-World'
    }
    const sha = '3484a3fb816e0859fd6e1cea078d76385ff50625'
    github.pulls.push({
      number: 9,
      state: 'open',
      head: { sha, ref: 'feature', repo: { full_name: 'Codertocat/Hello-World' } }
    })
    github.commitPulls[sha] = [9]
    expect(await findPullRequest('workflow_run', payload, port, { repo })).toEqual({
      number: 9,
      source: 'commit'
    })
    expect(github.requests.some((r) => r.path.includes('/pulls?state=open'))).toBe(false)
  })

  it('finds none for push, merge_group, workflow_dispatch and schedule, unless pr-number is given', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ...examples('push').map((p): [string, Record<string, unknown>] => ['push', p]),
      ...examples('merge_group').map((p): [string, Record<string, unknown>] => ['merge_group', p]),
      ...examples('workflow_dispatch').map((p): [string, Record<string, unknown>] => [
        'workflow_dispatch',
        p
      ]),
      ['schedule', { schedule: '17 3 * * *' }]
    ]
    for (const [event, payload] of cases) {
      // The action counts on this: such a comment step asks nothing, so it can print no warning.
      expect(mayFindPullRequest(event, undefined)).toBe(false)
      expect(mayFindPullRequest(event, 12)).toBe(true)
      expect(await findPullRequest(event, payload, port, { repo })).toBeUndefined()
      expect(await findPullRequest(event, payload, port, { repo, prNumber: 12 })).toEqual({
        number: 12,
        source: 'input'
      })
    }
    expect(github.requests).toHaveLength(0)
    for (const event of ['pull_request', 'pull_request_target', 'workflow_run'])
      expect(mayFindPullRequest(event, undefined)).toBe(true)
  })
})
