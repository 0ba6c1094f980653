/**
 * `pull`, the pure part: what Mailtrap's API lists, written into the text of a `domains.yaml`.
 * Each domain gets its verification host, `tracking:` as the API lists it, and a pin under
 * `records:` for any name or value that differs from Mailtrap's defaults; nothing else.
 *
 * The file is edited as text at the ranges the `yaml` parser gives its nodes, never printed
 * again from the parsed tree: every byte outside an edit (comments, key order, quoting, blank
 * lines, indentation) stays as it was, and a file already current comes back identical.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq
} from 'yaml'
import { normalizeHost, toAsciiName } from '../names/dns-names.js'
import { ConfigError, loadConfig, type DomainConfig } from './load-config.js'
import { RECORD_KEYS, type RecordKey } from './schema.js'

/** A sending domain as Mailtrap's API lists it (plain data; the caller asks the API). */
export interface PullSourceDomain {
  /** The domain name as the API gives it. */
  name: string
  records: { key: string; name?: string; value?: string }[]
  /** `custom_domain_tracking_enabled`, when the API sends it. */
  customDomainTrackingEnabled?: boolean
}

/**
 * Mailtrap's defaults and how values compare, as `records/expected.ts` has them
 * (`MAILTRAP_DEFAULTS` with `MAILTRAP_SPF`, `normalizeExpectedValue`); given by the caller, as
 * `records/` builds on `config/` and not the other way round.
 */
export interface PullDefaults {
  records: Record<RecordKey, { type: 'CNAME' | 'TXT'; host: string | null; value: string }>
  normalizeValue: (type: 'CNAME' | 'TXT', value: string) => string
}

/** How {@link pullConfig} works. */
export interface PullConfigOptions {
  defaults: PullDefaults
  /** Append the domains Mailtrap lists that the file lacks. */
  add?: boolean
}

/** One change pull makes (or would make) to the file. */
export interface PullChange {
  domain: string
  /** Line of the domain's entry in the file as it was; for an added domain, in the new text. */
  line: number
  /** `verification`, `tracking`, `records.<key>.<name|value>`, or `added`. */
  field: string
  /** What the file said, when it said something. */
  from?: string
  to: string
}

/** Replace `text.slice(start, end)` with `text`; offsets in the text as it was. */
export interface TextEdit {
  start: number
  end: number
  text: string
}

/** What {@link pullConfig} found and the text it made. */
export interface PullResult {
  /** The new text of the file; the input itself when nothing changed. */
  text: string
  changes: PullChange[]
  /** The edits that turn the old text into the new, sorted, not overlapping. */
  edits: TextEdit[]
  /** Domains Mailtrap lists that the file lacks (appended when `add` was asked). */
  unlisted: string[]
  /** Domains of the file that Mailtrap does not list; left as they are. */
  unknown: string[]
  /** Things the API listed that cannot go into the file, one sentence each. */
  skipped: string[]
}

