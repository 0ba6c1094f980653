/**
 * What a loaded `domains.yaml` is (`Config`, `DomainConfig`), how its errors read (`ConfigError`)
 * and the checks across fields and domains that come after the schema. Neither yaml nor zod:
 * load-config-lazy.ts builds a config the fast path read from this module alone.
 */
import { UserError } from '../errors.js'
import { printable } from '../text/printable.js'
import type { FastConfig } from './fast-config.js'
import { RECORD_KEYS, type FailOn, type RecordKey } from './record-keys.js'
import type { PinnedRecord, RawConfig, ResolverEntry } from './schema.js'

/** One sending domain as the rest of the pipeline sees it: every default filled in. */
export interface DomainConfig {
  /** The sending domain, ASCII, lower-case. */
  name: string
  /** The zone that holds its records (the domain itself unless the config says otherwise). */
  zone: string
  /** Relative host of the verification CNAME, when known. */
  verification?: string
  tracking: boolean
  /** `tracking:` was written in the config (not the default): then it can drift from the API. */
  trackingPinned?: boolean
  /** Add the domain in Mailtrap when the account lacks it (opt-in; needs a token). */
  create?: boolean
  records: Partial<Record<RecordKey, PinnedRecord>>
  /** Line of the domain's entry in the config file, for annotations. */
  line: number
}

/** The validated configuration. */
export interface Config {
  file: string
  resolvers?: ResolverEntry[]
  failOn?: FailOn
  domains: DomainConfig[]
}

/** One problem in the config file, with the line it is on (1-based). */
export interface ConfigProblem {
  file: string
  line: number
  column: number
  message: string
}

/** The config file cannot be used; `problems` lists every reason, not only the first. */
export class ConfigError extends UserError {
  readonly problems: ConfigProblem[]
  constructor(
    readonly file: string,
    problems: ConfigProblem[]
  ) {
    // A config from a pull request may hold any character: messages quote it through the one
    // filter, so an unknown key cannot drive the terminal or an annotation.
    problems = problems.map((p) => ({ ...p, message: printable(p.message) }))
    super(
      `Invalid config in ${file}:\n` +
        problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n')
    )
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** `defaults:` of the config as the schema gives them. */
export type RawDefaults = Pick<Config, 'resolvers' | 'failOn'>

/**
 * The config of what the fast path read, with `defaults` read apart; undefined when a check
 * across domains fails, since only the full path words its errors.
 */
export function configFromFast(
  fast: FastConfig,
  file: string,
  defaults: RawDefaults
): Config | undefined {
  const domains = fast.entries.map((entry, index) => toDomainConfig(entry, fast.lines[index]!))
  if (checkDomains(domains, file).length > 0) return undefined
  return { file, resolvers: defaults.resolvers, failOn: defaults.failOn, domains }
}

/** The checks across the fields of a domain and across domains that the schema cannot make. */
export function checkDomains(domains: DomainConfig[], file: string): ConfigProblem[] {
  // One indexed pass, no closures or spreads: this runs over every domain of a fleet, once, so
  // mostly before the JIT has compiled it. The problems keep their order: every full-name pin,
  // then every duplicate, then every zone that does not contain its domain.
  const pins: ConfigProblem[] = []
  const duplicates: ConfigProblem[] = []
  const zones: ConfigProblem[] = []
  const seen = new Set<string>()
  for (let i = 0; i < domains.length; i++) {
    const d = domains[i]!
    if (d.verification !== undefined) pinProblem(d, 'verification', d.verification, file, pins)
    for (let k = 0; k < RECORD_KEYS.length; k++) {
      const host = d.records[RECORD_KEYS[k]!]?.name
      if (host !== undefined) pinProblem(d, PIN_PLACES[k]!, host, file, pins)
    }
    if (!seen.has(d.name)) seen.add(d.name)
    else {
      duplicates.push({
        file,
        line: d.line,
        column: 1,
        message: `domain ${d.name} is listed more than once`
      })
    }
    if (d.zone !== d.name && !d.name.endsWith(`.${d.zone}`)) {
      zones.push({
        file,
        line: d.line,
        column: 1,
        message: `zone ${d.zone} does not contain domain ${d.name}`
      })
    }
  }
  return pins.concat(duplicates, zones)
}

type Entry = RawConfig['domains'][number]

/** One entry of `domains:` as the schema gave it, with every default filled in. */
export function toDomainConfig(entry: Entry, line: number): DomainConfig {
  if (typeof entry === 'string') {
    return { name: entry, zone: entry, tracking: true, records: {}, line }
  }
  const records: Partial<Record<RecordKey, PinnedRecord>> = {}
  if (entry.records) {
    for (const key of RECORD_KEYS) {
      const pinned = entry.records[key]
      if (pinned) records[key] = pinned
    }
  }
  // Keys in the order the report has always written them.
  const config = {
    name: entry.name,
    zone: entry.zone ?? entry.name,
    verification: entry.verification ?? records.verification?.name,
    tracking: entry.tracking ?? true
  } as DomainConfig
  if (entry.tracking !== undefined) config.trackingPinned = true
  if (entry.create) config.create = true
  config.records = records
  config.line = line
  return config
}

const PIN_PLACES = RECORD_KEYS.map((key) => `records.${key}.name`)

/**
 * A host pinned as the full name (`rwmt1._domainkey.example.com`) would be checked at the doubled
 * name and bless exactly the mistake the checks exist to find. Adds the problem to `problems`.
 */
function pinProblem(
  d: DomainConfig,
  where: string,
  host: string,
  file: string,
  problems: ConfigProblem[]
): void {
  if (host !== d.name && !(host.endsWith(d.name) && host[host.length - d.name.length - 1] === '.'))
    return
  problems.push({
    file,
    line: d.line,
    column: 1,
    message: `${where}: give the host relative to ${d.name}: \`${host === d.name ? '@' : host.slice(0, -(d.name.length + 1))}\`, not the full name ${host}`
  })
}
