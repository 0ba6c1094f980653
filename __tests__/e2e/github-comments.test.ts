import { writeFile } from 'node:fs/promises'
import {
  eventEnv,
  linesWith,
  runAction,
  webhookExample,
  type BundleRun
} from '../support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'
import { setZone, writeFleet, type FleetFiles } from '../support/fleet-files.js'

// The sticky comment of dist/index.js on one pull request, run after run, against a loopback
// GitHub: one comment per key, parallel first runs, a fix, and a fleet too large to show whole.

const token = 'ghs_commentsTestToken0123456789abcdefABCD'
const repository = 'Codertocat/Hello-World'

function expectTokenOnlyMasked(run: BundleRun): void {
  expect(linesWith(run.stdout, token)).toEqual([`::add-mask::${token}`])
  expect(linesWith(run.stderr, token)).toEqual([])
  expect(run.summary).not.toContain(token)
}

describe('the pull request comment of dist/index.js', () => {
  let github: FakeGitHub
  let env: Record<string, string>
  beforeEach(async () => {
    github = await startFakeGitHub({ repo: repository, pull: 2, token })
    env = await eventEnv({
      name: 'pull_request',
      payload: webhookExample('pull_request', 0),
      repository,
      apiUrl: github.url
    })
  })
  afterEach(async () => {
    await github.close()
  })
  const ours = () => github.comments.filter((c) => c.user.login === 'github-actions[bot]')
  const writes = () =>
    github.requests.filter((r) => r.method !== 'GET' && r.path.includes('/comments'))

  it('two runs on a failing pull request leave one comment; after the fix it is updated to the pass', async () => {
    const fleet = await writeFleet([
      { name: 'fine.example', state: 'healthy' },
      { name: 'broken.example', state: 'doubled' }
    ])
    const inputs = { config: fleet.config, 'zone-dir': fleet.zoneDir, 'github-token': token }
    const first = await runAction(inputs, env)
    expect(first.code).toBe(1)
    expect(first.stdout).toContain('Pull request comment: created.')
    const second = await runAction(inputs, env)
    expect(second.code).toBe(1)
    expect(second.stdout).toContain('Pull request comment: unchanged.')
    expect(ours()).toHaveLength(1)
    const id = ours()[0]!.id
    expect(ours()[0]!.body).toContain('broken.example')
    expect(ours()[0]!.body).toContain('1 failing')

    await setZone(fleet, 'broken.example', 'healthy')
    const fixed = await runAction(inputs, env)
    expect(fixed.code).toBe(0)
    expect(fixed.outputs.status).toBe('pass')
    expect(fixed.stdout).toContain('Pull request comment: updated.')
    expect(ours()).toHaveLength(1)
    expect(ours()[0]!.id).toBe(id)
    expect(ours()[0]!.body).toContain(fixed.summary)
    expect(ours()[0]!.body).toContain('Mailtrap DNS check: 2 domains, 2 pass')
    expect(ours()[0]!.body).not.toContain('failing')
    expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH'])
    for (const run of [first, second, fixed]) expectTokenOnlyMasked(run)
  })

  it('a config error after a passing run updates the comment to say so, with status error and exit-code 2', async () => {
    const fleet = await writeFleet([{ name: 'fine.example', state: 'healthy' }])
    const inputs = { config: fleet.config, 'zone-dir': fleet.zoneDir, 'github-token': token }
    const passing = await runAction(inputs, env)
    expect(passing.code).toBe(0)
    expect(ours()[0]!.body).toContain('1 pass')
    await writeFile(
      fleet.config,
      'version: 1\ndomains:\n  - name: fine.example\n    colour: blue\n'
    )
    const broken = await runAction(inputs, env)
    expect(broken.code).toBe(1)
    expect(broken.outputs.status).toBe('error')
    expect(broken.outputs['exit-code']).toBe('2')
    expect(broken.summary).toContain('could not run')
    expect(broken.summary).toContain('colour')
    expect(broken.stdout).toContain(`::error title=Invalid config,file=${fleet.config},line=4::`)
    expect(broken.stdout).toContain('Pull request comment: updated.')
    expect(ours()).toHaveLength(1)
    expect(ours()[0]!.body).toContain(broken.summary)
    expect(ours()[0]!.body).not.toContain('1 pass')
  })

  describe('warnings within the 10 a step shows', () => {
    let fleet: FleetFiles
    beforeEach(async () => {
      // Thirty domains with a DMARC policy of their own: a warning each, no failure.
      fleet = await writeFleet(
        Array.from({ length: 30 }, (_, i) => ({
          name: `own-dmarc-${i + 1}.example`,
          state: 'dmarc-differs' as const
        }))
      )
    })
    const check = () =>
      runAction(
        {
          config: fleet.config,
          'zone-dir': fleet.zoneDir,
          'github-token': token,
          // /proc takes no new files, not even root's.
          'report-path': '/proc/mailtrap-dns-verify-report.json'
        },
        env
      )
    const warningsOf = (run: BundleRun) =>
      run.stdout.split('\n').filter((l) => l.startsWith('::warning'))
    const refused = '::warning::The token may not comment on this pull request'

    it('a report that cannot be written and a refused comment keep their slots; the findings get the other 8', async () => {
      github.readOnly = true
      const run = await check()
      expect(run.code).toBe(0)
      expect(run.outputs.summary).toBe('30 domains: 0 pass, 30 warn, 0 fail')
      const warnings = warningsOf(run)
      expect(warnings).toHaveLength(10)
      expect(warnings.filter((l) => l.includes(`file=${fleet.config}`))).toHaveLength(8)
      expect(
        warnings.filter((l) => l.includes('/proc/mailtrap-dns-verify-report.json'))
      ).toHaveLength(1)
      expect(warnings.filter((l) => l.startsWith(refused))).toHaveLength(1)
      expect(run.stdout).toContain(
        `::notice title=More findings,file=${fleet.config}::22 more findings`
      )
      expectTokenOnlyMasked(run)
    })

    it('a comment that goes through leaves its slot to the findings: 9 and the report', async () => {
      const run = await check()
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Pull request comment: created.')
      const warnings = warningsOf(run)
      expect(warnings).toHaveLength(10)
      expect(warnings.filter((l) => l.includes(`file=${fleet.config}`))).toHaveLength(9)
      expect(warnings.filter((l) => l.startsWith(refused))).toHaveLength(0)
      expect(run.stdout).toContain(
        `::notice title=More findings,file=${fleet.config}::21 more findings`
      )
      expectTokenOnlyMasked(run)
    })
  })

  it("comment-on-pass minimize hides our comment as resolved, delete removes it; another bot's comment with our marker is never touched", async () => {
    const fleet = await writeFleet([{ name: 'flaky.example', state: 'doubled' }])
    const marker = `<!-- mailtrap-dns-verify:${fleet.config} -->`
    github.comments.push({
      id: 1,
      body: `${marker}\nrenovate quoting us`,
      user: { login: 'renovate[bot]', type: 'Bot' }
    })
    const inputs = { config: fleet.config, 'zone-dir': fleet.zoneDir, 'github-token': token }
    const failingRun = await runAction({ ...inputs, 'comment-on-pass': 'minimize' }, env)
    expect(failingRun.stdout).toContain('Pull request comment: created.')
    await setZone(fleet, 'flaky.example', 'healthy')
    const minimized = await runAction({ ...inputs, 'comment-on-pass': 'minimize' }, env)
    expect(minimized.code).toBe(0)
    expect(minimized.stdout).toContain('Pull request comment: minimized.')
    expect(ours()).toHaveLength(1)
    expect(ours()[0]!.minimized).toEqual({ classifier: 'RESOLVED' })
    expect(ours()[0]!.body).toContain('1 pass')

    // Broken again: shown again, with the failure.
    await setZone(fleet, 'flaky.example', 'doubled')
    const again = await runAction({ ...inputs, 'comment-on-pass': 'minimize' }, env)
    expect(again.stdout).toContain('Pull request comment: updated.')
    expect(ours()[0]!.minimized).toBeUndefined()

    await setZone(fleet, 'flaky.example', 'healthy')
    const deleted = await runAction({ ...inputs, 'comment-on-pass': 'delete' }, env)
    expect(deleted.stdout).toContain('Pull request comment: deleted.')
    expect(ours()).toHaveLength(0)
    expect(github.comments).toEqual([
      expect.objectContaining({ id: 1, body: `${marker}\nrenovate quoting us` })
    ])
  })

  it('two comment-keys on one pull request keep two comments, each updated by its own key', async () => {
    const fleet = await writeFleet([
      { name: 'one.example', state: 'doubled' },
      { name: 'two.example', state: 'missing-dkim2' }
    ])
    const base = { config: fleet.config, 'zone-dir': fleet.zoneDir, 'github-token': token }
    const a = await runAction({ ...base, domains: 'one.example', 'comment-key': 'shard-a' }, env)
    const b = await runAction({ ...base, domains: 'two.example', 'comment-key': 'shard-b' }, env)
    expect([a.code, b.code]).toEqual([1, 1])
    expect(ours()).toHaveLength(2)
    const [ca, cb] = ours()
    expect(ca!.body.startsWith('<!-- mailtrap-dns-verify:shard-a -->')).toBe(true)
    expect(ca!.body).toContain('one.example')
    expect(ca!.body).not.toContain('two.example')
    expect(cb!.body.startsWith('<!-- mailtrap-dns-verify:shard-b -->')).toBe(true)
    expect(cb!.body).toContain('two.example')

    // A later run of key a touches only a's comment.
    await setZone(fleet, 'one.example', 'healthy')
    const again = await runAction(
      { ...base, domains: 'one.example', 'comment-key': 'shard-a' },
      env
    )
    expect(again.stdout).toContain('Pull request comment: updated.')
    expect(ours()).toHaveLength(2)
    expect(ours()[0]!.body).toContain('1 pass')
    expect(ours()[1]!.body).toBe(cb!.body)
  })

  it('two parallel first runs leave one comment (the oldest), and later runs keep it', async () => {
    const fleet = await writeFleet([{ name: 'broken.example', state: 'doubled' }])
    const inputs = { config: fleet.config, 'zone-dir': fleet.zoneDir, 'github-token': token }
    // Both creations are held until both have arrived: each run sees no comment, then creates one.
    github.createBarrier = 2
    const [a, b] = await Promise.all([runAction(inputs, env), runAction(inputs, env)])
    expect([a.code, b.code]).toEqual([1, 1])
    expect(writes().filter((r) => r.method === 'POST')).toHaveLength(2)
    expect(ours()).toHaveLength(1)
    const kept = ours()[0]!.id
    // The fake numbers comments from 1000 and stamps them in order: 1000 is the older one.
    expect(kept).toBe(1000)
    const later = await runAction(inputs, env)
    expect(later.stdout).toContain('Pull request comment: unchanged.')
    expect(ours().map((c) => c.id)).toEqual([kept])
  })

  describe('1,000 failing domains', () => {
    let fleet: FleetFiles
    let run: BundleRun
    const bad = Array.from({ length: 1000 }, (_, i) => `bad-${i + 1}.example`)
    beforeAll(async () => {
      // Twenty passing domains come first in the config: the report must still lead with failures.
      fleet = await writeFleet([
        ...Array.from({ length: 20 }, (_, i) => ({
          name: `good-${i + 1}.example`,
          state: 'healthy' as const
        })),
        ...bad.map((name) => ({ name, state: 'doubled' as const }))
      ])
    })
    it('fit: the summary under 1 MiB, the comment under 65,536 characters, both naming every failing domain first', async () => {
      run = await runAction(
        {
          config: fleet.config,
          'zone-dir': fleet.zoneDir,
          'github-token': token,
          artifact: 'dns-report'
        },
        env
      )
      expect(run.code).toBe(1)
      expect(run.outputs.summary).toBe('1020 domains: 20 pass, 0 warn, 1000 fail')
      expect(JSON.parse(run.outputs['failed-domains']!)).toEqual(bad)
      expect(Buffer.byteLength(run.summary, 'utf8')).toBeLessThan(1024 * 1024)
      expect(ours()).toHaveLength(1)
      const comment = ours()[0]!.body
      expect(comment.length).toBeLessThan(65_536)
      for (const [where, text] of [
        ['summary', run.summary],
        ['comment', comment]
      ] as const) {
        // Every failing domain is named, and the first domain named is a failing one.
        const missing = bad.filter((name) => !new RegExp(`\\b${name}\\b`).test(text))
        expect({ where, missing }).toEqual({ where, missing: [] })
        const first = text.match(/\b(?:good|bad)-\d+\.example\b/)?.[0]
        expect({ where, first }).toEqual({ where, first: 'bad-1.example' })
        // The cut is said, and points at the artifact that has everything.
        expect(text).toMatch(/Cut to fit GitHub's limit/)
        expect(text).toContain('dns-report')
      }
      // Annotations within GitHub's limits (10 errors a step): the worst 9 on domains.yaml and the
      // step's failure, then one count of the rest.
      const lines = run.stdout.split('\n')
      const errors = lines.filter(
        (l) => l.startsWith('::error title=') && l.includes(`file=${fleet.config}`)
      )
      expect(errors).toHaveLength(9)
      expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(10)
      expect(run.stdout).toContain('::error::1000 domain(s) have findings at or above "error".')
      expect(run.stdout).toContain(
        `::notice title=More findings,file=${fleet.config}::991 more findings`
      )
      expectTokenOnlyMasked(run)
    }, 180_000)
  })
})
