import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import type { z } from 'zod'
import {
  checkDomains,
  ConfigError,
  configFromFast,
  toDomainConfig,
  type Config,
  type RawDefaults
} from './domain-config.js'
import { fastConfig } from './fast-config.js'
import { configSchema, defaultsSchema } from './schema.js'

export {
  ConfigError,
  type Config,
  type ConfigProblem,
  type DomainConfig,
  type RawDefaults
} from './domain-config.js'

/** How many YAML aliases a config may use, its expansion bounded all the same. */
export const MAX_ALIASES = 10_000

/**
 * Parse and validate the text of a `domains.yaml`. Pure: the caller reads the file.
 * Every problem is collected and reported with its line; unknown keys are errors.
 */
export function loadConfig(text: string, file: string): Config {
  const fast = fastConfig(text)
  if (fast) {
    const rest = fast.needsRest ? readRest(text, fast.block) : {}
    const config = rest && configFromFast(fast, file, rest)
    if (config) return config
  }
  return loadConfigFull(text, file)
}

/**
 * The top-level keys outside the domains block, if yaml and the schema take them as they are:
 * `version: 1` and `defaults:` (`needsRest` of the fast path).
 */
function readRest(text: string, [start, end]: [number, number]): RawDefaults | undefined {
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
