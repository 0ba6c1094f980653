import { createGitHubClient } from '../../src/github/client.js'
import {
  driftMarker,
  duration,
  readState,
  shouldSyncDriftIssue,
  syncDriftIssue,
  type DriftDomain
} from '../../src/github/drift-issue.js'
import { createGitHubPort } from '../../src/github/github-port.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

const token = 'ghs_driftToken0123456789abcdefABCDEF01'
const DAY = 86_400_000
const start = Date.parse('2026-03-01T03:00:00Z')
const repo = { owner: 'acme', repo: 'dns' }

const failing = (domain: string): DriftDomain => ({
  domain,
  summaryLine: 'DKIM 1: missing',
  fixes: [`rwmt1._domainkey.${domain} CNAME rwmt1.dkim.smtp.mailtrap.live`]
})

describe('syncDriftIssue against the loopback GitHub', () => {
  let github: FakeGitHub
  beforeEach(async () => {
    github = await startFakeGitHub({ repo: 'acme/dns', pull: 999, token })
  })
  afterEach(async () => {
    await github.close()
  })

  function sync(domains: DriftDomain[], day: number, run = day, passedAll = domains.length === 0) {
    const port = createGitHubPort(createGitHubClient({ token, baseUrl: github.url }))
    return syncDriftIssue({
      port,
      repo,
      label: 'dns-drift',
      key: 'domains.yaml',
      input: {
        failing: domains,
        passedAll,
        runUrl: `https://github.com/acme/dns/actions/runs/${run}`,
        now: new Date(start + day * DAY)
      }
    })
  }
  const commentsOn = (n: number) => github.comments.filter((c) => c.issue === n)

  it('two failing runs: one open issue with one update comment; a passing run closes it', async () => {
    expect(await sync([failing('b.example'), failing('a.example')], 0)).toEqual({
      number: 1,
      action: 'opened'
    })
    expect(await sync([failing('a.example'), failing('b.example')], 1)).toEqual({
      number: 1,
      action: 'updated'
    })
    expect(github.issues).toHaveLength(1)
    const issue = github.issues[0]!
    expect(issue.state).toBe('open')
    expect(issue.labels).toEqual([{ name: 'dns-drift' }])
    expect(github.labels.map((l) => l.name)).toEqual(['dns-drift'])
    expect(issue.title).toBe('DNS drift in domains.yaml: 2 domains failing')
    expect(issue.body.startsWith(driftMarker('domains.yaml'))).toBe(true)
    expect(issue.body).toContain('## 2 domains fail the DNS check')
    expect(issue.body).toContain(
      '### a.example\n\nFailing since 2026-03-01 03:00 UTC (1 d). DKIM 1: missing\n\n```text\nrwmt1._domainkey.a.example CNAME rwmt1.dkim.smtp.mailtrap.live\n```'
    )
    expect(issue.body).toContain('[this workflow run](https://github.com/acme/dns/actions/runs/1)')
    expect(commentsOn(1).map((c) => c.body)).toEqual([
      '**Since the last run** ([this run](https://github.com/acme/dns/actions/runs/1)):\n\n- Still failing (2): a.example (for 1 d), b.example (for 1 d)\n\nNothing changed since the last run.'
    ])

    // Inconclusive (nothing fails, not everything passes): left as it is.
    expect(await sync([], 1.5, 15, false)).toEqual({ number: 1, action: 'none' })
    expect(github.issues[0]!.state).toBe('open')
    expect(commentsOn(1)).toHaveLength(1)
    expect(await sync([], 2)).toEqual({ number: 1, action: 'closed' })
    expect(github.issues[0]!.state).toBe('closed')
    expect(commentsOn(1)[1]!.body).toBe(
      'Every domain passes in [this run](https://github.com/acme/dns/actions/runs/2): closing.\n\nFixed (2): a.example (failed for 2 d), b.example (failed for 2 d)'
    )
    expect(await sync([], 3)).toEqual({ number: undefined, action: 'none' })
    expect(github.issues).toHaveLength(1)
  })

  it('says what changed: newly failing, fixed, still failing and for how long', async () => {
    await sync([failing('a.example'), failing('b.example')], 0)
    await sync([failing('b.example'), failing('c.example')], 2.5)
    expect(commentsOn(1)[0]!.body).toBe(
      [
        '**Since the last run** ([this run](https://github.com/acme/dns/actions/runs/2.5)):',
        '',
        '- Newly failing (1): c.example',
        '- Fixed (1): a.example (failed for 2 d 12 h)',
        '- Still failing (1): b.example (for 2 d 12 h)'
      ].join('\n')
    )
    // The longest failing domain comes first in the body.
    const body = github.issues[0]!.body
    expect(body.indexOf('### b.example')).toBeLessThan(body.indexOf('### c.example'))
    expect(readState(body).firstSeen).toEqual({
      'b.example': start,
      'c.example': start + 2.5 * DAY
    })
  })

  it('opens a new issue after the last was closed, and leaves issues of other authors alone', async () => {
    github.issues.push({
      number: 1,
      node_id: 'I_1',
      title: 'copy',
      body: `${driftMarker('domains.yaml')}\nsomeone's copy`,
      state: 'open',
      labels: [{ name: 'dns-drift' }],
      user: { login: 'octocat', type: 'User' },
      created_at: '2026-01-01T00:00:00Z'
    })
    expect((await sync([failing('a.example')], 0)).number).toBe(2)
    await sync([], 1)
    expect((await sync([failing('a.example')], 2)).number).toBe(3)
    expect(github.issues.map((i) => [i.number, i.state])).toEqual([
      [1, 'open'],
      [2, 'closed'],
      [3, 'open']
    ])
    expect(github.issues[0]!.body).toContain("someone's copy")
  })

  it('closes a duplicate that parallel first runs opened, keeping the oldest', async () => {
    for (const number of [4, 3]) {
      github.issues.push({
        number,
        node_id: `I_${number}`,
        title: 'DNS drift',
        body: `${driftMarker('domains.yaml')}\n<!-- mailtrap-dns-verify-state {"v":1,"firstSeen":{"a.example":${start}}} -->`,
        state: 'open',
        labels: [{ name: 'dns-drift' }],
        user: { login: 'github-actions[bot]', type: 'Bot' },
        created_at: '2026-03-01T03:00:00Z'
      })
    }
    expect(await sync([failing('a.example')], 1)).toEqual({ number: 3, action: 'updated' })
    expect(github.issues.map((i) => [i.number, i.state])).toEqual([
      [4, 'closed'],
      [3, 'open']
    ])
    expect(commentsOn(4).map((c) => c.body)).toEqual(['Duplicate of #3.'])
    expect(commentsOn(3)[0]!.body).toContain('Still failing (1): a.example (for 1 d)')
  })

  it('keeps hostile names inert: no tags, mentions or closed fences, state intact', async () => {
    await sync(
      [
        {
          domain: 'x-->y<img src=x>.example',
          summaryLine: '@everyone `pwned` | col',
          fixes: ['```\n# not a heading', '\u001b[31mred\u202e']
        }
      ],
      0
    )
    const body = github.issues[0]!.body
    expect(body).not.toMatch(/<img|@everyone/)
    expect(body).not.toContain('\u001b')
    expect(body).not.toContain('\u202e')
    expect(body).toContain('&#64;everyone &#96;pwned&#96; &#124; col')
    expect(body).toContain('````text\n```\\x0a# not a heading\n\\x1b[31mred\\u{202e}\n````')
    expect(readState(body).firstSeen).toEqual({ 'x-->y<img src=x>.example': start })
    expect(body.split('-->').length).toBe(3) // the marker's and the state's, no more
  })

  it('fits a fleet of failures under the body limit and names the ones it cannot detail', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      ...failing(`d${String(i).padStart(4, '0')}.example`),
      fixes: ['x'.repeat(100)]
    }))
    await sync(many, 0)
    const body = github.issues[0]!.body
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(body).toMatch(/\*\*\d+ more failing:\*\* d\d{4}\.example, /)
    expect(Object.keys(readState(body).firstSeen).length).toBeGreaterThan(1000)
  })
})

