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

/**
 * Keeps V8's young generation at the size it has when the fleet starts. A fleet run makes much
 * short-lived garbage and little that lives, and V8 doubles the young generation as it goes: up
 * to 32 MB on Node 20 and 64 MB on Node 24 (the action's runtime), where a 10,000-domain run
 * peaked at 227 MB of RSS. Kept small it peaks at 163 MB on Node 24 and 140 MB on Node 20, for
 * the same CPU (docs/benchmarks.md). The flag is read each time V8 would grow the young
 * generation, so it is set before the run reads its config.
 */
export async function tuneHeapForFleet(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8')
  setFlagsFromString('--semi-space-growth-factor=1')
}
