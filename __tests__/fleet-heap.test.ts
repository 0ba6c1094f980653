/**
 * What makes a run a fleet (the CLI and the action tune V8's heap for it), and that the tuning
 * stops the young generation growing past Node 20's size (issue 12: peak RSS at 10,000
 * domains on Node 24).
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { FLEET_CONFIG_BYTES, isFleet, YOUNG_GENERATION_CAP } from '../src/fleet-heap.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-heap-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function configOf(bytes: number): Promise<string> {
  const file = join(dir, `domains-${bytes}.yaml`)
  await writeFile(file, 'x'.repeat(bytes))
  return file
}

describe('isFleet', () => {
  it('is a config of FLEET_CONFIG_BYTES or more', async () => {
    expect(isFleet(await configOf(FLEET_CONFIG_BYTES), undefined)).toBe(true)
    expect(isFleet(await configOf(FLEET_CONFIG_BYTES - 1), undefined)).toBe(false)
  })

  it('is any run with a zone directory, and not a config that does not exist', async () => {
    expect(isFleet(await configOf(10), join(dir, 'zones'))).toBe(true)
    expect(isFleet(join(dir, 'missing.yaml'), undefined)).toBe(false)
  })
})

/**
 * The workload, in a process of its own: a jest worker has run other suites first, and a young
 * generation they grew does not shrink back. src/fleet-heap.ts itself, transpiled, is tuned with
 * (argv 'tune') or not; the process prints new_space's size at the end.
 */
const WORKLOAD = `
import { getHeapSpaceStatistics } from 'node:v8'
if (process.argv[2] === 'tune') await (await import('./fleet-heap.mjs')).tuneHeapForFleet()
const newSpace = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0
// About 400 MB of objects that outlive a collection or two, as a fleet's answers do, made a turn
// of the event loop at a time, as a fleet's answers come: the observer runs between.
let kept = []
for (let i = 0; i < 4_000_000; i++) {
  kept.push({ i, text: 'answer ' + i })
  if (kept.length === 200_000) kept = []
  if (i % 20_000 === 0) await new Promise((resolve) => setImmediate(resolve))
}
console.log(newSpace())
`

describe('tuneHeapForFleet', () => {
  // Node 24 grows the young generation to 128 MiB by itself, Node 20 to 32: CI runs this on both.
  it('stops the young generation at YOUNG_GENERATION_CAP while garbage that lives a while is made', async () => {
    const source = await readFile(new URL('../src/fleet-heap.ts', import.meta.url), 'utf8')
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 }
    })
    await writeFile(join(dir, 'fleet-heap.mjs'), outputText)
    await writeFile(join(dir, 'workload.mjs'), WORKLOAD)
    const youngAtEnd = (mode: string): number => {
      const run = spawnSync(process.execPath, [join(dir, 'workload.mjs'), mode], {
        encoding: 'utf8',
        timeout: 60_000
      })
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      return Number(run.stdout.trim())
    }
    const tuned = youngAtEnd('tune')
    expect(tuned).toBeGreaterThan(0)
    expect(tuned).toBeLessThanOrEqual(YOUNG_GENERATION_CAP)
    // Where V8 would grow it further by itself (Node 24), the cap is what held it.
    const untuned = youngAtEnd('plain')
    if (process.versions.node.split('.')[0] === '24') expect(untuned).toBeGreaterThan(tuned)
  })
})