describe('drift helpers', () => {
  it('acts on schedule and workflow_dispatch only, never on pull requests', () => {
    expect(shouldSyncDriftIssue(true, 'schedule')).toBe(true)
    expect(shouldSyncDriftIssue(true, 'workflow_dispatch')).toBe(true)
    expect(shouldSyncDriftIssue(true, 'pull_request')).toBe(false)
    expect(shouldSyncDriftIssue(false, 'schedule')).toBe(false)
  })

  it('reads no state from a hand-edited body, and says durations in hours and days', () => {
    expect(readState('<!-- mailtrap-dns-verify-state {oops} -->')).toEqual({ firstSeen: {} })
    expect(
      readState('<!-- mailtrap-dns-verify-state {"v":1,"firstSeen":{"a":"x","b":5}} -->')
    ).toEqual({
      firstSeen: { b: 5 }
    })
    expect(duration(30 * 60_000)).toBe('under an hour')
    expect(duration(5 * 3_600_000)).toBe('5 h')
    expect(duration(2 * DAY)).toBe('2 d')
    expect(duration(2 * DAY + 3 * 3_600_000)).toBe('2 d 3 h')
    expect(driftMarker('a---->>b')).toBe('<!-- mailtrap-dns-verify-drift:ab -->')
  })
})
