import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventEnv, linesWith, runAction, runCli, webhookExample } from '../support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'
import { setZone, writeFleet } from '../support/fleet-files.js'

// The drift issue of dist/index.js on scheduled runs, against a loopback GitHub: one open
// issue while domains fail, one comment per later run saying what changed, closed on a pass.

const token = 'ghs_driftTestToken0123456789abcdefABCDEFG'
const repository = 'Codertocat/Hello-World'

describe('the drift issue of dist/index.js', () => {
  let github: FakeGitHub
  beforeEach(async () => {
    github = await startFakeGitHub({ repo: repository, pull: 99, token })
  })
  afterEach(async () => {
    await github.close()
  })
  const scheduled = () =>
    eventEnv({
      name: 'schedule',
      payload: { schedule: '17 6 * * *', repository: webhookExample('push', 0).repository },
      repository,
      apiUrl: github.url
    })
  const commentsOn = (issue: number) => github.comments.filter((c) => c.issue === issue)

  it('two failing scheduled runs keep one open issue with one update comment; a passing run closes it', async () => {
    const fleet = await writeFleet([
      { name: 'first.example', state: 'doubled' },
      { name: 'second.example', state: 'healthy' }
    ])
    const inputs = {
      config: fleet.config,
      'zone-dir': fleet.zoneDir,
      'github-token': token,
      'drift-issue': 'true'
    }
    const env = await scheduled()

    const one = await runAction(inputs, env)
    expect(one.code).toBe(1)
    expect(one.outputs['drift-issue']).toBe('1')
    expect(github.issues).toHaveLength(1)
    const issue = github.issues[0]!
    expect(issue.state).toBe('open')
    expect(issue.labels.map((l) => l.name)).toEqual(['dns-drift'])
    expect(issue.user.login).toBe('github-actions[bot]')
    expect(issue.body).toContain('first.example')
    expect(issue.body).not.toContain('second.example')
    expect(github.labels.map((l) => l.name)).toContain('dns-drift')
    expect(commentsOn(1)).toHaveLength(0)

    // Second run: first.example still fails, second.example breaks too.
    await setZone(fleet, 'second.example', 'missing-dkim2')
    const two = await runAction(inputs, env)
    expect(two.code).toBe(1)
    expect(two.outputs['drift-issue']).toBe('1')
    expect(github.issues).toHaveLength(1)
    expect(github.issues[0]!.state).toBe('open')
    expect(github.issues[0]!.body).toContain('second.example')
    expect(github.issues[0]!.title).toContain('2 domains failing')
    expect(commentsOn(1)).toHaveLength(1)
    const update = commentsOn(1)[0]!.body
    expect(update).toContain('Since the last run')
    expect(update).toMatch(/Newly failing \(1\): second\.example/)
    expect(update).toMatch(/Still failing \(1\): first\.example/)

    // Everything fixed: the issue is closed with a comment.
    await setZone(fleet, 'first.example', 'healthy')
    await setZone(fleet, 'second.example', 'healthy')
    const three = await runAction(inputs, env)
    expect(three.code).toBe(0)
    expect(three.outputs.status).toBe('pass')
    expect(three.outputs['drift-issue']).toBe('1')
    expect(github.issues).toHaveLength(1)
    expect(github.issues[0]!.state).toBe('closed')
    expect(commentsOn(1)).toHaveLength(2)
    expect(commentsOn(1)[1]!.body).toMatch(/Every domain passes .*closing/)
    expect(commentsOn(1)[1]!.body).toMatch(/Fixed \(2\)/)
    for (const run of [one, two, three]) {
      expect(linesWith(run.stdout, token)).toEqual([`::add-mask::${token}`])
    }
  })

  it('outside a runner, with no repository named anywhere, says so in one warning and keeps the verdict', async () => {
    const fleet = await writeFleet([{ name: 'first.example', state: 'doubled' }])
    const env = await eventEnv({
      name: 'schedule',
      payload: { schedule: '17 6 * * *' },
      repository: '',
      apiUrl: github.url
    })
    delete env.GITHUB_REPOSITORY
    const run = await runAction(
      {
        config: fleet.config,
        'zone-dir': fleet.zoneDir,
        'github-token': token,
        'drift-issue': 'true'
      },
      env
    )
    expect(run.code).toBe(1)
    expect(run.outputs.summary).toBe('1 domain: 0 pass, 0 warn, 1 fail')
    expect(run.stdout).toContain(
      '::warning::GITHUB_REPOSITORY is not set: no pull request comment and no drift issue.'
    )
    expect(run.stdout).toContain('::error::1 domain(s) have findings at or above "error".')
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/\n\s+at /)
    expect(github.requests).toHaveLength(0)
  })

  it('never on a pull request event', async () => {
    const fleet = await writeFleet([{ name: 'first.example', state: 'doubled' }])
    const env = await eventEnv({
      name: 'pull_request',
      payload: webhookExample('pull_request', 0),
      repository,
      apiUrl: github.url
    })
    const run = await runAction(
      {
        config: fleet.config,
        'zone-dir': fleet.zoneDir,
        'github-token': token,
        'drift-issue': 'true',
        comment: 'never'
      },
      env
    )
    expect(run.code).toBe(1)
    expect(run.outputs['drift-issue']).toBeUndefined()
    expect(github.requests).toEqual([])
  })

  it('mode merge on a scheduled run opens one issue for the merged shards', async () => {
    const fleet = await writeFleet([
      { name: 'first.example', state: 'doubled' },
      { name: 'second.example', state: 'missing-dkim2' },
      { name: 'third.example', state: 'healthy' },
      { name: 'fourth.example', state: 'doubled' }
    ])
    const reports = await mkdtemp(join(tmpdir(), 'shards-'))
    for (const k of [1, 2]) {
      const shard = await runCli([
        'check',
        '--config',
        fleet.config,
        '--zone-dir',
        fleet.zoneDir,
        '--shard',
        `${k}/2`,
        '--format',
        'json',
        '--output',
        join(reports, `shard-${k}.json`)
      ])
      expect([0, 1]).toContain(shard.code)
    }
    const run = await runAction(
      {
        mode: 'merge',
        report: join(reports, '*.json'),
        'github-token': token,
        'drift-issue': 'true'
      },
      await scheduled()
    )
    expect(run.code).toBe(1)
    expect(run.outputs['drift-issue']).toBe('1')
    expect(github.issues).toHaveLength(1)
    for (const name of ['first.example', 'second.example', 'fourth.example']) {
      expect(github.issues[0]!.body).toContain(name)
    }
    expect(github.issues[0]!.title).toContain('3 domains failing')
  })
})
