import type { DnsQuestion, DnsRecord, QueryOutcome, ResolverKind } from '../dns/types.js'
import { normalizeName } from '../dns/types.js'
import { RECORD_LABELS, type ExpectedRecord } from '../records/expected.js'
import { DIAGNOSES, type DiagnosisCode, type Severity } from './codes.js'
import { FixWords, relativeName } from './dns-hosts.js'
import { isReferral, judgeFleet } from './fleet.js'
import { dmarcDifferences, isDmarc, isSpf, parseDmarc, spfIncludes } from './txt.js'

/** What one resolver answered for one expected record: the main question and any probes. */
export interface Observation {
  resolver: string
  kind: ResolverKind
  /** The resolver is a server of the zone's own NS set (not one pinned by the user). */
  listed?: boolean
  question: DnsQuestion
  outcome: QueryOutcome
  probes: { question: DnsQuestion; outcome: QueryOutcome }[]
}

/** One problem, resting on the resolvers that showed it. */
export interface Finding {
  code: DiagnosisCode
  severity: Severity
  resolvers: string[]
  message: string
  hint: string
  /** What was seen, as record text, for reports. */
  seen: string[]
  /** For `propagating`: when the last stale cached answer expires (ISO 8601). */
  expiresAt?: string
}

export type RecordStatus = 'pass' | 'warn' | 'fail' | 'unknown'

export interface RecordDiagnosis {
  status: RecordStatus
  /** False when the record could not be checked at all (its name is not known). */
  checked: boolean
  findings: Finding[]
  /** What each resolver's own answer said, in the order of the observations: the matrix. */
  verdicts: DiagnosisCode[]
}

/** One resolver's conclusion before findings are merged across resolvers. */
export type Draft = Omit<Finding, 'resolvers'>

/** What the diagnosis knows about the domain beyond one record's answers. */
export interface DiagnosisContext {
  /** The zone apex, from the SOA: where a doubled name lands, what names are relative to. */
  apex: string
  /** The domain's other expected records, to recognise swapped values. */
  siblings: ExpectedRecord[]
  /** Fixes in the words of the zone's DNS host. */
  words: FixWords
  /** When the answers were taken, to say when stale caches expire. */
  now: Date
}

/** The longest CNAME chain followed before giving up. */
const MAX_CHAIN = 8

/**
 * The extra questions that tell a plain miss from a typing mistake, asked only when the answers
 * so far do not settle the record: the name with the zone appended twice, other types at the
 * name, a DMARC record at the domain itself, the next link of a CNAME chain, the TXT a DMARC
 * CNAME points to, and the wildcards that may answer in the record's place. Called again with
 * the probes answered until it asks nothing more. Pure, so every source is asked the same.
 */
export function probesFor(
  expected: ExpectedRecord,
  apex: string,
  main: QueryOutcome,
  asked: { question: DnsQuestion; outcome: QueryOutcome }[] = []
): DnsQuestion[] {
  if (expected.name === null || !main.ok || isReferral(main)) return []
  const { rcode, answers } = main.response
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return []
  const seen = new Set(asked.map((p) => `${normalizeName(p.question.name)} ${p.question.type}`))
  const fresh = (questions: DnsQuestion[]): DnsQuestion[] =>
    questions.filter((q) => !seen.has(`${normalizeName(q.name)} ${q.type}`))
  const wildcards = (type: string): DnsQuestion[] =>
    wildcardNames(expected.name!, apex).map((name) => ({ name, type }))
  const owned = answers.filter((r) => r.name === expected.name)
  const doubled = { name: `${expected.name}.${apex}`, type: expected.type }
  const cname = owned.find((r) => r.type === 'CNAME')
  // A wildcard answers for the doubled name too: ask the wildcards above it before believing it.
  const doubledAnswered = asked.some(
    (p) =>
      normalizeName(p.question.name) === doubled.name &&
      p.outcome.ok &&
      p.outcome.response.answers.some((r) => r.name === doubled.name)
  )
  const doubledWildcards = doubledAnswered
    ? wildcardNames(doubled.name, apex).map((name) => ({ name, type: expected.type }))
    : []

  if (expected.type === 'TXT') {
    if (expected.key === 'spf') return []
    if (cname) {
      const end = chainEnd(answers, expected.name)
      return answers.some((r) => r.name === end && r.type === 'TXT')
        ? []
        : fresh([{ name: end, type: 'TXT' }])
    }
    if (owned.length > 0) {
      // A DMARC record that is Mailtrap's settles it; anything else may come from a wildcard.
      const settled = owned.some((r) => r.type === 'TXT' && dmarcMatches(r.data, expected.value))
      return settled ? [] : fresh(wildcards('TXT'))
    }
    return fresh([doubled, { name: domainOf(expected), type: 'TXT' }, ...doubledWildcards])
  }
  if (!cname) {
    const addressed = asked.some(
      (p) =>
        (p.question.type === 'A' || p.question.type === 'AAAA') &&
        p.outcome.ok &&
        p.outcome.response.answers.some(
          (r) => r.name === expected.name && r.type === p.question.type
        )
    )
    return fresh([
      doubled,
      { name: expected.name, type: 'TXT' },
      { name: expected.name, type: 'A' },
      { name: expected.name, type: 'AAAA' },
      ...doubledWildcards,
      ...(addressed ? wildcards('A') : [])
    ])
  }
  const chain = followChain(cname.data, asked)
  const last = chain[chain.length - 1]!
  if (last === expected.value || isSuffixed(cname.data, expected, apex) || chain.length > MAX_CHAIN)
    return []
  return fresh([{ name: last, type: 'CNAME' }, ...wildcards('CNAME')])
}

