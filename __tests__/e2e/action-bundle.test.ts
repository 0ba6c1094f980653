import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { linesWith, runAction } from '../support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'
import { startFakeMailtrap } from '../support/fake-mailtrap.js'

describe('dist/index.js as a runner runs it', () => {
  describe('on a pull request', () => {
    const token = 'ghs_fakeGitHubToken0123456789abcdefABCDEF'
    let github: FakeGitHub
    let env: Record<string, string>
    beforeEach(async () => {
      github = await startFakeGitHub({
        repo: 'acme/dns',
        pull: 7,
        token,
        comments: Array.from({ length: 120 }, (_, i) => ({
          id: i + 1,
          body:
            i === 3
              ? '<!-- mailtrap-dns-verify:examples/domains.yaml -->\nquoted by a human'
              : `comment ${i}`,
          user: { login: 'octocat', type: 'User' }
        }))
      })
      const dir = await mkdtemp(join(tmpdir(), 'event-'))
      await writeFile(join(dir, 'event.json'), JSON.stringify({ pull_request: { number: 7 } }))
      env = {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: join(dir, 'event.json'),
        GITHUB_REPOSITORY: 'acme/dns',
        GITHUB_RUN_ID: '4242',
        GITHUB_SHA: 'feedface00000000000000000000000000000000',
        GITHUB_API_URL: github.url
      }
    })
    afterEach(async () => {
      await github.close()
    })

    it('keeps one sticky comment with the report: created, then left alone when nothing changed', async () => {
      const inputs = {
        config: 'examples/domains.yaml',
        'zone-dir': 'examples/zones',
        'github-token': token
      }
      const first = await runAction(inputs, env)
      expect(first.code).toBe(1)
      expect(first.stdout).toContain('Pull request comment: created.')
      const ours = github.comments.filter((c) => c.user.login === 'github-actions[bot]')
      expect(ours).toHaveLength(1)
      expect(ours[0]!.body).toContain(
        `<!-- mailtrap-dns-verify:examples/domains.yaml -->\n${first.summary}`
      )
      expect(ours[0]!.body).toContain('https://github.com/acme/dns/actions/runs/4242')
      expect(github.comments[3]!.body).toContain('quoted by a human')

      const second = await runAction(inputs, env)
      expect(second.stdout).toContain('Pull request comment: unchanged.')
      expect(
        github.requests.filter(
          (r) => (r.method === 'PATCH' || r.method === 'POST') && r.path.includes('/comments')
        )
      ).toHaveLength(1)
      expect(github.requests.some((r) => r.path.includes('page=2'))).toBe(true)
      expect(second.stdout.split('\n').filter((l) => l.includes(token))).toEqual([
        `::add-mask::${token}`
      ])
    })

    it('warns in one line, and keeps the verdict, when the token may not comment (fork PRs)', async () => {
      github.readOnly = true
      const result = await runAction(
        {
          config: 'examples/domains.yaml',
          'zone-dir': 'examples/zones',
          'github-token': token,
          'fail-on': 'never'
        },
        env
      )
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('::warning::The token may not comment on this pull request')
      expect(result.stdout).not.toMatch(/\n\s+at /)
    })

    it('comment: on-failure creates no comment on a pass, one on a failure, and removes it once fixed', async () => {
      const inputs = {
        config: 'examples/domains.yaml',
        'zone-dir': 'examples/zones',
        'github-token': token,
        comment: 'on-failure',
        'comment-on-pass': 'delete'
      }
      const writes = () =>
        github.requests.filter((r) => r.method !== 'GET' && r.path.includes('/comments'))
      const ours = () => github.comments.filter((c) => c.user.login === 'github-actions[bot]')

      const pass = await runAction({ ...inputs, domains: 'healthy.example' }, env)
      expect(pass.code).toBe(0)
      expect(pass.stdout).toContain('Pull request comment: skipped.')
      expect(writes()).toHaveLength(0)

      const failing = await runAction(inputs, env)
      expect(failing.code).toBe(1)
      expect(failing.stdout).toContain('Pull request comment: created.')
      expect(ours()).toHaveLength(1)

      const fixed = await runAction({ ...inputs, domains: 'healthy.example' }, env)
      expect(fixed.code).toBe(0)
      expect(fixed.stdout).toContain('Pull request comment: deleted.')
      expect(ours()).toHaveLength(0)
      expect(github.comments[3]!.body).toContain('quoted by a human')
    })

    it('does not comment with comment: never', async () => {
      await runAction(
        {
          config: 'examples/domains.yaml',
          'zone-dir': 'examples/zones',
          'github-token': token,
          comment: 'never'
        },
        env
      )
      expect(github.requests).toHaveLength(0)
    })
  })

  it('reads Mailtrap with the token input, masks the token and never prints it', async () => {
    const token = 'mt-action-secret-0a1b2c3d4e5f60718293a4b5c6d7e8f9'
    const mailtrap = await startFakeMailtrap({ token })
    try {
      const result = await runAction({
        config: 'examples/domains.yaml',
        'zone-dir': 'examples/zones',
        'mailtrap-token': token,
        'mailtrap-url': mailtrap.url,
        'mailtrap-account': '31001',
        'fail-on': 'never'
      })
      expect(result.code).toBe(0)
      expect(result.stdout.split('\n').filter((l) => l.includes(token))).toEqual([
        `::add-mask::${token}`
      ])
      expect(result.summary).not.toContain(token)
      expect(result.summary).toContain('| Mailtrap |')
      const report = JSON.parse(await readFile(result.outputs.report!, 'utf8'))
      expect(report.domains[0].mailtrap).toEqual({ found: false })
      expect(mailtrap.requests.length).toBeGreaterThan(0)
    } finally {
      await mailtrap.close()
    }
  })

  it('writes the summary table, outputs and annotations, and fails on findings', async () => {
    const result = await runAction({
      config: 'examples/domains.yaml',
      'zone-dir': 'examples/zones'
    })
    expect(result.code).toBe(1)
    expect(result.summary).toContain(
      '| Domain | Status | Domain verification | DKIM 1 | DKIM 2 | Click tracking | DMARC |'
    )
    expect(result.summary).toContain('| healthy.example | ✅ pass |')
    expect(result.outputs.status).toBe('fail')
    expect(JSON.parse(result.outputs['failed-domains']!)).toEqual([
      'doubled.example',
      'suffixed.example',
      'quoted.example',
      'twodmarc.example',
      'leftover.example',
      'proxied.example',
      'mail.parent.example'
    ])
    const report = JSON.parse(await readFile(result.outputs.report!, 'utf8'))
    expect(report.schemaVersion).toBe(1)
    expect(result.stdout).toContain(
      '::error title=doubled.example%3A fail,file=examples/domains.yaml,line=13::DKIM 1: doubled-name: '
    )
    expect(result.stdout).toContain('::error::7 domain(s) have findings at or above "error".')
  })

  it('checks only the domains asked for and writes the report where report-path says', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'))
    const reportPath = join(dir, 'dns.json')
    const result = await runAction({
      config: 'examples/domains.yaml',
      'zone-dir': 'examples/zones',
      domains: 'healthy.example, strict.example',
      'report-path': reportPath
    })
    expect(result.code).toBe(0)
    expect(result.outputs.report).toBe(reportPath)
    expect(result.outputs.status).toBe('warn')
    const report = JSON.parse(await readFile(reportPath, 'utf8'))
    expect(report.domains.map((d: { domain: string }) => d.domain)).toEqual([
      'healthy.example',
      'strict.example'
    ])
  })

  it('keeps a finished check when its report file cannot be written: a warning, not an error', async () => {
    const reportPath = join(tmpdir(), 'no-such-dir-for-reports', 'dns.json')
    for (const format of ['text', 'json']) {
      const result = await runAction({
        config: 'examples/domains.yaml',
        'zone-dir': 'examples/zones',
        domains: 'healthy.example, strict.example',
        'report-path': reportPath,
        format
      })
      expect(result.code).toBe(0)
      expect(result.outputs.status).toBe('warn')
      expect(result.outputs['exit-code']).toBe('0')
      expect(result.outputs.report ?? '').toBe('')
      expect(result.stdout).toMatch(
        new RegExp(`::warning::cannot write the report to ${reportPath}: ENOENT`)
      )
      expect(result.summary).toContain('strict.example')
    }
  })

  it('fails the step in one line, no stack trace, on an error nothing foresaw (the output file is missing)', async () => {
    const missing = join(tmpdir(), 'no-such-dir-for-outputs', 'output.txt')
    const result = await runAction(
      { config: 'examples/domains.yaml', 'zone-dir': 'examples/zones', 'fail-on': 'never' },
      { GITHUB_OUTPUT: missing }
    )
    expect(result.code).toBe(1)
    expect(linesWith(result.stdout, '::error::')).toEqual([
      `::error::unexpected error: Missing file at path: ${missing}`
    ])
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/\n\s+at /)
    expect(result.stderr).toBe('')
  })

  it('passes with fail-on never and still reports', async () => {
    const result = await runAction({
      config: 'examples/domains.yaml',
      'zone-dir': 'examples/zones',
      'fail-on': 'never'
    })
    expect(result.code).toBe(0)
    expect(result.outputs['exit-code']).toBe('0')
    expect(result.outputs.status).toBe('fail')
  })

  it('annotates a config error on its line and fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'))
    const file = join(dir, 'domains.yaml')
    await writeFile(
      file,
      'version: 1\ndomains:\n  - example.com\n  - name: example.org\n    colour: blue\n'
    )
    const result = await runAction({ config: file, 'zone-dir': 'examples/zones' })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error title=Invalid config,file=${file},line=5::unknown key "colour" in domains[1]`
    )
    expect(result.outputs['exit-code']).toBe('2')
    expect(result.stdout).not.toMatch(/\n\s+at /)
  })
})
