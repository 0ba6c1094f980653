/**
 * V8's heap tuned for a run that checks a fleet (issue 12), by the CLI (src/cli-main.ts) and the
 * action (src/run.ts) alike. A one-domain check never loads it: node:v8 costs about 2 ms of
 * start-up.
 */
import { statSync } from 'node:fs'

/** A config file this large lists a fleet: about 300 domains and more. */
export const FLEET_CONFIG_BYTES = 16 * 1024

/** A run that may hold much in memory: zone files, or a config that lists a fleet. */
export function isFleet(config: string, zoneDir: string | undefined): boolean {
  if (zoneDir !== undefined) return true
  const size = statSync(config, { throwIfNoEntry: false })?.size ?? 0
  return size >= FLEET_CONFIG_BYTES
}

/** The young generation's size a fleet run lets V8 grow to: Node 20's own limit. */
export const YOUNG_GENERATION_CAP = 32 * 2 ** 20

/**
 * Tunes V8's heap for a fleet, which makes much short-lived garbage and little that lives:
 * - the heap grows at most 2× between full collections (V8 lets it grow up to 4×: RSS went to
 *   2.5× the live heap at 10,000 domains);
 * - the young generation stops growing at {@link YOUNG_GENERATION_CAP}, checked after each
 *   collection: Node 24 (the action's runtime) doubles it on to 128 MiB, where a 10,000-domain
 *   run peaked at 230-260 MB of RSS; capped, about 150 MiB, for about 10 % more CPU. Node 20
 *   stops there itself (about 135 MiB).
 * The first is set before the run reads its config; the second once a collection finds the young
 * generation at the cap, as V8 reads it whenever it would grow it (docs/benchmarks.md, issue 12).
 */
export async function tuneHeapForFleet(): Promise<void> {
  const v8 = await import('node:v8')
  v8.setFlagsFromString('--heap-growing-percent=100')
  const { PerformanceObserver } = await import('node:perf_hooks')
  const young = (): number =>
    v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
  const observer = new PerformanceObserver(() => {
    if (young() < YOUNG_GENERATION_CAP) return
    v8.setFlagsFromString('--semi-space-growth-factor=1')
    observer.disconnect()
  })
  observer.observe({ entryTypes: ['gc'] })
}
