import type { DnsQuestion, DnsRecord, QueryOutcome, ResolverKind } from '../dns/types.js'
import { normalizeName } from '../dns/types.js'
import type { ExpectedRecord } from '../records/expected.js'
import { DIAGNOSES, type DiagnosisCode, type Severity } from './codes.js'
import { judgeFleet } from './fleet.js'
import { dmarcEquals, isDmarc, isSpf, spfIncludes } from './txt.js'

/** What one resolver answered for one expected record: the main question and any probes. */
export interface Observation {
  resolver: string
  kind: ResolverKind
  question: DnsQuestion
  outcome: QueryOutcome
  probes: { question: DnsQuestion; outcome: QueryOutcome }[]
}

/** One problem (or the all-clear), resting on the resolvers that showed it. */
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

/**
 * The extra questions that tell a plain miss from a typing mistake, asked only when the main
 * answer did not settle the record: the name with the zone appended twice, and other types
 * at the name. Pure, so the engine and the offline source ask exactly the same.
 */
export function probesFor(
  expected: ExpectedRecord,
  zone: string,
  main: QueryOutcome
): DnsQuestion[] {
  if (expected.name === null || !main.ok) return []
  const { rcode } = main.response
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return []
  const owned = main.response.answers.filter((r) => r.name === expected.name)
  if (owned.length > 0) return []
  const doubled = { name: `${expected.name}.${zone}`, type: expected.type }
  if (expected.type === 'TXT') return [doubled]
  return [
    doubled,
    { name: expected.name, type: 'TXT' },
    { name: expected.name, type: 'A' },
    { name: expected.name, type: 'AAAA' }
  ]
}

/**
 * Compare one expected record with what every resolver answered, and reach one verdict across
 * the fleet (see fleet.ts). Pure: plain data in, plain data out; `now` is the time the answers
 * were taken, for saying when stale caches expire.
 */
export function diagnoseRecord(
  expected: ExpectedRecord,
  zone: string,
  observations: Observation[],
  now: Date = new Date(0)
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
    draft: diagnoseOne({ ...expected, name }, zone, o)
  }))
  return { checked: true, ...judgeFleet(name, drafts, now) }
}

export function draft(
  code: DiagnosisCode,
  message: string,
  hint: string,
  seen: string[] = []
): Draft {
  return { code, severity: DIAGNOSES[code].severity, message, hint, seen }
}

/** What one resolver's answers say about one record. */
function diagnoseOne(
  expected: ExpectedRecord & { name: string },
  zone: string,
  o: Observation
): Draft {
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
  return expected.type === 'CNAME'
    ? diagnoseCname(expected, zone, o, atName, response.rcode)
    : diagnoseTxt(expected, zone, o, response.answers, atName, response.rcode)
}

