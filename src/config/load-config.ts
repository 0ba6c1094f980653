import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import { fastConfig, type FastConfig } from './fast-config.js'
import type { z } from 'zod'
import { UserError } from '../errors.js'
import { printable } from '../text/printable.js'
import {
  configSchema,
  defaultsSchema,
  RECORD_KEYS,
  type FailOn,
  type PinnedRecord,
  type RawConfig,
  type RecordKey,
  type ResolverEntry
} from './schema.js'

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

/** How many YAML aliases a config may use, its expansion bounded all the same. */
export const MAX_ALIASES = 10_000

/**
 * Parse and validate the text of a `domains.yaml`. Pure: the caller reads the file.
 * Every problem is collected and reported with its line; unknown keys are errors.
 */
export function loadConfig(text: string, file: string): Config {
  const fast = fastConfig(text)
  return (fast && fromFast(fast, text, file)) ?? loadConfigFull(text, file)
}

/**
 * The config the fast path read, or undefined when the full path must decide (its errors are
 * the ones worded with lines). Keys beside `domains:` and `version: 1` (`defaults:`) are read
 * by yaml from the text with the domains block blanked, and checked by the same schema.
 */
function fromFast(fast: FastConfig, text: string, file: string): Config | undefined {
  const rest = fast.needsRest ? readRest(text, fast.block) : {}
  if (rest === undefined) return undefined
  const domains = fast.entries.map((entry, index) => toDomainConfig(entry, fast.lines[index]!))
  if (checkDomains(domains, file).length > 0) return undefined
  return { file, resolvers: rest.resolvers, failOn: rest.failOn, domains }
}

type Defaults = Pick<Config, 'resolvers' | 'failOn'>

/** The top-level keys outside the domains block, if yaml and the schema take them as they are. */
function readRest(text: string, [start, end]: [number, number]): Defaults | undefined {
  // Only the line breaks of the block are kept, so lines and offsets before it stay the same.
  const blank = text.slice(start, end).replace(/[^\n]+/g, '')
  const doc = parseDocument(text.slice(0, start) + blank + text.slice(end), { uniqueKeys: true })
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined
  const after = start + blank.length
  // Every other key and its value lies wholly before or after the block: nothing that spans it
  // (a quoted scalar over the `domains:` line) could read differently in the whole file.
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key) || !pair.key.range) return undefined
    const last = isNode(pair.value) ? pair.value.range : pair.key.range
    if (!last) return undefined
    if (!(last[1] <= start || pair.key.range[0] >= after)) return undefined
  }
  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch {
    return undefined
  }
  if (typeof data !== 'object' || data === null) return undefined
  const { version, defaults, ...others } = data as Record<string, unknown>
  if (version !== 1 || Object.keys(others).length > 0) return undefined
  if (defaults === undefined && !('defaults' in data)) return {}
  const result = defaultsSchema().safeParse(defaults)
  if (!result.success) return undefined
  return { resolvers: result.data?.resolvers, failOn: result.data?.['fail-on'] }
}

/**
 * `loadConfig` without the fast path: yaml's document model for lines, zod for the errors. The
 * one way any config fails; exported so tests can hold the fast path to it.
 */
export function loadConfigFull(text: string, file: string): Config {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const at = (offset: number | undefined): { line: number; column: number } => {
    if (offset === undefined) return { line: 1, column: 1 }
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }

  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => ({ file, ...at(error.pos[0]), message: firstLine(error.message) }))
    )
  }

  // A real config may use many aliases (one anchor for a fleet's shared pins); a billion-laughs
  // expansion is still refused, with a line to point at.
  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (error) {
    const offset = doc.contents?.range?.[0]
    throw new ConfigError(file, [
      {
        file,
        ...at(offset),
        message: `${firstLine((error as Error).message)} (at most ${MAX_ALIASES} aliases)`
      }
    ])
  }
  const result = configSchema().safeParse(data)
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues
        .flatMap((issue) => describeIssue(issue, doc, at))
        .sort((a, b) => a.line - b.line || a.column - b.column)
        .map((problem) => ({ file, ...problem }))
    )
  }

  const domains = result.data.domains.map((entry, index) =>
    toDomainConfig(entry, at(nodeOffset(doc, ['domains', index])).line)
  )
  const problems = checkDomains(domains, file)
  if (problems.length > 0) throw new ConfigError(file, problems)

  return {
    file,
    resolvers: result.data.defaults?.resolvers,
    failOn: result.data.defaults?.['fail-on'],
    domains
  }
}