/** What the file should pin for one domain. */
interface Pins {
  verification?: string
  tracking: boolean
  /** What the API lists, normalised: a pin the file has is set to this. */
  listed: Partial<Record<RecordKey, { name?: string; value?: string }>>
  /** What differs from the defaults: a pin the file lacks is added for this. */
  records: Partial<Record<RecordKey, { name?: string; value?: string }>>
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/

/**
 * The new text of `file` with what Mailtrap's API knows pinned. Pure. Throws {@link ConfigError}
 * (file:line) when the file is not a valid config or holds an entry it cannot edit.
 */
export function pullConfig(
  text: string,
  file: string,
  api: readonly PullSourceDomain[],
  options: PullConfigOptions
): PullResult {
  const result = pullOnce(text, file, api, options)
  if (result.text !== text) checkCurrent(result.text, file, api, options)
  return result
}

function pullOnce(
  text: string,
  file: string,
  api: readonly PullSourceDomain[],
  { add = false, defaults }: PullConfigOptions
): PullResult {
  const config = loadConfig(text, file)
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  const column = (offset: number): number => lineCounter.linePos(offset).col - 1
  const skipped: string[] = []
  const byName = new Map<string, Pins>()
  for (const domain of api) {
    const name = toAsciiName(domain.name)
    if (!isDomainName(name)) {
      skipped.push(`Mailtrap lists "${domain.name}", which is not a domain name this file can hold`)
    } else if (!byName.has(name)) {
      byName.set(name, pinsFor(name, domain, defaults, skipped))
    }
  }

  const edits: TextEdit[] = []
  const changes: PullChange[] = []
  const seq = doc.get('domains', true) as YAMLSeq<Node>
  const editor = new Editor(text, column, edits)
  config.domains.forEach((domain, index) => {
    const pins = byName.get(domain.name)
    if (!pins) return
    const node = seq.items[index]
    if (isAlias(node) || (!isMap(node) && !isScalar(node))) {
      throw new ConfigError(file, [
        { file, line: domain.line, column: 1, message: 'pull cannot edit this entry: write it out' }
      ])
    }
    const wanted = plan(domain, pins, defaults)
    for (const change of wanted) changes.push({ domain: domain.name, line: domain.line, ...change })
    if (wanted.length > 0) editor.apply(node, seq, pins, wanted)
  })

  const listed = new Set(config.domains.map((d) => d.name))
  const unlisted = [...byName.keys()].filter((name) => !listed.has(name))
  const unknown = config.domains.filter((d) => !byName.has(d.name)).map((d) => d.name)
  if (add) editor.append(seq, unlisted, byName)

  // An insertion goes before a replacement that starts where it does.
  edits.sort((a, b) => a.start - b.start || a.end - b.end)
  // New lines end as the file's lines do.
  if (text.includes('\r\n')) for (const e of edits) e.text = e.text.replace(/(?<!\r)\n/g, '\r\n')
  const result = edits.length === 0 ? text : applyEdits(text, edits)
  if (add && unlisted.length > 0) {
    const counter = new LineCounter()
    const added = parseDocument(result, { lineCounter: counter }).get('domains', true) as YAMLSeq
    const start = added.items.length - unlisted.length
    unlisted.forEach((name, i) => {
      const offset = (added.items[start + i] as Node | undefined)?.range?.[0] ?? 0
      changes.push({ domain: name, line: counter.linePos(offset).line, field: 'added', to: name })
    })
  }
  return { text: result, changes, edits, unlisted, unknown, skipped }
}

/** Whether click tracking's CNAME is expected, as Mailtrap's API lists it. */
export function apiTracking(domain: PullSourceDomain): boolean {
  const listed = domain.records.some((r) => r.key === 'link_verification' && r.value)
  // Mailtrap lists link_verification even when custom-domain tracking is off, so the listing
  // alone says little: `custom_domain_tracking_enabled` decides when the API sends it, and the
  // listing only when it does not (the rule the check applies with a token).
  return listed && domain.customDomainTrackingEnabled !== false
}

/** The pins one domain needs: each name or value the API lists that differs from the default. */
function pinsFor(
  domain: string,
  api: PullSourceDomain,
  { records, normalizeValue }: PullDefaults,
  skipped: string[]
): Pins {
  const pins: Pins = { tracking: apiTracking(api), listed: {}, records: {} }
  for (const key of RECORD_KEYS) {
    const record = api.records.find((r) => r.key === key)
    if (!record) continue
    const base = records[key]
    const listed: { name?: string; value?: string } = {}
    const pin: { name?: string; value?: string } = {}
    if (record.name !== undefined) {
      const host = normalizeHost(record.name)
      if (!isHost(host)) {
        skipped.push(`${domain}: Mailtrap lists ${key} at "${record.name}", not a host name`)
      } else if (key === 'verification') {
        pins.verification = host
      } else {
        listed.name = host
        if (host !== base.host) pin.name = host
      }
    }
    const value = record.value?.trim()
    if (value) {
      listed.value = normalizeValue(base.type, value)
      // An older domain's SPF record is expected only when pinned: its value is the pin.
      if (key === 'spf' || listed.value !== normalizeValue(base.type, base.value)) {
        pin.value = listed.value
      }
    }
    pins.listed[key] = listed
    if (pin.name !== undefined || pin.value !== undefined) pins.records[key] = pin
  }
  return pins
}

type Wanted = Omit<PullChange, 'domain' | 'line'>

/** What must change in a domain's entry for it to say what the API says. */
function plan(domain: DomainConfig, pins: Pins, defaults: PullDefaults): Wanted[] {
  const wanted: Wanted[] = []
  if (pins.verification !== undefined) {
    const pinned = domain.verification
    if (pinned === undefined || normalizeHost(pinned) !== pins.verification) {
      wanted.push({ field: 'verification', ...from(pinned), to: pins.verification })
    }
  }
  if (domain.tracking !== pins.tracking) {
    wanted.push({ field: 'tracking', from: String(domain.tracking), to: String(pins.tracking) })
  }
  for (const key of RECORD_KEYS) {
    const pin = pins.records[key]
    const pinned = domain.records[key]
    const type = defaults.records[key].type
    for (const field of ['name', 'value'] as const) {
      if (key === 'verification' && field === 'name') continue
      // A pin the file has follows the API; one it lacks is added when not the default.
      const have = pinned?.[field]
      const want = have === undefined ? pin?.[field] : pins.listed[key]?.[field]
      if (want === undefined) continue
      const same =
        have !== undefined &&
        (field === 'name'
          ? normalizeHost(have) === want
          : defaults.normalizeValue(type, have) === want)
      if (!same) wanted.push({ field: `records.${key}.${field}`, ...from(have), to: want })
    }
  }
  return wanted
}

function from(value: string | undefined): { from?: string } {
  return value === undefined ? {} : { from: value }
}

/** Which pairs an entry gets that it does not have yet. */
interface NewPairs {
  verification: boolean
  tracking: boolean
  records: RecordKey[]
}

/** Makes the edits; every insertion follows the schema's key order, after what is there. */
class Editor {
  constructor(
    private readonly text: string,
    private readonly column: (offset: number) => number,
    private readonly edits: TextEdit[]
  ) {}

