import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  eventEnv,
  linesWith,
  runAction,
  runCli,
  webhookExample,
  type BundleRun
} from '../support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'
import { writeFleet } from '../support/fleet-files.js'

// dist/index.js run as a runner runs it, for each event a workflow may run it on, with the
// payloads GitHub really sends (@octokit/webhooks-examples), against a loopback GitHub.

const token = 'ghs_eventsTestToken0123456789abcdefABCDEF'
const repository = 'Codertocat/Hello-World'
const failing = { config: 'examples/domains.yaml', 'zone-dir': 'examples/zones' }
const marker = '<!-- mailtrap-dns-verify:examples/domains.yaml -->'

/** The token appears in no output but its `::add-mask::` line. */
function expectTokenOnlyMasked(run: BundleRun, github?: FakeGitHub): void {
  expect(linesWith(run.stdout, token)).toEqual([`::add-mask::${token}`])
  expect(linesWith(run.stderr, token)).toEqual([])
  expect(linesWith(run.summary, token)).toEqual([])
  expect(linesWith(JSON.stringify(run.outputs), token)).toEqual([])
  for (const c of github?.comments ?? []) expect(linesWith(c.body, token)).toEqual([])
}

describe('dist/index.js on each event, against a loopback GitHub', () => {
  let github: FakeGitHub
  beforeEach(async () => {
    github = await startFakeGitHub({ repo: repository, pull: 2, token })
  })
  afterEach(async () => {
    await github.close()
  })
  const env = (name: string, payload: Record<string, unknown>) =>
    eventEnv({ name, payload, repository, apiUrl: github.url })
  const onPull = (number: number) => github.comments.filter((c) => (c.issue ?? 2) === number)

  it('pull_request from the same repository: one comment on the pull request, naming its head commit and the run', async () => {
    const payload = webhookExample('pull_request', 0)
    const run = await runAction(
      { ...failing, 'github-token': token },
      await env('pull_request', payload)
    )
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('fail')
    expect(run.stdout).toContain('Pull request comment: created.')
    const comments = onPull(2)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.user.login).toBe('github-actions[bot]')
    expect(comments[0]!.body).toContain(`${marker}\n${run.summary}`)
    expect(comments[0]!.body).toContain('Checked commit `ec26c3e`')
    expect(comments[0]!.body).toContain(`https://github.com/${repository}/actions/runs/4242`)
    expectTokenOnlyMasked(run, github)
  })

  it('pull_request from a fork: the read-only token cannot comment, healthy DNS still exits 0 with a summary and a one-line hint', async () => {
    const payload = webhookExample('pull_request', 0) as {
      pull_request: { head: { repo: { full_name: string; fork: boolean } } }
    }
    payload.pull_request.head.repo.full_name = 'mallory/Hello-World'
    payload.pull_request.head.repo.fork = true
    github.readOnly = true
    github.echoToken = true // and its error bodies quote the token, as a careless proxy might
    const fleet = await writeFleet([{ name: 'fine.example', state: 'healthy' }])
    const run = await runAction(
      { config: fleet.config, 'zone-dir': fleet.zoneDir, 'github-token': token },
      await env('pull_request', payload as unknown as Record<string, unknown>)
    )
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('pass')
    expect(run.outputs['exit-code']).toBe('0')
    expect(run.summary).toContain('Mailtrap DNS check: 1 domain, 1 pass')
    const warnings = run.stdout.split('\n').filter((l) => l.startsWith('::warning'))
    expect(warnings).toEqual([
      expect.stringMatching(/^::warning::The token may not comment on this pull request .*forks/)
    ])
    expect(run.stdout).not.toMatch(/\n\s+at /)
    expect(github.comments).toHaveLength(0)
    expect(github.requests.some((r) => r.method === 'POST' && r.path.endsWith('/comments'))).toBe(
      true
    )
    expectTokenOnlyMasked(run, github)
  })

  it('pull_request_target: comments on the pull request of the payload', async () => {
    const payload = webhookExample('pull_request', 22) // synchronize
    const run = await runAction(
      { ...failing, 'github-token': token },
      await env('pull_request_target', payload)
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('Pull request comment: created.')
    expect(onPull(2)).toHaveLength(1)
    expect(onPull(2)[0]!.body.startsWith(marker)).toBe(true)
    expectTokenOnlyMasked(run, github)
  })

  it('workflow_run with pull_requests, mode comment: posts the report of an earlier CLI run on that pull request, with no checkout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'artifact-'))
    const reportFile = join(dir, 'report.json')
    const earlier = await runCli([
      'check',
      '--config',
      'examples/domains.yaml',
      '--zone-dir',
      'examples/zones',
      '--format',
      'json',
      '--output',
      reportFile
    ])
    expect(earlier.code).toBe(1)
    const payload = webhookExample('workflow_run', 2) // pull_requests: [#2 of Codertocat/Hello-World]
    const empty = await mkdtemp(join(tmpdir(), 'workspace-')) // nothing checked out
    const run = await runAction(
      { mode: 'comment', report: reportFile, 'github-token': token },
      await env('workflow_run', payload),
      { cwd: empty }
    )
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('fail')
    expect(run.outputs['exit-code']).toBe('1')
    expect(JSON.parse(run.outputs['failed-domains']!)).toContain('doubled.example')
    expect(run.stdout).toContain('Pull request comment: created.')
    const comments = onPull(2)
    expect(comments).toHaveLength(1)
    // Keyed by the config the report checked, as the check run of that config keys its comment.
    expect(comments[0]!.body).toContain(`${marker}\n${run.summary}`)
    expect(comments[0]!.body).toContain('doubled.example')
    // The commit the earlier run checked, and that run's page.
    expect(comments[0]!.body).toContain('Checked commit `3484a3f`')
    expect(comments[0]!.body).toContain(
      'https://github.com/octo-org/octo-repo/actions/runs/289782451'
    )
    // Nothing asked GitHub where the pull request is: the payload said.
    expect(github.requests.some((r) => r.path.includes('/pulls'))).toBe(false)
    expectTokenOnlyMasked(run, github)
  })

  it("workflow_run without pull_requests (a fork's), mode comment: finds the pull request by head SHA and head repository", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'artifact-'))
    const reportFile = join(dir, 'report.json')
    // The earlier run: the pull_request workflow, whose report is uploaded as an artifact.
    const earlier = await runAction(
      { ...failing, 'report-path': reportFile, comment: 'never' },
      await env('pull_request', webhookExample('pull_request', 0))
    )
    expect(earlier.code).toBe(1)
    const payload = webhookExample('workflow_run', 0) // head_repository octo-org/octo-repo, no pull_requests
    const sha = '5779607b49aab1200488439f02372c57b4f75444'
    github.pulls.push(
      { number: 4, state: 'open', head: { sha, ref: 'main', repo: { full_name: 'mallory/fork' } } },
      {
        number: 5,
        state: 'open',
        head: { sha, ref: 'main', repo: { full_name: 'octo-org/octo-repo' } }
      }
    )
    const run = await runAction(
      { mode: 'comment', report: reportFile, 'github-token': token },
      await env('workflow_run', payload),
      { cwd: await mkdtemp(join(tmpdir(), 'workspace-')) }
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('Pull request comment: created.')
    expect(onPull(4)).toHaveLength(0)
    expect(onPull(5)).toHaveLength(1)
    expect(onPull(5)[0]!.body).toContain(`${marker}\n${earlier.summary}`)
    expect(onPull(5)[0]!.body).toContain('Checked commit `5779607`')
    expectTokenOnlyMasked(run, github)
  })

  it('without GITHUB_STEP_SUMMARY: a warning, not a failure', async () => {
    const fleet = await writeFleet([{ name: 'fine.example', state: 'healthy' }])
    const run = await runAction(
      { config: fleet.config, 'zone-dir': fleet.zoneDir, 'github-token': token },
      { ...(await env('pull_request', webhookExample('pull_request', 0))), GITHUB_STEP_SUMMARY: '' }
    )
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('pass')
    expect(run.stdout).toContain('::warning::GITHUB_STEP_SUMMARY is not set')
    expect(run.stdout).toContain('Pull request comment: created.')
    expect(onPull(2)[0]!.body).toContain('Mailtrap DNS check: 1 domain, 1 pass')
  })

  const schedule = {
    schedule: '17 6 * * *',
    repository: webhookExample('push', 0).repository
  }
  it.each([
    ['push', webhookExample('push', 0)],
    ['schedule', schedule],
    ['workflow_dispatch', webhookExample('workflow_dispatch', 0)],
    ['merge_group', webhookExample('merge_group', 0)]
  ])('%s: no comment, GitHub not asked, outputs and summary as always', async (name, payload) => {
    const run = await runAction({ ...failing, 'github-token': token }, await env(name, payload))
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('fail')
    expect(run.outputs['exit-code']).toBe('1')
    expect(run.outputs.summary).toBe('11 domains: 1 pass, 3 warn, 7 fail')
    expect(run.summary).toContain('Mailtrap DNS check: 11 domains')
    expect(run.stdout).not.toContain('Pull request comment')
    expect(github.requests).toEqual([])
    const report = JSON.parse(await readFile(run.outputs.report!, 'utf8'))
    expect(report.summary.fail).toBe(7)
    expectTokenOnlyMasked(run, github)
  })
})
