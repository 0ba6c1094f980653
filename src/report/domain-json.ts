// A domain's line of the JSON report, written by hand for the shapes the engine builds (issue
// 12: JSON.stringify of a passing domain was 7 % of a fleet's run). A record's three resolvers
// mostly share one answer list, which JSON.stringify writes out three times; here it is written
// once and its text reused, and the strings every domain repeats (keys, types, the expected
// values, the resolvers' names) are quoted once per run. Any object whose keys are not exactly
// the ones this file knows, in that order, and any value it does not expect, is left to
// JSON.stringify: the text is the same to the byte either way (domain-json.test holds it).

/** The fields of each object written here, in the order the engine gives them. */
const DOMAIN = [
  'domain',
  'zone',
  'line',
  'status',
  'records',
  'findings',
  'nameServers',
  'dnsHost',
  'mailtrap'
] as const
const RECORD = [
  'key',
  'type',
  'name',
  'expected',
  'source',
  'status',
  'checked',
  'findings',
  'observations'
] as const
const OBSERVATION = ['resolver', 'rcode', 'answers', 'authoritative', 'verdict'] as const
const SERVED = ['resolver', 'rcode', 'answers', 'authoritative', 'server', 'verdict'] as const
const ANSWER = ['name', 'type', 'data', 'ttl'] as const

/**
 * `JSON.stringify(domain)`, to the byte, for any value; quicker for a domain report as the
 * engine builds it.
 */
export function domainJson(domain: unknown): string | undefined {
  if (!hasKeys(domain, DOMAIN)) return JSON.stringify(domain)
  const d = domain as Record<(typeof DOMAIN)[number], unknown>
  const records = d.records
  skipped = false
  const head = `{"domain":${field(d.domain)},"zone":${field(d.zone)},"line":${field(d.line)},"status":${field(d.status)},"records":`
  const tail = `,"findings":${field(d.findings)},"nameServers":${field(d.nameServers)},"dnsHost":${field(d.dnsHost)},"mailtrap":${field(d.mailtrap)}}`
  if (skipped || !isPlainArray(records)) return JSON.stringify(domain)
  let text = head + '['
  for (let i = 0; i < records.length; i++) {
    text += (i === 0 ? '' : ',') + recordJson(records[i])
  }
  return text + ']' + tail
}

function recordJson(record: unknown): string {
  if (!hasKeys(record, RECORD)) return element(record)
  const r = record as Record<(typeof RECORD)[number], unknown>
  const observations = r.observations
  skipped = false
  const name = field(r.name)
  let text =
    kept(RECORD_HEAD, r.key, r.type, recordHead) +
    name +
    kept(RECORD_VALUE, r.expected, r.source, recordValue) +
    kept(RECORD_STATUS, r.status, r.checked, recordStatus) +
    field(r.findings) +
    ',"observations":['
  if (skipped || !isPlainArray(observations)) return element(record)
  // The answer list of the observation before, and its text: resolvers that gave the same TTL
  // share one list (check-plain.ts).
  let answers: unknown
  let answersText: string | undefined
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i] as Record<(typeof SERVED)[number], unknown>
    const served = hasKeys(o, SERVED)
    let item: string | undefined
    if (served || hasKeys(o, OBSERVATION)) {
      if (answersText === undefined || o.answers !== answers) {
        answers = o.answers
        answersText = answersJson(answers)
      }
      skipped = answersText === undefined
      item =
        kept(OBSERVATION_HEAD, o.resolver, o.rcode, observationHead) +
        answersText +
        (served
          ? `,"authoritative":${field(o.authoritative)},"server":${field(o.server)},"verdict":${field(o.verdict)}}`
          : kept(OBSERVATION_TAIL, o.authoritative, o.verdict, observationTail))
      if (skipped) item = undefined
    }
    text += (i === 0 ? '' : ',') + (item ?? element(o))
  }
  return text + ']}'
}

