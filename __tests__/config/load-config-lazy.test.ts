/**
 * loadConfigLazy: the same result and errors as loadConfig, and for the common shape neither
 * yaml nor zod loaded. The second is seen from outside: the module is bundled as the build does
 * (a dynamic import becomes a chunk of its own, packages stay in node_modules) and run by Node
 * with a resolve hook that reports every yaml or zod module it is asked for.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { build } from 'esbuild'
import { ConfigError, loadConfig } from '../../src/config/load-config.js'
import { loadConfigLazy } from '../../src/config/load-config-lazy.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

const FLEET = 'version: 1\ndomains:\n  - name: a.example\n    verification: mt07\n  - b.example\n'
const TEXTS = [
  FLEET,
  'version: 1\ndefaults:\n  fail-on: warning\ndomains:\n  - a.example\n',
  'version: 1\ndomains:\n  - name: a.example\n    trackng: false\n',
  'version: 1\ndomains:\n  - a.example\n  - a.example\n',
  'version: 1\ndomains:\n  - name: mail.a.example\n    verification: mt07.mail.a.example\n',
  'version: 2\ndomains:\n  - a.example\n',
  'version: 1\ndomains:\n  - 1.5\n',
  ''
]

/** What a load gives: the config, or the error with every problem. */
async function outcome(load: () => unknown): Promise<unknown> {
  try {
    return { config: await load() }
  } catch (error) {
    if (error instanceof ConfigError) return { error: error.message, problems: error.problems }
    throw error
  }
}

describe('loadConfigLazy', () => {
  it.each(TEXTS)('gives what loadConfig gives for %j', async (text) => {
    expect(await outcome(() => loadConfigLazy(text, 'domains.yaml'))).toStrictEqual(
      await outcome(() => loadConfig(text, 'domains.yaml'))
    )
  })
})

describe('what loadConfigLazy loads', () => {
  let dir: string
  let probe: string

  beforeAll(async () => {
    // Inside the project, so the bundle finds yaml and zod in node_modules as dist/ does.
    await mkdir(join(root, 'node_modules/.cache'), { recursive: true })
    dir = await mkdtemp(join(root, 'node_modules/.cache/lazy-config-'))
    await build({
      entryPoints: [join(root, 'src/config/load-config-lazy.ts')],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      outdir: dir,
      logLevel: 'silent'
    })
    // Reports each yaml or zod module Node resolves, from the hooks thread, on standard error.
    const hooks = [
      'export async function resolve(specifier, context, next) {',
      '  const result = await next(specifier, context)',
      '  const m = /node_modules\\/(yaml|zod)\\//.exec(result.url)',
      "  if (m) process._rawDebug('loaded ' + m[1])",
      '  return result',
      '}'
    ].join('\n')
    await writeFile(join(dir, 'hooks.mjs'), hooks)
    await writeFile(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n"
    )
    probe = join(dir, 'probe.mjs')
    await writeFile(
      probe,
      [
        "import { loadConfigLazy } from './load-config-lazy.js'",
        'const text = process.argv[2]',
        "const config = await loadConfigLazy(text, 'domains.yaml').catch((e) => e)",
        "process._rawDebug('done ' + (config.domains?.length ?? config.name + ' ' + config.message))"
      ].join('\n')
    )
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  /** The lines the probe wrote: the packages it loaded, then how the load ended. */
  const run = (text: string): Promise<string[]> =>
    new Promise((done, fail) => {
      execFile(
        process.execPath,
        ['--import', join(dir, 'register.mjs'), probe, text],
        { cwd: root },
        (error, _stdout, stderr) =>
          error ? fail(error) : done([...new Set(stderr.trim().split('\n'))].sort())
      )
    })

  it('loads neither yaml nor zod for the common shape', async () => {
    expect(await run(FLEET)).toEqual(['done 2'])
  })

  it('loads both when the full path must read the file or word its errors', async () => {
    expect(await run('version: 1\ndomains:\n  - 1.5\n')).toEqual([
      'domains.yaml:3: domains[0]: Invalid input',
      'done ConfigError Invalid config in domains.yaml:',
      'loaded yaml',
      'loaded zod'
    ])
    expect(await run(TEXTS[1]!)).toEqual(['done 1', 'loaded yaml', 'loaded zod'])
  })
})