  /** Edits one domain's entry (a mapping, or a bare name made one). */
  apply(node: Node, seq: YAMLSeq, pins: Pins, wanted: Wanted[]): void {
    const fields = new Set(wanted.map((w) => w.field))
    const keyFields = (key: RecordKey) =>
      FIELD_ORDER.filter((field) => fields.has(`records.${key}.${field}`))
    const recordKeys = RECORD_KEYS.filter((key) => keyFields(key).length > 0)
    if (isScalar(node)) {
      const [start, end] = node.range!
      const what = {
        verification: fields.has('verification'),
        tracking: fields.has('tracking'),
        records: recordKeys
      }
      const name: [string, string] = ['name', this.text.slice(start, end)]
      if (seq.flow) return this.edit(start, end, flowMap([name, ...newPairs(pins, what, true)]))
      this.edit(start, end, `name: ${name[1]}`)
      const lines = blockLines(newPairs(pins, what, false), ' '.repeat(this.column(start)))
      return this.insertLines(this.afterLine(end), lines)
    }
    const map = node as YAMLMap<Node, Node>
    const what: NewPairs = { verification: false, tracking: false, records: [] }
    if (fields.has('verification')) {
      const top = pairOf(map, 'verification')
      const inRecords = pairOf(mapOf(pairOf(mapOf(pairOf(map, 'records')), 'verification')), 'name')
      const places = [top, inRecords].filter((p): p is Pair<Node, Node> => p !== undefined)
      for (const pair of places) {
        const { value } = pair
        const same = isScalar(value) && normalizeHost(String(value.value)) === pins.verification
        if (!same) this.replace(pair, pins.verification!)
      }
      what.verification = places.length === 0
    }
    if (fields.has('tracking')) {
      const pair = pairOf(map, 'tracking')
      if (pair) this.replace(pair, pins.tracking)
      else what.tracking = true
    }
    const records = mapOf(pairOf(map, 'records'))
    const missing: RecordKey[] = []
    for (const key of recordKeys) {
      const recordMap = mapOf(pairOf(records, key))
      if (!recordMap) {
        // No pin for this key yet (the schema allows only a mapping here).
        missing.push(key)
        continue
      }
      const add: [string, string][] = []
      for (const field of keyFields(key)) {
        const pair = pairOf(recordMap, field)
        if (pair) this.replace(pair, pins.listed[key]![field]!)
        else add.push([field, scalar(pins.records[key]![field]!)])
      }
      if (add.length > 0) this.addPairs(recordMap, FIELD_ORDER, add)
    }
    if (records && missing.length > 0) {
      const pairs = missing.map((key): [string, string] => [key, recordValue(pins, key)])
      this.addPairs(records, RECORD_KEYS, pairs)
    } else {
      what.records = missing
    }
    const top = newPairs(pins, what, map.flow === true)
    if (top.length > 0) this.addPairs(map, ENTRY_ORDER, top)
  }

