import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname
const read = (path: string) => readFile(join(root, path), 'utf8')

/**
 * The newest majors of GitHub's own actions, looked up in each action's repository (tags and
 * README): checkout v7.0.1, setup-node v7.0.0, upload-artifact v7.0.0, download-artifact v8.0.1.
 * Dependabot may move the workflows past these; nothing may fall behind them.
 */
const CURRENT_MAJOR: Record<string, number> = {
  'actions/checkout': 7,
  'actions/setup-node': 7,
  'actions/upload-artifact': 7,
  'actions/download-artifact': 8
}

async function workflowFiles(): Promise<string[]> {
  const dir = '.github/workflows'
  return (await readdir(join(root, dir)))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `${dir}/${name}`)
}

describe('ready to publish', () => {
  it("has an action.yml description within the Marketplace's 125 characters", async () => {
    const action = parse(await read('action.yml'))
    expect(typeof action.description).toBe('string')
    expect(action.description.length).toBeGreaterThan(20)
    expect(action.description.length).toBeLessThan(125)
  })

  it("uses the current major of GitHub's actions in every workflow and README example", async () => {
    const files = [...(await workflowFiles()), 'README.md']
    const seen = new Set<string>()
    for (const file of files) {
      const text = await read(file)
      for (const m of text.matchAll(/uses:\s*(actions\/[\w-]+)@v(\d+)/g)) {
        const [, action, major] = m
        seen.add(action!)
        const current = CURRENT_MAJOR[action!]
        expect({ file, action, major: Number(major) >= (current ?? 0) }).toEqual({
          file,
          action,
          major: true
        })
      }
    }
    expect(seen).toContain('actions/checkout')
    expect(seen).toContain('actions/setup-node')
  })

  it('tests on Node.js 20 and 24 in CI', async () => {
    const ci = parse(await read('.github/workflows/ci.yml'))
    expect(ci.jobs.test.strategy.matrix.node).toEqual([20, 24])
  })

  it('releases a vX.Y.Z tag with the notes of its CHANGELOG.md section', async () => {
    const release = parse(await read('.github/workflows/release.yml'))
    expect(release.on.push.tags).toEqual(['v*.*.*'])
    const steps: { run?: string }[] = release.jobs.release.steps
    expect(steps.some((s) => s.run?.includes('node scripts/changelog-section.mjs'))).toBe(true)

    const { version } = JSON.parse(await read('package.json'))
    const { stdout } = await run(
      process.execPath,
      ['scripts/changelog-section.mjs', `v${version}`],
      {
        cwd: root
      }
    )
    expect(stdout).toContain('### Added')
    expect(stdout).not.toMatch(/^## /m)
    expect(stdout).not.toMatch(/^\[[^\]]+\]: /m)
    await expect(
      run(process.execPath, ['scripts/changelog-section.mjs', '99.0.0'], { cwd: root })
    ).rejects.toMatchObject({ code: 1, stderr: 'CHANGELOG.md has no section "## [99.0.0]"\n' })
  })

  it('keeps npm packages and actions updated by Dependabot, weekly', async () => {
    const dependabot = parse(await read('.github/dependabot.yml'))
    const updates = dependabot.updates.map(
      (u: { 'package-ecosystem': string; schedule: { interval: string } }) =>
        `${u['package-ecosystem']} ${u.schedule.interval}`
    )
    expect(updates.sort()).toEqual(['github-actions weekly', 'npm weekly'])
  })
})