/** `*.` + every ancestor of `name` from its parent up to the zone apex. */
function wildcardNames(name: string, apex: string): string[] {
  const names: string[] = []
  let parent = name.slice(name.indexOf('.') + 1)
  while (parent.length >= apex.length && (parent === apex || parent.endsWith(`.${apex}`))) {
    names.push(`*.${parent}`)
    if (parent === apex) break
    parent = parent.slice(parent.indexOf('.') + 1)
  }
  return names
}

/** The end of the CNAME chain that starts at `name`, within one answer. */
function chainEnd(answers: DnsRecord[], name: string): string {
  let at = name
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = answers.find((r) => r.name === at && r.type === 'CNAME')
    if (!next) break
    at = next.data
  }
  return at
}

/** The sending domain of an expected record: its name without its host. */
function domainOf(expected: ExpectedRecord & { name: string | null }): string {
  const name = expected.name!
  return expected.host && expected.host !== '@' ? name.slice(expected.host.length + 1) : name
}

/** Sending providers whose records, left at Mailtrap's names, are another provider's leftovers. */
const PROVIDERS: [RegExp, string][] = [
  [/(^|\.)sendgrid\.net$/, 'SendGrid'],
  [/(^|\.)mailgun\.(org|net|com)$/, 'Mailgun'],
  [/(^|\.)amazonses\.com$/, 'Amazon SES'],
  [/(^|\.)mandrillapp\.com$/, 'Mandrill'],
  [/(^|\.)mcsv\.net$/, 'Mailchimp'],
  [/(^|\.)sparkpostmail\.com$/, 'SparkPost'],
  [/(^|\.)mtasv\.net$|(^|\.)postmarkapp\.com$/, 'Postmark'],
  [/(^|\.)(sendinblue|brevo)\.com$/, 'Brevo'],
  [/(^|\.)zoho(mail)?\.(com|eu)$/, 'Zoho'],
  [/(^|\.)hubspotemail\.net$/, 'HubSpot'],
  [/(^|\.)mailjet\.com$/, 'Mailjet'],
  [/(^|\.)resend\.(com|dev)$/, 'Resend']
]

/** The sending provider a CNAME target belongs to, when it is one Mailtrap replaces. */
function otherProvider(target: string): string | undefined {
  return PROVIDERS.find(([pattern]) => pattern.test(target))?.[1]
}

/** A record that mentions v=DMARC1 anywhere: what its author meant as DMARC. */
function mentionsDmarc(text: string): boolean {
  return /(^|;)\s*v\s*=\s*dmarc1\s*(;|$)/i.test(text)
}

/**
 * The wildcard that answers for `name` with the data seen, when one does: then nothing exists
 * at the name itself, and the fix is to add the record, not to edit one.
 */
