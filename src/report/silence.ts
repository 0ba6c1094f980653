import type { FindingReport } from './findings.js'
import type { Report } from './report.js'

/**
 * A finding that only says a resolver gave no answer: shown once per resolver, not per record.
 * A CNAME chain that could not be followed into another zone (`chain-unfollowed`) is not one:
 * the server answered, and what is missing is a way to ask the next zone's servers.
 */
export function isSilence(f: FindingReport): boolean {
  return f.code === 'unknown' && f.detail.kind === 'no-answer'
}

/** Each resolver that gave no answer, how many records it left open, and its first error. */
export function silentResolvers(
  report: Report
): { resolver: string; records: number; error: string }[] {
  const silent = new Map<string, { resolver: string; records: number; error: string }>()
  for (const d of report.domains)
    for (const r of d.records)
      for (const f of r.findings.filter(isSilence))
        for (const resolver of f.resolvers) {
          const seen = silent.get(resolver)
          if (seen) seen.records++
          else silent.set(resolver, { resolver, records: 1, error: f.message })
        }
  return [...silent.values()]
}