  /** Appends domains to the `domains:` list, with their pins. */
  append(seq: YAMLSeq, names: string[], byName: Map<string, Pins>): void {
    if (names.length === 0) return
    const domains = names.map((name) => ({ name, pins: byName.get(name)! }))
    const last = seq.items.at(-1) as Node
    const pairsOf = (name: string, pins: Pins, flow: boolean): [string, string][] => [
      ['name', scalar(name)],
      ...newPairs(
        pins,
        {
          verification: pins.verification !== undefined,
          tracking: !pins.tracking,
          records: RECORD_KEYS.filter((key) => pins.records[key])
        },
        flow
      )
    ]
    if (seq.flow) {
      const text = domains.map((d) => `, ${flowMap(pairsOf(d.name, d.pins, true))}`).join('')
      return this.edit(last.range![1], last.range![1], text)
    }
    const dash = this.column(seq.range![0])
    const content = Math.max(this.column(last.range![0]) - dash, 2)
    const lines = domains.map((d) => {
      const block = blockLines(pairsOf(d.name, d.pins, false), ' '.repeat(dash + content))
      return `${' '.repeat(dash)}-${' '.repeat(content - 1)}${block.trimStart()}`
    })
    this.insertLines(this.afterLine(last.range![1]), lines.join('\n'))
  }

  /** Inserts `pairs` into `map` after the last key that comes before them in `order`. */
  private addPairs(map: YAMLMap<Node, Node>, order: readonly string[], pairs: [string, string][]) {
    const keyOf = (p: Pair<Node, Node>) => (isScalar(p.key) ? String(p.key.value) : '')
    const groups = new Map<Pair<Node, Node>, [string, string][]>()
    for (const pair of pairs) {
      const before = order.slice(0, order.indexOf(pair[0]))
      // After the key that comes before it, else at the end: never before the first key,
      // which may share its line with the list's dash.
      const anchor = map.items.findLast((p) => before.includes(keyOf(p))) ?? map.items.at(-1)!
      groups.set(anchor, [...(groups.get(anchor) ?? []), pair])
    }
    for (const [anchor, group] of groups) {
      const end = (anchor.value ?? anchor.key).range![1]
      if (map.flow) {
        this.edit(end, end, group.map(([k, v]) => `, ${k}: ${v}`).join(''))
      } else {
        const indent = ' '.repeat(this.column(anchor.key.range![0]))
        this.insertLines(this.afterLine(end), blockLines(group, indent))
      }
    }
  }

  /** Replaces a pair's value, in the quoting style it had. */
  private replace(pair: Pair<Node, Node>, value: string | boolean): void {
    const node = pair.value!
    const style = isScalar(node) ? node.type : undefined
    const text =
      typeof value === 'boolean'
        ? String(value)
        : style === 'QUOTE_DOUBLE'
          ? JSON.stringify(value)
          : style === 'QUOTE_SINGLE' && !scalar(value).startsWith('"')
            ? `'${value.replace(/'/g, "''")}'`
            : scalar(value)
    const [start, end] = node.range!
    // A block scalar's range ends after its last line break, which stays.
    this.edit(start, end, this.text[end - 1] === '\n' ? `${text}\n` : text)
  }

