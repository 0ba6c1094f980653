import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import type { z } from 'zod'
import { UserError } from '../errors.js'
import { printable } from '../text/printable.js'
import {
  configSchema,
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
  const problems = domains.flatMap((d) => fullNamePins(d, file))
  problems.push(
    ...findDuplicates(domains).map((d) => ({
      file,
      line: d.line,
      column: 1,
      message: `domain ${d.name} is listed more than once`
    }))
  )
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
  if (problems.length > 0) throw new ConfigError(file, problems)

  return {
    file,
    resolvers: result.data.defaults?.resolvers,
    failOn: result.data.defaults?.['fail-on'],
    domains
  }
}

type Entry = RawConfig['domains'][number]

function toDomainConfig(entry: Entry, line: number): DomainConfig {
  if (typeof entry === 'string') {
    return { name: entry, zone: entry, tracking: true, records: {}, line }
  }
  const records: Partial<Record<RecordKey, PinnedRecord>> = {}
  for (const key of RECORD_KEYS) {
    const pinned = entry.records?.[key]
    if (pinned) records[key] = pinned
  }
  return {
    name: entry.name,
    zone: entry.zone ?? entry.name,
    verification: entry.verification ?? records.verification?.name,
    tracking: entry.tracking ?? true,
    ...(entry.tracking === undefined ? {} : { trackingPinned: true }),
    ...(entry.create ? { create: true } : {}),
    records,
    line
  }
}

/**
 * A host pinned as the full name (`rwmt1._domainkey.example.com`) would be checked at the doubled
 * name and bless exactly the mistake the checks exist to find.
 */
function fullNamePins(d: DomainConfig, file: string): ConfigProblem[] {
  const hosts: [string, string | undefined][] = [
    ['verification', d.verification],
    ...RECORD_KEYS.map((key): [string, string | undefined] => [
      `records.${key}.name`,
      d.records[key]?.name
    ])
  ]
  return hosts
    .filter(([, host]) => host !== undefined && (host === d.name || host.endsWith(`.${d.name}`)))
    .map(([where, host]) => ({
      file,
      line: d.line,
      column: 1,
      message: `${where}: give the host relative to ${d.name}: \`${host === d.name ? '@' : host!.slice(0, -(d.name.length + 1))}\`, not the full name ${host}`
    }))
}

function findDuplicates(domains: DomainConfig[]): DomainConfig[] {
  const seen = new Set<string>()
  return domains.filter((d) => (seen.has(d.name) ? true : (seen.add(d.name), false)))
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
