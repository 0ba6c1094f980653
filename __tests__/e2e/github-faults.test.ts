import {
  eventEnv,
  linesWith,
  runAction,
  webhookExample,
  type BundleRun
} from '../support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

// dist/index.js against a GitHub that never ends a listing or never answers: the verdict and
// the outputs are set whatever the API does, and the step ends in bounded time.

const token = 'ghs_faultsTestToken0123456789abcdefABCDEF'
const repository = 'Codertocat/Hello-World'
const failing = { config: 'examples/domains.yaml', 'zone-dir': 'examples/zones' }
/** The comment step's deadline for these runs; the default (120 s) would outlast the kill below. */
const deadlineMs = 3000
/** A run still going after this long is killed (code -1): far above the deadline, far below 120 s. */
const killAfterMs = 60_000

function expectVerdictSet(run: BundleRun): void {
  expect(run.code).toBe(1) // not killed (-1): the step ended by itself
  expect(run.outputs.status).toBe('fail')
  expect(run.outputs['exit-code']).toBe('1')
  expect(run.outputs.summary).toBe('11 domains: 1 pass, 3 warn, 7 fail')
  expect(run.outputs.report).toBeDefined()
  expect(run.summary).toContain('Mailtrap DNS check: 11 domains')
  expect(run.stdout).toContain('::error::7 domain(s) have findings at or above "error".')
  expect(linesWith(run.stdout, token)).toEqual([`::add-mask::${token}`])
  expect(run.stdout).not.toMatch(/\n\s+at /)
}

describe('dist/index.js when GitHub misbehaves', () => {
  let github: FakeGitHub
  let env: Record<string, string>
  beforeEach(async () => {
    github = await startFakeGitHub({ repo: repository, pull: 2, token })
    env = {
      ...(await eventEnv({
        name: 'pull_request',
        payload: webhookExample('pull_request', 0),
        repository,
        apiUrl: github.url
      })),
      MAILTRAP_DNS_VERIFY_GITHUB_DEADLINE_MS: String(deadlineMs)
    }
  })
  afterEach(async () => {
    await github.close()
  })
  /** A scheduled run's environment, with the short deadline. */
  const scheduled = async () => ({
    ...(await eventEnv({
      name: 'schedule',
      payload: { schedule: '17 6 * * *' },
      repository,
      apiUrl: github.url
    })),
    MAILTRAP_DNS_VERIFY_GITHUB_DEADLINE_MS: String(deadlineMs)
  })

  it('an endless listing stops at the page cap with a warning; the outputs are set and the step ends', async () => {
    github.endless = true
    const run = await runAction({ ...failing, 'github-token': token }, env, {
      timeoutMs: killAfterMs
    })
    expectVerdictSet(run)
    expect(run.stdout).toMatch(/::warning::Stopped listing the comments of #2 after \d+ pages/)
    const pages = github.requests.filter((r) => r.path.includes('/issues/2/comments?'))
    expect(pages.length).toBeGreaterThan(1)
    expect(pages.length).toBeLessThan(200)
  })

  it('a silent API: the comment step gives up at its deadline, the outputs were set before it, the step ends', async () => {
    github.silent = true
    const run = await runAction({ ...failing, 'github-token': token }, env, {
      timeoutMs: killAfterMs
    })
    expectVerdictSet(run)
    expect(github.requests.length).toBeGreaterThan(0) // it did ask, and got no answer
    expect(run.stdout).toContain('::warning::GitHub did not answer in time')
  })

  it('a silent API on a drift run: the outputs are set and the step ends', async () => {
    github.silent = true
    const run = await runAction(
      { ...failing, 'github-token': token, 'drift-issue': 'true' },
      await scheduled(),
      { timeoutMs: killAfterMs }
    )
    expectVerdictSet(run)
    expect(run.stdout).toMatch(/::warning::Could not update the drift issue: .*did not finish/)
    expect(run.outputs['drift-issue']).toBeUndefined()
  })

  it('a comment step that runs out of time leaves the drift issue its own time and connection', async () => {
    // Only the pull request's comments are silent: the drift issue's calls are answered.
    github.silent = /\/issues\/2\/comments$/
    const run = await runAction(
      { ...failing, 'github-token': token, 'drift-issue': 'true', 'pr-number': '2' },
      await scheduled(),
      { timeoutMs: killAfterMs }
    )
    expectVerdictSet(run)
    expect(run.stdout).toContain('::warning::GitHub did not answer in time')
    expect(run.stdout).toMatch(/Drift issue: opened \(#\d+\)\./)
    expect(run.outputs['drift-issue']).toMatch(/^\d+$/)
  })
})