/** An answer list's JSON, or undefined where JSON.stringify would leave the field out. */
function answersJson(answers: unknown): string | undefined {
  if (!isPlainArray(answers)) return JSON.stringify(answers)
  let text = '['
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i] as Record<(typeof ANSWER)[number], unknown>
    let item: string | undefined
    if (hasKeys(a, ANSWER)) {
      skipped = false
      item = `{"name":${field(a.name)}${kept(ANSWER_VALUE, a.type, a.data, answerValue)},"ttl":${field(a.ttl)}}`
      if (skipped) item = undefined
    }
    text += (i === 0 ? '' : ',') + (item ?? element(a))
  }
  return text + ']'
}

// The parts of the text that repeat from domain to domain, each kept by the two values it
// holds: `{"key":"dkim1","type":"CNAME","name":` is written once per run, not once a domain.
type Kept = Map<unknown, Map<unknown, string>>
const RECORD_HEAD: Kept = new Map()
const recordHead = (key: unknown, type: unknown): string =>
  `{"key":${field(key)},"type":${field(type)},"name":`
const RECORD_VALUE: Kept = new Map()
const recordValue = (expected: unknown, source: unknown): string =>
  `,"expected":${field(expected)},"source":${field(source)}`
const RECORD_STATUS: Kept = new Map()
const recordStatus = (status: unknown, checked: unknown): string =>
  `,"status":${field(status)},"checked":${field(checked)},"findings":`
const OBSERVATION_HEAD: Kept = new Map()
const observationHead = (resolver: unknown, rcode: unknown): string =>
  `{"resolver":${field(resolver)},"rcode":${field(rcode)},"answers":`
const OBSERVATION_TAIL: Kept = new Map()
const observationTail = (authoritative: unknown, verdict: unknown): string =>
  `,"authoritative":${field(authoritative)},"verdict":${field(verdict)}}`
const ANSWER_VALUE: Kept = new Map()
const answerValue = (type: unknown, data: unknown): string =>
  `,"type":${field(type)},"data":${field(data)}`

/** At most this many texts kept in each map, and under each value: a fleet repeats a few. */
const MAX_KEPT = 256

/**
 * `make(a, b)`, kept in `cache` for the next time: only for strings, numbers and booleans,
 * which are always written (an object's text may change, undefined is left out).
 */
function kept(
  cache: Kept,
  a: unknown,
  b: unknown,
  make: (a: unknown, b: unknown) => string
): string {
  if (!primitive(a) || !primitive(b)) return make(a, b)
  let byB = cache.get(a)
  if (byB === undefined) {
    if (cache.size >= MAX_KEPT) return make(a, b)
    cache.set(a, (byB = new Map()))
  }
  let text = byB.get(b)
  if (text === undefined) {
    text = make(a, b)
    if (byB.size < MAX_KEPT) byB.set(b, text)
  }
  return text
}

const primitive = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number'

/**
 * Set when a field's value is one JSON.stringify leaves out (undefined, a function, an object
 * whose toJSON gives undefined): the object holding it is then written by JSON.stringify.
 */
let skipped = false

/** JSON of a value inside an array: JSON.stringify writes null for what it leaves out. */
function element(value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}

/** A field's value as JSON.stringify writes it; sets {@link skipped} where it writes none. */
function field(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      // Number's own text is JSON's for every finite number (and -0 is 0 either way).
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (isPlainArray(value) && value.length === 0) return '[]'
      const text = JSON.stringify(value) as string | undefined
      if (text !== undefined) return text
      break
    }
  }
  skipped = true
  return ''
}

/**
 * True when `value` is an object of Object's own prototype, without a toJSON, whose enumerable
 * keys are `keys` in that order: JSON.stringify then writes those fields, in that order.
 */
function hasKeys(value: unknown, keys: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return false
  let i = 0
  for (const key in value) {
    if (key !== keys[i++]) return false
  }
  return i === keys.length
}

/** An ordinary array without a toJSON: JSON.stringify writes its elements in order. */
function isPlainArray(value: unknown): value is unknown[] {
  return (
    Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && !('toJSON' in value)
  )
}
