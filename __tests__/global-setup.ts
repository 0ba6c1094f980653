/**
 * Jest's global setup: the end-to-end tests run the built bundles in dist/, so before them
 * dist/ must be what `npm run build` makes of the source under test. A bundle older than its
 * source is rebuilt here (about a minute: ncc twice), once per run, before any test starts.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** The bundles the end-to-end tests run. */
export const BUNDLES = ['dist/index.js', 'dist/cli.js'] as const

/** What the bundles are built from, besides every file under src/. */
const BUILD_INPUTS = ['package-lock.json', 'scripts/build.mjs', 'tsconfig.json']

/** A test runs a bundle when its source names one of them. */
const RUNS_A_BUNDLE = /\bdist\/(?:index|cli)\.js\b/

/** Whether dist/ may be used as it is, and why (the why is printed when it may not). */
export interface BundleState {
  fresh: boolean
  reason: string
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

function git(root: string, args: string[]): string | undefined {
  const result = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/**
 * True when the source and the bundle are exactly as committed and the bundle was committed
 * with or after the source's last change. A fresh clone writes every file anew, src/ after
 * dist/, so modification times say nothing there; CI checks that the committed bundle is the
 * build of the committed source.
 */
export function isCommittedBuild(root: string): boolean {
  const inputs = ['src', ...BUILD_INPUTS]
  const status = git(root, [
    'status',
    '--porcelain',
    '--untracked-files=all',
    '--',
    ...inputs,
    'dist'
  ])
  if (status !== '') return false
  const source = git(root, ['rev-list', '-1', 'HEAD', '--', ...inputs])
  const bundle = git(root, ['rev-list', '-1', 'HEAD', '--', 'dist'])
  if (!source || !bundle) return false
  return spawnSync('git', ['-C', root, 'merge-base', '--is-ancestor', source, bundle]).status === 0
}

/**
 * Decide whether dist/ was built from the current source: every bundle exists and is newer
 * than every file it is built from, or the tree is a pristine checkout of a commit whose
 * bundle was committed after its source.
 */
export function bundleState(root: string): BundleState {
  let built = Infinity
  let oldest = ''
  for (const bundle of BUNDLES) {
    const path = join(root, bundle)
    if (!existsSync(path)) return { fresh: false, reason: `${bundle} does not exist` }
    const { mtimeMs } = statSync(path)
    if (mtimeMs < built) [built, oldest] = [mtimeMs, bundle]
  }
  const inputs = [
    ...filesUnder(join(root, 'src')),
    ...BUILD_INPUTS.map((file) => join(root, file)).filter((path) => existsSync(path))
  ]
  const newer = inputs.filter((path) => statSync(path).mtimeMs > built)
  if (newer.length === 0) return { fresh: true, reason: 'dist/ is newer than its source' }
  if (isCommittedBuild(root)) {
    return { fresh: true, reason: 'dist/ and its source are as committed, the bundle last' }
  }
  const names = newer.map((path) => relative(root, path)).sort()
  const more = names.length > 1 ? ` (and ${names.length - 1} more)` : ''
  return { fresh: false, reason: `${names[0]}${more} changed after ${oldest} was built` }
}

/** The test files (absolute paths) that run a bundle. */
export function bundleTests(root: string): string[] {
  return filesUnder(join(root, '__tests__')).filter(
    (path) => path.endsWith('.test.ts') && RUNS_A_BUNDLE.test(readFileSync(path, 'utf8'))
  )
}

/** The part of Jest's global config this setup reads. */
export interface SetupConfig {
  rootDir: string
  testPathPatterns?: {
    isSet(): boolean
    toExecutor(options: { rootDir: string }): { isMatch(path: string): boolean }
  }
}

/** Whether this run selects a test that runs a bundle (no path pattern selects every test). */
export function selectsBundleTests(config: SetupConfig, root: string): boolean {
  const patterns = config.testPathPatterns
  if (!patterns?.isSet()) return true
  const selected = patterns.toExecutor({ rootDir: config.rootDir })
  return bundleTests(root).some((path) => selected.isMatch(path))
}

/** `npm run build` in root, its output on standard error; throws when it fails. */
export function npmRunBuild(root: string): void {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] })
}

/**
 * Rebuild dist/ when it is older than its source; a failed build stops the run with the reason,
 * so no end-to-end test runs a stale bundle.
 */
export function ensureFreshBundle(
  root: string,
  build: (root: string) => void = npmRunBuild,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)
): BundleState {
  const before = bundleState(root)
  if (before.fresh) return before
  log(`\nglobal setup: ${before.reason}; rebuilding dist/ with 'npm run build'`)
  const started = Date.now()
  try {
    build(root)
  } catch (error) {
    throw new Error(
      `dist/ is stale (${before.reason}) and 'npm run build' failed, so the end-to-end tests ` +
        `would run an old bundle: fix the build and run it (${(error as Error).message})`
    )
  }
  const after = bundleState(root)
  if (!after.fresh) {
    throw new Error(`'npm run build' left dist/ stale: ${after.reason}`)
  }
  log(`global setup: dist/ rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return after
}

/** Jest's entry: check (and rebuild) only when a selected test runs a bundle. */
export default function globalSetup(config: SetupConfig): void {
  const root = config.rootDir
  if (selectsBundleTests(config, root)) ensureFreshBundle(root)
}