  /** Where a new line goes after the line that holds `offset`. */
  private afterLine(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === '\n') return offset
    const end = this.text.indexOf('\n', offset)
    return end === -1 ? this.text.length : end + 1
  }

  /** Inserts whole lines (`lines` without the final newline) at a line start or the end. */
  private insertLines(at: number, lines: string): void {
    const lead = at > 0 && this.text[at - 1] !== '\n' ? '\n' : ''
    this.edit(at, at, `${lead}${lines}\n`)
  }

  private edit(start: number, end: number, text: string): void {
    const same = start === end && this.edits.find((e) => e.start === start && e.end === start)
    if (same) same.text += text
    else this.edits.push({ start, end, text })
  }
}

const ENTRY_ORDER = ['name', 'zone', 'verification', 'tracking', 'records'] as const
const FIELD_ORDER = ['name', 'value'] as const

/** New top-level pairs of an entry, rendered, in the schema's order. */
function newPairs(pins: Pins, what: NewPairs, flow: boolean): [string, string][] {
  const pairs: [string, string][] = []
  if (what.verification) pairs.push(['verification', scalar(pins.verification!)])
  if (what.tracking) pairs.push(['tracking', String(pins.tracking)])
  if (what.records.length > 0) {
    const records = what.records.map((key): [string, string] => [key, recordValue(pins, key)])
    pairs.push(['records', flow ? flowMap(records) : `\n${blockLines(records, '  ')}`])
  }
  return pairs
}

function recordValue(pins: Pins, key: RecordKey): string {
  const pin = pins.records[key]!
  return flowMap(FIELD_ORDER.filter((f) => pin[f] !== undefined).map((f) => [f, scalar(pin[f]!)]))
}

/** Block pairs, one a line; a nested block value (starting with a newline) goes below its key. */
function blockLines(pairs: [string, string][], indent: string): string {
  return pairs
    .map(([k, v]) =>
      v.startsWith('\n')
        ? `${indent}${k}:${v.replace(/\n/g, `\n${indent}`)}`
        : `${indent}${k}: ${v}`
    )
    .join('\n')
}

function flowMap(pairs: [string, string][]): string {
  return `{ ${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')} }`
}

/**
 * A string as a YAML scalar that reads back as itself: plain when it cannot be taken for
 * anything else, single-quoted when printable, else double-quoted with escapes.
 */
export function scalar(value: string): string {
  const reserved = /^(true|false|yes|no|on|off|y|n|null)$/i
  if (/^[a-z_][a-z0-9_.-]*$/i.test(value) && !reserved.test(value)) return value
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) return JSON.stringify(value)
  return `'${value.replace(/'/g, "''")}'`
}

function pairOf(map: YAMLMap<Node, Node> | undefined, key: string): Pair<Node, Node> | undefined {
  return map?.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key)
}

function mapOf(pair: Pair<Node, Node> | undefined): YAMLMap<Node, Node> | undefined {
  return isMap(pair?.value) ? (pair.value as YAMLMap<Node, Node>) : undefined
}

function isHost(host: string): boolean {
  return host === '@' || host.split('.').every((part) => LABEL.test(part))
}

function isDomainName(name: string): boolean {
  return name.length <= 253 && name.includes('.') && name.split('.').every((p) => LABEL.test(p))
}

/** The text with the edits made; `edits` sorted by start and not overlapping. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = ''
  let at = 0
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.text
    at = edit.end
  }
  return out + text.slice(at)
}

/** The new text must be a valid config that pull leaves alone; anything else is a bug here. */
function checkCurrent(
  text: string,
  file: string,
  api: readonly PullSourceDomain[],
  options: PullConfigOptions
): void {
  let left: PullChange[]
  try {
    left = pullOnce(text, file, api, options).changes
  } catch (error) {
    throw new Error(`pull made a file it cannot read back: ${(error as Error).message}`)
  }
  const what = left.map((c) => `${c.domain} ${c.field}`).join(', ')
  if (left.length > 0) throw new Error(`pull made a file that is still not current (${what})`)
}
