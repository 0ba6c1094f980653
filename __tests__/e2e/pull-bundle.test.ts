import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadConfig } from '../../src/config/load-config.js'
import type { Report } from '../../src/report/report.js'
import { CANARY, echoes } from '../net/canary.js'
import {
  readMailtrapFixture,
  startFakeMailtrap,
  type FakeMailtrap
} from '../support/fake-mailtrap.js'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

/** A domains.yaml as a team keeps it: comments everywhere, no verification host pinned. */
const COMMENTED = `# Sending domains of Acme. Owner: platform team (#mail).
version: 1

domains:
  # Transactional mail from the apex.
  - acme-mail.test   # since 2026-09
  # Newsletters live in the parent's zone.
  - name: news.acme-mail.test
    zone: acme-mail.test # same zone as the apex
    # click tracking stays on here

  - name: billing.acme-mail.test # invoices
    zone: acme-mail.test
# end of list
`

/** Empty zones: the check below compares what is expected, not what DNS holds. */
const ZONE = '$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\n'

interface Result {
  code: number
  stdout: string
  stderr: string
}

let dir: string
let mailtrap: FakeMailtrap
/** Everything the CLI printed in this file's runs, to look for the token in at the end. */
const printed: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pull-e2e-'))
  await mkdir(join(dir, 'zones'))
  for (const zone of ['acme-mail.test', 'legacy-acme.test']) {
    await writeFile(join(dir, 'zones', `${zone}.zone`), ZONE)
  }
  mailtrap = await startFakeMailtrap({ token: CANARY })
})

afterAll(async () => {
  await mailtrap?.close()
  const files = await readdir(dir, { recursive: true })
  for (const name of files.filter((f) => f.endsWith('.yaml'))) {
    printed.push(await readFile(join(dir, name), 'utf8'))
  }
  // The canary token, in any form a server might echo it, is nowhere: not printed, not written.
  for (const text of printed) {
    for (const form of Object.values(echoes(CANARY))) expect(text).not.toContain(form)
  }
})

