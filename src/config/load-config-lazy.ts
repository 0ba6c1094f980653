import { configFromFast, type Config } from './domain-config.js'
import { fastConfig } from './fast-config.js'

/**
 * `loadConfig` for the CLI and the action, where start-up counts: a config the fast path reads
 * whole (`version: 1` and domains, the common shape) is built without loading yaml or zod at all;
 * any other, and every error, goes through load-config.ts, imported only then. Same result and
 * same errors as `loadConfig`, which __tests__/config/load-config-lazy.test.ts checks.
 */
export async function loadConfigLazy(text: string, file: string): Promise<Config> {
  const fast = fastConfig(text)
  const config = fast && !fast.needsRest ? configFromFast(fast, file, {}) : undefined
  if (config) return config
  const { loadConfig } = await import('./load-config.js')
  return loadConfig(text, file)
}
