// Fields the CLI and the action hand the engine beside EngineOptions (engine.ts), for the rate cap
// and the progress line of issue 12; the engine passes them on where they belong.
import type { RateLimits } from './dns/rate-cap.js'
import type { QueryMeter } from './dns/types.js'

/**
 * Options the engine is asked to take besides `EngineOptions` (issue 12): passed on to
 * buildResolvers (`rateLimits`, `meter`) and told when each round starts (`onRound`).
 */
export interface PoliteOptions {
  /** `--rate-limit`: questions per second per resolver at most. */
  rateLimits?: RateLimits
  /** Counts the questions every resolver of the run asks. */
  meter?: QueryMeter
  /** Told, as each round starts, how many domains it checks. */
  onRound?: (domains: number) => void
}