function answeringWildcard(
  o: Observation,
  name: string,
  apex: string,
  type: string,
  data: string[]
): string | undefined {
  for (const wildcard of wildcardNames(name, apex)) {
    const found = probeAnswers(o, wildcard, type).map((r) => r.data)
    if (found.length > 0 && data.every((d) => found.includes(d))) return wildcard
  }
  return undefined
}

/** The CNAME targets from `first` on, as far as the probes have followed them. */
function followChain(
  first: string,
  asked: { question: DnsQuestion; outcome: QueryOutcome }[]
): string[] {
  const chain = [first]
  for (let i = 0; i < MAX_CHAIN; i++) {
    const at = chain[chain.length - 1]!
    const probe = asked.find(
      (p) => p.question.type === 'CNAME' && normalizeName(p.question.name) === at
    )
    const next =
      probe?.outcome.ok &&
      probe.outcome.response.answers.find((r) => r.type === 'CNAME' && r.name === at)
    if (!next || chain.includes(next.data)) break
    chain.push(next.data)
  }
  return chain
}

function isSuffixed(target: string, expected: ExpectedRecord, apex: string): boolean {
  const domain =
    expected.host && expected.name ? expected.name.slice(expected.host.length + 1) : apex
  return [apex, domain].some((suffix) => target === `${expected.value}.${suffix}`)
}

/**
 * Compare one expected record with what every resolver answered, and reach one verdict across
 * the fleet (see fleet.ts). Pure: plain data in, plain data out.
 */
export function diagnoseRecord(
  expected: ExpectedRecord,
  observations: Observation[],
  context: DiagnosisContext
): RecordDiagnosis {
  const { name } = expected
  if (name === null) {
    return {
      status: 'unknown',
      checked: false,
      verdicts: [],
      findings: [
        {
          code: 'unconfigured',
          severity: 'notice',
          resolvers: [],
          message:
            'The host of the verification CNAME is chosen by Mailtrap for each domain and is not known here.',
          hint: 'Set `verification: mtNN` for this domain in domains.yaml: the host of the "Domain verification" CNAME on the domain\'s page in Mailtrap.',
          seen: []
        }
      ]
    }
  }
  const drafts = observations.map((o) => ({
    observation: o,
    draft: diagnoseOne({ ...expected, name }, o, context)
  }))
  return { checked: true, ...judgeFleet(name, drafts, context.now) }
}

export function draft(
  code: DiagnosisCode,
  message: string,
  hint: string,
  seen: string[] = [],
  severity: Severity = DIAGNOSES[code].severity
): Draft {
  return { code, severity, message, hint, seen }
}

type Named = ExpectedRecord & { name: string }

/** What one resolver's answers say about one record. */
function diagnoseOne(expected: Named, o: Observation, context: DiagnosisContext): Draft {
  const inconclusive = whyInconclusive(o.resolver, o.outcome)
  if (inconclusive) {
    return draft(
      'unknown',
      inconclusive,
      'Check that this resolver is reachable from here, then run the check again.'
    )
  }
  const response = (o.outcome as Extract<QueryOutcome, { ok: true }>).response
  const atName = response.answers.filter((r) => r.name === expected.name)
  if (expected.type === 'CNAME') return diagnoseCname(expected, o, atName, response.rcode, context)
  return diagnoseTxt(expected, o, response.answers, atName, response.rcode, context)
}

function whyInconclusive(resolver: string, outcome: QueryOutcome): string | undefined {
  if (!outcome.ok) return outcome.error
  if (isReferral(outcome)) {
    const servers = outcome.response.authority.filter((r) => r.type === 'NS').map((r) => r.data)
    const cut = outcome.response.authority.find((r) => r.type === 'NS')?.name
    return `${resolver} does not hold this name: ${cut} is delegated to ${servers.join(', ')}, which hold its records.`
  }
  const { rcode } = outcome.response
  if (rcode === 'NOERROR' || rcode === 'NXDOMAIN') return undefined
  return `${resolver} answered ${rcode}, which says nothing about the record.`
}

function probeAnswers(o: Observation, name: string, type: string): DnsRecord[] {
  const probe = o.probes.find(
    (p) => normalizeName(p.question.name) === name && p.question.type === type
  )
  if (!probe || !probe.outcome.ok) return []
  return probe.outcome.response.answers.filter((r) => r.name === name && r.type === type)
}

