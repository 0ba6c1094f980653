import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { TestPathPatterns } from '@jest/pattern'
import { dirname, join } from 'node:path'
import { bundleState, bundleTests, ensureFreshBundle, selectsBundleTests } from '../global-setup.js'

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')

/** A project in a temporary folder: src/, dist/ and build inputs, each written at a given time. */
function project(): { dir: string; write(path: string, text: string, at: number): void } {
  const dir = mkdtempSync(join(tmpdir(), 'stale-bundle-'))
  const write = (path: string, text: string, at: number) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
    utimesSync(join(dir, path), at, at)
  }
  write('src/report/text.ts', "export const title = 'Report'\n", 1000)
  write('package-lock.json', '{}\n', 1000)
  write('dist/index.js', 'bundle of Report\n', 2000)
  write('dist/cli.js', 'bundle of Report\n', 2000)
  return { dir, write }
}

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-C', dir, ...args], {
    stdio: 'ignore'
  })
}

/** A build that writes the bundles now, as ncc would. */
const fakeBuild = (dir: string) => {
  for (const bundle of ['dist/index.js', 'dist/cli.js']) writeFileSync(join(dir, bundle), 'new\n')
}

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
const make = () => {
  const p = project()
  dirs.push(p.dir)
  return p
}

describe('the bundle the end-to-end tests run', () => {
  it('is fresh when every bundle is newer than every source file', () => {
    const { dir } = make()
    expect(bundleState(dir)).toEqual({ fresh: true, reason: 'dist/ is newer than its source' })
  })

  it('is stale when a message in src/ changed after the build, and says which file', () => {
    const { dir, write } = make()
    write('src/report/text.ts', "export const title = 'Summary'\n", 3000)
    expect(bundleState(dir)).toEqual({
      fresh: false,
      reason: 'src/report/text.ts changed after dist/index.js was built'
    })
  })

  it('is stale when the lock file changed (other dependencies are bundled) or a bundle is missing', () => {
    const { dir, write } = make()
    write('package-lock.json', '{"v":2}\n', 3000)
    write('src/a.ts', '', 3000)
    expect(bundleState(dir).reason).toBe(
      'package-lock.json (and 1 more) changed after dist/index.js was built'
    )
    rmSync(join(dir, 'dist/cli.js'))
    expect(bundleState(dir)).toEqual({ fresh: false, reason: 'dist/cli.js does not exist' })
  })

  it('is rebuilt when stale, once, and then used', () => {
    const { dir, write } = make()
    write('src/report/text.ts', "export const title = 'Summary'\n", 3000)
    const builds: string[] = []
    const lines: string[] = []
    const state = ensureFreshBundle(
      dir,
      (at) => {
        builds.push(at)
        fakeBuild(at)
      },
      (line) => lines.push(line)
    )
    expect(builds).toEqual([dir])
    expect(state.fresh).toBe(true)
    expect(lines[0]).toContain('src/report/text.ts changed after dist/index.js was built')
    ensureFreshBundle(
      dir,
      (at) => builds.push(at),
      () => {}
    )
    expect(builds).toEqual([dir])
  })

  it('stops the run with the reason when the build fails', () => {
    const { dir, write } = make()
    write('src/report/text.ts', 'export const title = \n', 3000)
    const failing = () => {
      throw new Error('Command failed: npm run build')
    }
    expect(() => ensureFreshBundle(dir, failing, () => {})).toThrow(
      "dist/ is stale (src/report/text.ts changed after dist/index.js was built) and 'npm run build' failed"
    )
  })

  it('trusts a pristine checkout whose bundle was committed after its source, whatever the file times', () => {
    const { dir, write } = make()
    git(dir, 'init', '-q')
    git(dir, 'add', 'src', 'package-lock.json')
    git(dir, 'commit', '-q', '-m', 'source')
    git(dir, 'add', 'dist')
    git(dir, 'commit', '-q', '-m', 'bundle')
    // A clone writes src/ after dist/: the source looks newer than the bundle.
    write('src/report/text.ts', "export const title = 'Report'\n", 3000)
    expect(bundleState(dir).fresh).toBe(true)
    // Changed and not committed: stale.
    write('src/report/text.ts', "export const title = 'Summary'\n", 3000)
    expect(bundleState(dir).fresh).toBe(false)
    // Committed after the bundle (the bundle was not rebuilt): stale too.
    git(dir, 'commit', '-q', '-am', 'new title, no build')
    expect(bundleState(dir)).toEqual({
      fresh: false,
      reason: 'src/report/text.ts changed after dist/index.js was built'
    })
  })

  it('is checked only when the selected tests run a bundle', () => {
    const tests = bundleTests(root)
    expect(tests).toContain(join(root, '__tests__/e2e/cli-bundle.test.ts'))
    expect(tests).not.toContain(join(root, '__tests__/wait.test.ts'))
    const run = (...patterns: string[]) => ({
      rootDir: root,
      testPathPatterns: new TestPathPatterns(patterns)
    })
    expect(selectsBundleTests({ rootDir: root }, root)).toBe(true)
    expect(selectsBundleTests(run(), root)).toBe(true)
    expect(selectsBundleTests(run('e2e/cli'), root)).toBe(true)
    expect(selectsBundleTests(run('__tests__/config', 'wait.test'), root)).toBe(false)
  })
})
