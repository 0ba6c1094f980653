/**
 * What makes a run a fleet (the CLI and the action tune V8's heap for it), and that the tuning
 * keeps the young generation from growing (issue 12: peak RSS at 10,000 domains on Node 24).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getHeapSpaceStatistics } from 'node:v8'
import { FLEET_CONFIG_BYTES, isFleet, tuneHeapForFleet } from '../src/fleet-heap.js'

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
  it('keeps the young generation at its size while short-lived garbage is made', async () => {
    const newSpace = () =>
      getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0
    await tuneHeapForFleet()
    const before = newSpace()
    expect(before).toBeGreaterThan(0)
    let kept: unknown[] = []
    // About 200 MB of objects that live a little while, as a fleet's answers do.
    for (let i = 0; i < 2_000_000; i++) {
      kept.push({ i, text: `answer ${i}` })
      if (kept.length === 5_000) kept = []
    }
    expect(kept.length).toBeLessThan(5_000)
    expect(newSpace()).toBeLessThanOrEqual(before)
  })
})
