import { UsageError } from '../errors.js'
import { summarize, type Report } from './report.js'

/** Which slice of the domains a run checked: shard `index` (1-based) of `count`. */
export interface Shard {
  index: number
  count: number
}

/** `k/n` as given to `--shard` or the `shard` input. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`shard must be k/n with 1 <= k <= n (such as 2/3), not "${text}"`)
  }
  return { index, count }
}

/** FNV-1a, 32 bits: a stable hash, so a domain stays in its shard when others are added. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** True when `domain` belongs to `shard`: by a hash of its name, not its place in the file. */
export function inShard(domain: string, shard: Shard): boolean {
  return fnv1a(domain) % shard.count === shard.index - 1
}

/**
 * One report from the shards' reports, as if one run had checked everything: domains in the
 * config's order, the summary and exit code computed again. Reports of different configs, or
 * a missing or repeated shard, are an error that says which.
 */
export function mergeReports(reports: { file: string; report: Report }[]): Report {
  if (reports.length === 0) throw new UsageError('merge: no reports given')
  const [first] = reports
  for (const { file, report } of reports) {
    if (report.schemaVersion !== 1 || !Array.isArray(report.domains)) {
      throw new UsageError(`merge: ${file} is not a mailtrap-dns-verify JSON report`)
    }
    if (
      report.config !== first!.report.config ||
      report.configDigest !== first!.report.configDigest
    ) {
      throw new UsageError(
        `merge: ${file} checked ${report.config} (${report.configDigest ?? 'no digest'}), but ${first!.file} checked ${first!.report.config} (${first!.report.configDigest ?? 'no digest'}): reports of different configs cannot be merged`
      )
    }
  }
  const count = first!.report.shard?.count ?? 1
  const seen = new Map<number, string>()
  for (const { file, report } of reports) {
    const shard = report.shard ?? { index: 1, count: 1 }
    if (shard.count !== count) {
      throw new UsageError(
        `merge: ${file} is shard ${shard.index}/${shard.count}, the others are of ${count}`
      )
    }
    const other = seen.get(shard.index)
    if (other)
      throw new UsageError(`merge: ${file} and ${other} are both shard ${shard.index}/${count}`)
    seen.set(shard.index, file)
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i))
  if (missing.length > 0) {
    throw new UsageError(`merge: shard ${missing.map((i) => `${i}/${count}`).join(', ')} missing`)
  }
  const domains = reports.flatMap((r) => r.report.domains).sort((a, b) => a.line - b.line)
  const resolvers = new Map(
    reports.flatMap((r) => r.report.resolvers).map((r) => [`${r.name} ${r.address}`, r])
  )
  const merged: Report = {
    ...first!.report,
    generatedAt: reports
      .map((r) => r.report.generatedAt)
      .sort()
      .at(-1)!,
    resolvers: [...resolvers.values()],
    summary: summarize(domains),
    domains
  }
  delete merged.shard
  return merged
}