/** The checks across the fields of a domain and across domains that the schema cannot make. */
function checkDomains(domains: DomainConfig[], file: string): ConfigProblem[] {
  // Loops rather than flatMap and spreads: this runs over every domain of a fleet.
  const problems: ConfigProblem[] = []
  for (const d of domains) fullNamePins(d, file, problems)
  const seen = new Set<string>()
  for (const d of domains) {
    if (!seen.has(d.name)) seen.add(d.name)
    else {
      problems.push({
        file,
        line: d.line,
        column: 1,
        message: `domain ${d.name} is listed more than once`
      })
    }
  }
  for (const domain of domains) {
    if (domain.zone !== domain.name && !domain.name.endsWith(`.${domain.zone}`)) {
      problems.push({
        file,
        line: domain.line,
        column: 1,
        message: `zone ${domain.zone} does not contain domain ${domain.name}`
      })
    }
  }
  return problems
}

type Entry = RawConfig['domains'][number]

function toDomainConfig(entry: Entry, line: number): DomainConfig {
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

const PIN_PLACES = RECORD_KEYS.map((key) => [key, `records.${key}.name`] as const)

/**
 * A host pinned as the full name (`rwmt1._domainkey.example.com`) would be checked at the doubled
 * name and bless exactly the mistake the checks exist to find. Adds the problems to `problems`.
 */
function fullNamePins(d: DomainConfig, file: string, problems: ConfigProblem[]): void {
  const check = (where: string, host: string | undefined): void => {
    if (host === undefined || (host !== d.name && !host.endsWith(`.${d.name}`))) return
    problems.push({
      file,
      line: d.line,
      column: 1,
      message: `${where}: give the host relative to ${d.name}: \`${host === d.name ? '@' : host.slice(0, -(d.name.length + 1))}\`, not the full name ${host}`
    })
  }
  check('verification', d.verification)
  for (const [key, where] of PIN_PLACES) {
    const host = d.records[key]?.name
    if (host !== undefined) check(where, host)
  }
}

type Position = { line: number; column: number }

/** Turn one zod issue into problems on the lines they concern. */
function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  at: (offset: number | undefined) => Position
): (Position & { message: string })[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  const where = formatPath(path)
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      ...at(keyOffset(doc, path, key) ?? nodeOffset(doc, path)),
      message: `unknown key "${key}"${where ? ` in ${where}` : ''}`
    }))
  }
  if (issue.code === 'invalid_union') {
    // A domain entry is a name or a mapping (a resolver, a string or a mapping): report the
    // problems of the branch the entry was meant as, the one that got past the type check.
    const meant = issue.errors.find((branch) =>
      branch.every((i) => i.path.length > 0 || i.code !== 'invalid_type')
    )
    if (meant && meant.length > 0) {
      return meant.flatMap((i) => describeIssue({ ...i, path: [...path, ...i.path] }, doc, at))
    }
  }
  if (issue.code === 'invalid_type' && path.length === 0) {
    return [
      { ...at(undefined), message: 'the file must be a mapping with `version: 1` and `domains:`' }
    ]
  }
  if (issue.code === 'invalid_type' && !doc.hasIn(path)) {
    const parent = path.slice(0, -1)
    const message = `missing required key "${String(path.at(-1))}"`
    const prefix = formatPath(parent)
    return [{ ...at(nodeOffset(doc, parent)), message: prefix ? `${prefix}: ${message}` : message }]
  }
  return [
    { ...at(nodeOffset(doc, path)), message: where ? `${where}: ${issue.message}` : issue.message }
  ]
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

/** Offset of the node at `path`, or of its nearest ancestor that exists. */
function nodeOffset(doc: Document, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
    if (isNode(node) && node.range) return node.range[0]
  }
  return undefined
}

function keyOffset(doc: Document, path: (string | number)[], key: string): number | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true)
  if (!isMap(map)) return undefined
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.key.range?.[0]
  }
  return undefined
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}