function whyInconclusive(resolver: string, outcome: QueryOutcome): string | undefined {
  if (!outcome.ok) return outcome.error
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

function diagnoseCname(
  expected: ExpectedRecord & { name: string },
  zone: string,
  o: Observation,
  atName: DnsRecord[],
  rcode: string
): Draft {
  const cnames = atName.filter((r) => r.type === 'CNAME')
  const target = cnames[0]?.data
  const add = `Add a CNAME record: name \`${expected.host}\`, target \`${expected.value}\`.`
  if (target !== undefined) {
    if (target === expected.value)
      return draft('ok', `${expected.name} is a CNAME to ${target}.`, '', [target])
    for (const suffix of new Set([zone, expected.name.slice(expected.host!.length + 1)])) {
      if (target === `${expected.value}.${suffix}`) {
        return draft(
          'value-suffixed',
          `${expected.name} points to ${target}: the zone ${suffix} was appended to the target ${expected.value}.`,
          `Set the target to \`${expected.value}.\` with a trailing dot, so the DNS host does not append the zone.`,
          [target]
        )
      }
    }
    return draft(
      'wrong-value',
      `${expected.name} is a CNAME to ${target}, not to ${expected.value}.`,
      `Change the CNAME target of \`${expected.host}\` to \`${expected.value}\`.`,
      [target]
    )
  }
  const doubledName = `${expected.name}.${zone}`
  const doubled = probeAnswers(o, doubledName, 'CNAME')[0]
  if (doubled) {
    return draft(
      'doubled-name',
      `The CNAME is at ${doubledName}, not at ${expected.name}: the zone ${zone} was appended to a full name.`,
      `Delete it and create it again with only \`${relativeTo(expected.name, zone)}\` in the name field (the DNS host appends ${zone} itself), target \`${expected.value}\`.`,
      [`${doubledName} CNAME ${doubled.data}`]
    )
  }
  const txt = probeAnswers(o, expected.name, 'TXT')
  if (txt.length > 0) {
    return draft(
      'wrong-type',
      `${expected.name} holds TXT ${quoteList(txt)} where a CNAME belongs.`,
      `Delete the TXT record at \`${expected.host}\`. ${add}`,
      txt.map((r) => `TXT ${r.data}`)
    )
  }
  const addresses = [
    ...probeAnswers(o, expected.name, 'A'),
    ...probeAnswers(o, expected.name, 'AAAA')
  ]
  if (addresses.length > 0) {
    return draft(
      'proxied',
      `${expected.name} answers ${addresses.map((r) => `${r.type} ${r.data}`).join(', ')} instead of a CNAME: the CNAME is flattened or proxied.`,
      `Make the record a plain CNAME to \`${expected.value}\` with proxying or flattening off (Cloudflare: Proxy status "DNS only").`,
      addresses.map((r) => `${r.type} ${r.data}`)
    )
  }
  return draft('missing', `${missingText(expected.name, rcode)}.`, add)
}

function diagnoseTxt(
  expected: ExpectedRecord & { name: string },
  zone: string,
  o: Observation,
  answers: DnsRecord[],
  atName: DnsRecord[],
  rcode: string
): Draft {
  const cname = atName.find((r) => r.type === 'CNAME')
  const add = `Add a TXT record: name \`${expected.host}\`, value \`${expected.value}\`.`
  if (cname) {
    return draft(
      'wrong-type',
      `${expected.name} is a CNAME to ${cname.data} where a TXT record belongs.`,
      `Delete the CNAME at \`${expected.host}\`. ${add}`,
      [`CNAME ${cname.data}`]
    )
  }
  const txt = answers.filter((r) => r.name === expected.name && r.type === 'TXT')
  if (txt.length === 0) {
    const doubledName = `${expected.name}.${zone}`
    const doubled = probeAnswers(o, doubledName, 'TXT')
    if (doubled.length > 0) {
      return draft(
        'doubled-name',
        `The TXT record is at ${doubledName}, not at ${expected.name}: the zone ${zone} was appended to a full name.`,
        `Delete it and create it again with only \`${relativeTo(expected.name, zone)}\` in the name field (the DNS host appends ${zone} itself).`,
        doubled.map((r) => `${doubledName} TXT ${r.data}`)
      )
    }
    return draft('missing', `${missingText(expected.name, rcode)}.`, add)
  }
  return expected.key === 'spf' ? judgeSpf(expected, txt, add) : judgeDmarc(expected, txt, add)
}

function judgeDmarc(
  expected: ExpectedRecord & { name: string },
  txt: DnsRecord[],
  add: string
): Draft {
  const seen = txt.map((r) => r.data)
  const quoted = txt.find((r) => r.data.includes('"') && isDmarc(unquote(r.data)))
  if (quoted) {
    return draft(
      'quoted-value',
      `The TXT record at ${expected.name} holds literal quote characters: ${quoted.data}`,
      `Edit the value and remove the quote characters; enter \`${expected.value}\` as it is (the DNS host adds the quoting).`,
      seen
    )
  }
  const dmarc = txt.filter((r) => isDmarc(r.data))
  if (dmarc.length > 1) {
    return draft(
      'duplicate',
      `${dmarc.length} DMARC records at ${expected.name}: with more than one, receivers apply none (RFC 7489 6.6.3).`,
      `Delete all but one TXT record at \`${expected.host}\`; keep \`${expected.value}\`.`,
      seen
    )
  }
  const [record] = dmarc
  if (!record) {
    return draft(
      'wrong-value',
      `${expected.name} has TXT ${quoteList(txt)} but no DMARC record (v=DMARC1).`,
      add,
      seen
    )
  }
  if (dmarcEquals(record.data, expected.value))
    return draft('ok', `DMARC at ${expected.name} matches.`, '', seen)
  return draft(
    'wrong-value',
    `The DMARC record at ${expected.name} is "${record.data}", not "${expected.value}".`,
    `Change the TXT value at \`${expected.host}\` to \`${expected.value}\`.`,
    seen
  )
}

function judgeSpf(
  expected: ExpectedRecord & { name: string },
  txt: DnsRecord[],
  add: string
): Draft {
  const seen = txt.map((r) => r.data)
  const spf = txt.filter((r) => isSpf(r.data))
  if (spf.length > 1) {
    return draft(
      'duplicate',
      `${spf.length} SPF records at ${expected.name}: with more than one, SPF checks fail with a permanent error (RFC 7208 4.5).`,
      'Merge them into one `v=spf1` record that holds every `include:`.',
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

function relativeTo(name: string, zone: string): string {
  return name === zone ? '@' : name.slice(0, -(zone.length + 1))
}

function quoteList(records: DnsRecord[]): string {
  return records.map((r) => `"${r.data}"`).join(', ')
}

function unquote(text: string): string {
  return text.replace(/"/g, '').trim()
}