function missingText(name: string, rcode: string): string {
  return rcode === 'NXDOMAIN'
    ? `${name} does not exist (NXDOMAIN)`
    : `${name} has no such record (NODATA)`
}

function show(records: DnsRecord[]): string[] {
  return records.map((r) => `${r.name} ${r.type} ${r.data}`)
}

/** A CNAME beside other data: RFC 1034 3.6.2 forbids it, and resolvers then answer either. */
function conflictDraft(
  expected: Named,
  cname: DnsRecord,
  others: DnsRecord[],
  context: DiagnosisContext
): Draft {
  const types = [...new Set(others.map((r) => r.type))].join(', ')
  return draft(
    'conflict',
    `${expected.name} has a CNAME to ${cname.data} and also ${types} data (${others.map((r) => `${r.type} ${r.data}`).join(', ')}): a CNAME must stand alone at its name (RFC 1034 3.6.2), so servers refuse or answer at random.`,
    `Delete the ${types} record(s) at \`${relativeName(expected.name, context.apex)}\` and keep only ${expected.type === 'CNAME' ? 'the CNAME' : 'the TXT record; delete the CNAME too'}.`,
    show([cname, ...others])
  )
}

function diagnoseCname(
  expected: Named,
  o: Observation,
  atName: DnsRecord[],
  rcode: string,
  context: DiagnosisContext
): Draft {
  const { words, apex } = context
  const cname = atName.find((r) => r.type === 'CNAME')
  const add = words.add('CNAME', expected.name, expected.value)
  if (cname) {
    const others = atName.filter((r) => r.type !== 'CNAME')
    if (others.length > 0) return conflictDraft(expected, cname, others, context)
    const target = cname.data
    if (target === expected.value)
      return draft('ok', `${expected.name} is a CNAME to ${target}.`, '', [target])
    if (isSuffixed(target, expected, apex)) {
      return draft(
        'value-suffixed',
        `${expected.name} points to ${target}: the zone was appended to the target ${expected.value}.`,
        `Edit the CNAME and enter ${words.target(expected.value)}.`,
        [target]
      )
    }
    const wildcard = answeringWildcard(o, expected.name, apex, 'CNAME', [target])
    if (wildcard) return fromWildcard(expected, wildcard, `CNAME ${target}`, rcode, add)
    const swapped = context.siblings.find(
      (s) =>
        s.key !== expected.key &&
        s.type === 'CNAME' &&
        (s.value === target || isSuffixed(target, { ...expected, value: s.value }, apex))
    )
    if (swapped) {
      const suffixed = swapped.value !== target ? ', and the zone was appended to the target' : ''
      return draft(
        'wrong-value',
        `${expected.name} points to ${target}, the target of ${RECORD_LABELS[swapped.key]}: the two records are swapped${suffixed}.`,
        `Set the target of \`${relativeName(expected.name, apex)}\` to ${words.target(expected.value)}.`,
        [target]
      )
    }
    const chain = followChain(target, o.probes)
    if (chain.includes(expected.name)) {
      return draft(
        'wrong-value',
        `${expected.name} is a CNAME to ${target}, which leads back to it (${[expected.name, ...chain].join(' → ')}): a loop, which resolvers answer with SERVFAIL.`,
        `Edit the CNAME at \`${relativeName(expected.name, apex)}\` and enter ${words.target(expected.value)}.`,
        [target]
      )
    }
    if (chain.length > 1 && chain[chain.length - 1] === expected.value) {
      return draft(
        'cname-chain',
        `${expected.name} reaches ${expected.value} only through a chain of CNAMEs (${[expected.name, ...chain].join(' → ')}); Mailtrap expects the CNAME to point at it directly.`,
        `Edit the CNAME at \`${relativeName(expected.name, apex)}\` and enter ${words.target(expected.value)}.`,
        [target]
      )
    }
    const provider = otherProvider(target)
    if (provider) {
      return draft(
        'conflict',
        `${expected.name} is a CNAME to ${target}, a record of ${provider}, where Mailtrap's CNAME belongs: a leftover of the previous provider.`,
        `Edit the CNAME at \`${relativeName(expected.name, apex)}\` and enter ${words.target(expected.value)} (if ${provider} still sends for the domain, it keeps its own records under its own names).`,
        [target]
      )
    }
    return draft(
      'wrong-value',
      `${expected.name} is a CNAME to ${target}, not to ${expected.value}.`,
      `Edit the CNAME at \`${relativeName(expected.name, apex)}\` and enter ${words.target(expected.value)}.`,
      [target]
    )
  }
  const doubledName = `${expected.name}.${apex}`
  const doubled = probeAnswers(o, doubledName, 'CNAME')[0]
  if (doubled && !answeringWildcard(o, doubledName, apex, 'CNAME', [doubled.data])) {
    const alsoWrong =
      doubled.data === expected.value
        ? ''
        : ` (and its target, ${doubled.data}, is not ${expected.value})`
    return draft(
      'doubled-name',
      `The CNAME is at ${doubledName}, not at ${expected.name}: the full name was typed where only the part before ${apex} belongs, so ${apex} was appended again${alsoWrong}.`,
      `Delete the record \`${relativeName(doubledName, apex)}\`. ${add}`,
      show([doubled])
    )
  }
  const txt = probeAnswers(o, expected.name, 'TXT')
  if (txt.length > 0) {
    const leftover = txt.find(
      (r) => /^v=dkim1\b/i.test(r.data.trim()) || /verification|verify/i.test(r.data)
    )
    if (leftover) {
      return draft(
        'conflict',
        `${expected.name} holds a TXT record of another provider (${leftover.data.slice(0, 60)}${leftover.data.length > 60 ? '…' : ''}) where Mailtrap's CNAME belongs.`,
        `Delete the old TXT record at \`${relativeName(expected.name, apex)}\` (a CNAME cannot stand beside it). ${add}`,
        show(txt)
      )
    }
    const typedAsText = txt.some(
      (r) => normalizeName(r.data.replace(/"/g, '').trim()) === expected.value
    )
    return draft(
      'wrong-type',
      typedAsText
        ? `${expected.name} is a TXT record holding ${expected.value}: the target was entered as a TXT record, where a CNAME belongs.`
        : `${expected.name} holds TXT ${txt.map((r) => `"${r.data}"`).join(', ')} where a CNAME belongs.`,
      `Delete the TXT record at \`${relativeName(expected.name, apex)}\`. ${add}`,
      show(txt)
    )
  }
  const addresses = [
    ...probeAnswers(o, expected.name, 'A'),
    ...probeAnswers(o, expected.name, 'AAAA')
  ]
  if (addresses.length > 0) {
    const wildcard = answeringWildcard(
      o,
      expected.name,
      apex,
      'A',
      addresses.filter((r) => r.type === 'A').map((r) => r.data)
    )
    if (wildcard)
      return fromWildcard(
        expected,
        wildcard,
        addresses.map((r) => `${r.type} ${r.data}`).join(', '),
        rcode,
        add
      )
    return draft(
      'proxied',
      `${expected.name} answers ${addresses.map((r) => `${r.type} ${r.data}`).join(', ')} instead of a CNAME: the CNAME is flattened or proxied, or an address record stands in its place.`,
      `${words.proxy()} If it is an A/AAAA record instead, delete it; ${add.charAt(0).toLowerCase()}${add.slice(1)}`,
      show(addresses)
    )
  }
  return draft('missing', `${missingText(expected.name, rcode)}.`, add)
}

function diagnoseTxt(
  expected: Named,
  o: Observation,
  answers: DnsRecord[],
  atName: DnsRecord[],
  rcode: string,
  context: DiagnosisContext
): Draft {
  const { words, apex } = context
  const add = words.add('TXT', expected.name, expected.value)
  const cname = atName.find((r) => r.type === 'CNAME')
  if (cname) {
    const others = atName.filter((r) => r.type !== 'CNAME')
    if (others.length > 0) return conflictDraft(expected, cname, others, context)
    const delegated =
      expected.key === 'dmarc' ? throughCname(expected, o, answers, add, context) : undefined
    if (delegated) return delegated
    return draft(
      'wrong-type',
      `${expected.name} is a CNAME to ${cname.data} where a TXT record belongs.`,
      `Delete the CNAME at \`${relativeName(expected.name, apex)}\`. ${add}`,
      show([cname])
    )
  }
  const txt = answers.filter((r) => r.name === expected.name && r.type === 'TXT')
  if (txt.length === 0) {
    const doubledName = `${expected.name}.${apex}`
    const doubled = probeAnswers(o, doubledName, 'TXT')
    const synthesised = answeringWildcard(
      o,
      doubledName,
      apex,
      'TXT',
      doubled.map((r) => r.data)
    )
    if (doubled.length > 0 && !synthesised) {
      return draft(
        'doubled-name',
        `The TXT record is at ${doubledName}, not at ${expected.name}: the full name was typed where only the part before ${apex} belongs, so ${apex} was appended again.`,
        `Delete the record \`${relativeName(doubledName, apex)}\`. ${add}`,
        show(doubled)
      )
    }
    const domain = domainOf(expected)
    const atDomain =
      expected.key === 'dmarc'
        ? probeAnswers(o, domain, 'TXT').filter((r) => mentionsDmarc(r.data))
        : []
    if (atDomain.length > 0) {
      return draft(
        'missing',
        `${missingText(expected.name, rcode)}; a DMARC record sits at ${domain} itself, where receivers never look for it.`,
        `Delete the DMARC TXT record at \`${relativeName(domain, apex)}\`. ${add}`,
        show(atDomain)
      )
    }
    return draft('missing', `${missingText(expected.name, rcode)}.`, add)
  }
  if (expected.key !== 'spf' && !txt.some((r) => mentionsDmarc(r.data))) {
    const wildcard = answeringWildcard(
      o,
      expected.name,
      apex,
      'TXT',
      txt.map((r) => r.data)
    )
    if (wildcard)
      return fromWildcard(
        expected,
        wildcard,
        txt.map((r) => `TXT "${r.data}"`).join(', '),
        rcode,
        add
      )
  }
  if (expected.key === 'spf') return judgeSpf(expected, txt, add, context)
  const judged = judgeDmarc(expected, txt, add, context)
  const wildcard =
    judged.code !== 'ok' &&
    answeringWildcard(
      o,
      expected.name,
      apex,
      'TXT',
      txt.map((r) => r.data)
    )
  if (!wildcard) return judged
  return {
    ...judged,
    message: `${judged.message} It comes from the wildcard ${wildcard}: there is no TXT record at ${expected.name} itself.`,
    hint: add
  }
}

/** A TXT that is a DMARC record saying what `expected` says, by its tags. */
function dmarcMatches(text: string, expected: string): boolean {
  const have = parseDmarc(text)
  const want = parseDmarc(expected)
  return have.ok && want.ok && dmarcDifferences(have.tags, want.tags).length === 0
}

/** Nothing at the name: a wildcard answers in its place, so the record is to be added. */
function fromWildcard(
  expected: Named,
  wildcard: string,
  seen: string,
  rcode: string,
  add: string
): Draft {
  return draft(
    'missing',
    `There is no ${expected.type} record at ${expected.name}: the wildcard ${wildcard} answers for it (${seen}).`,
    add,
    [`${wildcard} ${seen}`]
  )
}

/**
 * DMARC published through a CNAME (a DMARC service, or a record shared between domains):
 * receivers follow it, so the TXT at its end is judged; Mailtrap expects the TXT itself.
 * Undefined when no DMARC record is at the end of the chain.
 */
function throughCname(
  expected: Named,
  o: Observation,
  answers: DnsRecord[],
  add: string,
  context: DiagnosisContext
): Draft | undefined {
  const end = chainEnd(answers, expected.name)
  const txt = [
    ...answers.filter((r) => r.name === end && r.type === 'TXT'),
    ...probeAnswers(o, end, 'TXT')
  ]
  if (!txt.some((r) => mentionsDmarc(r.data))) return undefined
  const judged = judgeDmarc(expected, txt, add, context)
  const via = `${expected.name} is a CNAME to ${end}`
  if (judged.code !== 'ok') return { ...judged, message: `${via}: ${judged.message}` }
  return draft(
    'cname-chain',
    `${via}, whose DMARC record is Mailtrap's: receivers follow the CNAME, but Mailtrap expects the TXT record at ${expected.name} itself.`,
    `Replace the CNAME at \`${relativeName(expected.name, context.apex)}\` with the TXT record: ${add.charAt(0).toLowerCase()}${add.slice(1)}`,
    show(txt)
  )
}

/**
 * A TXT record that is the expected kind (DMARC, SPF) once its literal quote characters are
 * removed: the quotes were pasted into a form that adds its own. `value` is what to enter
 * instead (the record's own text unquoted when undefined).
 */
function quotedValue(
  expected: Named,
  txt: DnsRecord[],
  recognise: (text: string) => boolean,
  value: string | undefined,
  context: DiagnosisContext
): Draft | undefined {
  const quoted = txt.find((r) => r.data.includes('"') && recognise(r.data.replace(/"/g, '')))
  if (!quoted) return undefined
  return draft(
    'quoted-value',
    `The TXT record at ${expected.name} holds literal quote characters: ${quoted.data}`,
    `Edit the TXT record at \`${relativeName(expected.name, context.apex)}\` and enter ${context.words.text(value ?? quoted.data.replace(/"/g, ''))}.`,
    show(txt)
  )
}

function judgeDmarc(
  expected: Named,
  txt: DnsRecord[],
  add: string,
  context: DiagnosisContext
): Draft {
  const seen = show(txt)
  const label = relativeName(expected.name, context.apex)
  const quoted = quotedValue(expected, txt, isDmarc, expected.value, context)
  if (quoted) return quoted
  const dmarc = txt.filter((r) => isDmarc(r.data))
  if (dmarc.length > 1) {
    return draft(
      'duplicate',
      `${dmarc.length} DMARC records at ${expected.name}: with more than one, receivers apply none (RFC 7489 6.6.3).`,
      `Delete all but one TXT record at \`${label}\`; keep \`${expected.value}\`.`,
      seen
    )
  }
  // A record that mentions v=DMARC1, but not first, is what its author meant as DMARC: say why
  // receivers ignore it rather than that there is none.
  const [record] =
    dmarc.length > 0 ? dmarc : txt.filter((r) => /(^|;)\s*v\s*=\s*dmarc1\s*(;|$)/i.test(r.data))
  if (!record) {
    return draft(
      'wrong-value',
      `${expected.name} has TXT ${txt.map((r) => `"${r.data}"`).join(', ')} but no DMARC record (v=DMARC1).`,
      add,
      seen
    )
  }
  const parsed = parseDmarc(record.data)
  if (!parsed.ok) {
    return draft(
      'wrong-value',
      `The DMARC record at ${expected.name} is malformed, so receivers ignore it: ${parsed.problems.join('; ')}.`,
      `Edit the TXT record at \`${label}\` and enter ${context.words.text(expected.value)}.`,
      seen
    )
  }
  const want = parseDmarc(expected.value)
  const differences = want.ok ? dmarcDifferences(parsed.tags, want.tags) : ['its text differs']
  if (differences.length === 0) return draft('ok', `DMARC at ${expected.name} matches.`, '', seen)
  return draft(
    'dmarc-differs',
    `The DMARC record at ${expected.name} is valid but not Mailtrap's: ${differences.join('; ')}.`,
    `If the policy is yours on purpose, pin it in domains.yaml (\`records: { dmarc: { value: "..." } }\`); else edit the TXT record at \`${label}\` and enter ${context.words.text(expected.value)}.`,
    seen
  )
}

function judgeSpf(
  expected: Named,
  txt: DnsRecord[],
  add: string,
  context: DiagnosisContext
): Draft {
  const seen = show(txt)
  const quoted = quotedValue(expected, txt, isSpf, undefined, context)
  if (quoted) return quoted
  const spf = txt.filter((r) => isSpf(r.data))
  if (spf.length > 1) {
    return draft(
      'duplicate',
      `${spf.length} SPF records at ${expected.name}: with more than one, SPF checks fail with a permanent error (RFC 7208 4.5).`,
      'Merge them into one `v=spf1` record that holds every `include:`, and delete the others.',
      seen
    )
  }
  const [record] = spf
  if (!record) return draft('missing', `${expected.name} has no SPF record (v=spf1).`, add, seen)
  if (spfIncludes(record.data, expected.value))
    return draft('ok', `SPF at ${expected.name} includes Mailtrap.`, '', seen)
  return draft(
    'wrong-value',
    `The SPF record at ${expected.name} is "${record.data}" and lacks what "${expected.value}" includes.`,
    'Add the missing `include:` terms to the existing `v=spf1` record, before its `all` term.',
    seen
  )
}
