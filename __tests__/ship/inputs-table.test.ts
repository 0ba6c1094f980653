import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'

const exec = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname
const read = (path: string) => readFile(join(root, path), 'utf8')

/** scripts/inputs-table.mjs with these arguments: its exit code and what it said. */
async function inputsTable(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['scripts/inputs-table.mjs', ...args], {
      cwd: root
    })
    return { code: 0, out: stdout + stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, out: e.stdout + e.stderr }
  }
}

/** The first column of the table between the markers of `name` in a README. */
function namesBetween(readme: string, name: string): string[] {
  const section = readme.split(`<!-- ${name}:start -->`)[1]?.split(`<!-- ${name}:end -->`)[0]
  return [...(section ?? '').matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]!)
}

describe("the README's tables of inputs and outputs", () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inputs-table-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('list every input and output of action.yml, in its order', async () => {
    const action = parse(await read('action.yml'))
    const readme = await read('README.md')
    expect(namesBetween(readme, 'inputs')).toEqual(Object.keys(action.inputs))
    expect(namesBetween(readme, 'outputs')).toEqual(Object.keys(action.outputs))
  })

  it('are what scripts/inputs-table.mjs generates from action.yml', async () => {
    expect(await inputsTable('--check')).toEqual({ code: 0, out: '' })
  })

  it('are found stale when action.yml gains an input, and rewritten by --write', async () => {
    const action = join(dir, 'action.yml')
    const readme = join(dir, 'README.md')
    await writeFile(
      action,
      (await read('action.yml')).replace(
        /^inputs:\n/m,
        'inputs:\n  zz-probe:\n    description: "Check only slice k of n: k/n | e.g. `1/3`."\n    required: true\n'
      )
    )
    await writeFile(readme, await read('README.md'))
    const stale = await inputsTable('--check', '--action', action, '--readme', readme)
    expect(stale).toEqual({
      code: 1,
      out:
        `${readme}: the tables of inputs and outputs are not those of action.yml: ` +
        'run `node scripts/inputs-table.mjs --write`\n'
    })
    expect(await inputsTable('--write', '--action', action, '--readme', readme)).toEqual({
      code: 0,
      out: ''
    })
    const written = await readFile(readme, 'utf8')
    expect(written).toContain(
      '| `zz-probe` |  | **required**. Check only slice k of n: k/n \\| e.g. `1/3`. |\n| `config` |'
    )
    expect(namesBetween(written, 'inputs')[0]).toBe('zz-probe')
    expect(await inputsTable('--check', '--action', action, '--readme', readme)).toEqual({
      code: 0,
      out: ''
    })
  })

  it('need their markers', async () => {
    const readme = join(dir, 'no-markers.md')
    await writeFile(readme, '# Action\n\n| input | default | description |\n')
    expect(await inputsTable('--check', '--readme', readme)).toEqual({
      code: 1,
      out: 'README.md needs one "<!-- inputs:start -->" followed by one "<!-- inputs:end -->"\n'
    })
  })
})
