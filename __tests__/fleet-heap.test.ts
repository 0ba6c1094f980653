/**
 * What makes a run a fleet (the CLI and the action tune V8's heap for it), and that the tuning
 * stops the young generation growing past Node 20's size (issue 12: peak RSS at 10,000
 * domains on Node 24).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getHeapSpaceStatistics } from 'node:v8'
import {
  FLEET_CONFIG_BYTES,
  isFleet,
  tuneHeapForFleet,
  YOUNG_GENERATION_CAP
} from '../src/fleet-heap.js'

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

describe('tuneHeapForFleet', () => {
  // Node 24 grows the young generation to 64 MB by itself, Node 20 to 32 MB: CI runs this on both.
  it('stops the young generation at YOUNG_GENERATION_CAP while garbage that lives a while is made', async () => {
    const newSpace = () =>
      getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0
    await tuneHeapForFleet()
    let kept: unknown[] = []
    // About 400 MB of objects that outlive a collection or two, as a fleet's answers do, made
    // a turn of the event loop at a time, as a fleet's answers come: the observer runs between.
    for (let i = 0; i < 4_000_000; i++) {
      kept.push({ i, text: `answer ${i}` })
      if (kept.length === 200_000) kept = []
      if (i % 20_000 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    expect(kept.length).toBeLessThan(200_000)
    expect(newSpace()).toBeGreaterThan(0)
    expect(newSpace()).toBeLessThanOrEqual(YOUNG_GENERATION_CAP)
  })
})