/** Runs the built bundle as a user would: `node dist/cli.js ARGS`. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  let result: Result
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'dist/cli.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', MAILTRAP_API_TOKEN: CANARY, NO_COLOR: '1', ...env }
    })
    result = { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
  printed.push(result.stdout, result.stderr)
  return result
}

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

function pull(file: string, ...args: string[]): Promise<Result> {
  return cli(['pull', '--config', file, '--mailtrap-url', mailtrap.url, ...args])
}

const comments = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.includes('#'))
    .map((line) => line.slice(line.indexOf('#')))

describe('dist/cli.js pull (a fake Mailtrap API on loopback serving the shared samples)', () => {
  it('--check before pull exits 1 with a diff and writes nothing', async () => {
    const file = await configFile('before.yaml', COMMENTED)
    const result = await pull(file, '--check')
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`--- ${file}\n+++ ${file} (after pull)\n@@ -3,12 +3,17 @@\n`)
    expect(result.stdout).toContain(
      '-  - acme-mail.test   # since 2026-09\n+  - name: acme-mail.test   # since 2026-09\n' +
        '+    verification: mt42\n'
    )
    expect(result.stderr).toContain(`${file} is not current with Mailtrap`)
    expect(await readFile(file, 'utf8')).toBe(COMMENTED)
  })

  it('pins the verification hosts into a commented file, keeps every comment, then --check passes', async () => {
    const file = await configFile('domains.yaml', COMMENTED)
    await chmod(file, 0o640)
    const result = await pull(file)
    expect(result.code).toBe(0)
    expect((await stat(file)).mode & 0o777).toBe(0o640)
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([])
    const text = await readFile(file, 'utf8')
    expect(comments(text)).toEqual(comments(COMMENTED))
    expect(text).toBe(
      COMMENTED.replace(
        '  - acme-mail.test   # since 2026-09\n',
        '  - name: acme-mail.test   # since 2026-09\n    verification: mt42\n    tracking: false\n'
      )
        .replace('# same zone as the apex\n', '# same zone as the apex\n    verification: mt07\n')
        .replace(
          '    zone: acme-mail.test\n# end',
          '    zone: acme-mail.test\n    verification: mt84\n    tracking: false\n# end'
        )
    )
    expect(result.stdout).toContain(`${file}:6: acme-mail.test: verification: (not set) -> mt42\n`)
    // The domain Mailtrap has that the file lacks is named, not added.
    expect(result.stderr).toBe(
      `Mailtrap has 1 domain that ${file} does not list (pull --add appends them): legacy-acme.test\n`
    )

    const check = await pull(file, '--check')
    expect(check).toMatchObject({ code: 0, stdout: `${file} is current with Mailtrap.\n` })
    const again = await pull(file)
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(`${file} is already current with Mailtrap.\n`)
    expect(await readFile(file, 'utf8')).toBe(text)
  })

  it('--add appends the missing domain with its pins; the file then checks as the API does', async () => {
    const file = await configFile('add.yaml', COMMENTED)
    const result = await pull(file, '--add')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`${file}:19: legacy-acme.test: added\n`)
    const text = await readFile(file, 'utf8')
    expect(text).toContain(
      '  - name: legacy-acme.test\n    verification: ve6wza2rbpe60x7z\n    records:\n' +
        "      spf: { value: 'v=spf1 include:_spf.smtp.mailtrap.live ~all' }\n# end of list\n"
    )
    expect(comments(text)).toEqual(comments(COMMENTED))
    expect((await pull(file, '--check', '--add')).code).toBe(0)

    // Without a token (a fork's PR), the pinned file expects what the API says.
    const expected = async (env: Record<string, string>, extra: string[]) => {
      const args = ['check', '--config', file, '--zone-dir', join(dir, 'zones')]
      const checked = await cli([...args, '--format', 'json', '--fail-on', 'never', ...extra], env)
      expect(checked.code).toBe(0)
      const report = JSON.parse(checked.stdout) as Report
      return report.domains.map((d) => ({
        domain: d.domain,
        records: d.records.map((r) => `${r.key} ${r.name} ${r.expected}`)
      }))
    }
    const withToken = await expected({}, ['--mailtrap-url', mailtrap.url])
    expect(await expected({ MAILTRAP_API_TOKEN: '' }, [])).toEqual(withToken)
    expect(withToken.find((d) => d.domain === 'legacy-acme.test')!.records).toContain(
      'spf legacy-acme.test v=spf1 include:_spf.smtp.mailtrap.live ~all'
    )
  })

  it('works on the account-scoped paths with --mailtrap-account', async () => {
    const scoped = await startFakeMailtrap({ token: CANARY, families: 'account' })
    try {
      const file = await configFile('scoped.yaml', 'version: 1\ndomains:\n  - acme-mail.test\n')
      const args = ['pull', '--config', file, '--mailtrap-url', scoped.url]
      const unchosen = await cli(args)
      expect(unchosen.code).toBe(2)
      expect(unchosen.stderr).toContain('--mailtrap-account')
      const chosen = await cli([...args, '--mailtrap-account', '31001'])
      expect(chosen.code).toBe(0)
      expect(loadConfig(await readFile(file, 'utf8'), file).domains[0]!.verification).toBe('mt42')
    } finally {
      await scoped.close()
    }
  })

  it('exits 2 with a clear message when MAILTRAP_API_TOKEN is missing', async () => {
    const file = await configFile('no-token.yaml', COMMENTED)
    const result = await cli(['pull', '--config', file], { MAILTRAP_API_TOKEN: '' })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^pull needs MAILTRAP_API_TOKEN in the environment/)
    expect(await readFile(file, 'utf8')).toBe(COMMENTED)
  })

  it('exits 2 naming the call when the token is refused, even when the answer echoes it', async () => {
    const file = await configFile('refused.yaml', COMMENTED)
    mailtrap.failNext(401, (token: string) => ({ error: `Incorrect API token ${token}` }))
    const result = await pull(file)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'Mailtrap refused the API token (401 on GET /api/domains): check the token and its access\n'
    )
    mailtrap.failNext(403, (token: string) => ({ errors: `Access forbidden for ${token}` }))
    const denied = await pull(file, '--check')
    expect(denied.code).toBe(2)
    expect(denied.stderr).toMatch(
      /^The Mailtrap API token has no access \(403 on GET \/api\/domains\)/
    )
    expect(await readFile(file, 'utf8')).toBe(COMMENTED)
  })

  it('exits 3 when Mailtrap cannot answer, naming the call, and leaves the file', async () => {
    const file = await configFile('outage.yaml', COMMENTED)
    mailtrap.failNext(500, { error: 'Internal Server Error' }, {}, 4)
    const result = await pull(file)
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^Mailtrap GET \/api\/domains failed after 4 tries: HTTP 500/)
    expect(result.stderr).toContain(`${file} was not changed.`)
    expect(await readFile(file, 'utf8')).toBe(COMMENTED)
  })

  it('reports a broken file with file:line before asking Mailtrap', async () => {
    const file = await configFile(
      'broken.yaml',
      'version: 1\ndomains:\n  - name: a.test\n    colour: x\n'
    )
    const asked = mailtrap.requests.length
    const result = await pull(file)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${file}:4: unknown key "colour"`)
    expect(mailtrap.requests.length).toBe(asked)
    const missing = await pull(join(dir, 'nowhere.yaml'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe(`cannot read ${join(dir, 'nowhere.yaml')}: ENOENT\n`)
  })

  it('writes nothing of a listing that holds the token, and says so without it', async () => {
    const list = (await readMailtrapFixture('domains-list.json')) as {
      data: { domain_name: string; dns_records: { key: string; value?: string }[] }[]
    }
    const [first, ...rest] = list.data
    const echoing = {
      ...first!,
      dns_records: first!.dns_records.map((r) =>
        r.key === 'dkim1' ? { ...r, value: `rwmt1.${CANARY.toLowerCase()}.mailtrap.live` } : r
      )
    }
    const hostile = await startFakeMailtrap({ token: CANARY, domains: [echoing, ...rest] })
    try {
      const file = await configFile('hostile.yaml', COMMENTED)
      const result = await cli(['pull', '--config', file, '--mailtrap-url', hostile.url])
      expect(result.code).toBe(0)
      expect(result.stderr).toContain(
        'not written: 1 domain whose listing holds the API token (the API echoed it back)'
      )
      expect(result.stderr).toContain('Mailtrap does not list 1 domain of')
      const text = await readFile(file, 'utf8')
      expect(loadConfig(text, file).domains[0]).toMatchObject({ name: 'acme-mail.test' })
      expect(loadConfig(text, file).domains[0]!.verification).toBeUndefined()
    } finally {
      await hostile.close()
    }
  })

  it('is told --check and --add belong to pull', async () => {
    const result = await cli(['check', '--check'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--check and --add belong to pull')
  })
})
