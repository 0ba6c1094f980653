/**
 * What one resolver said for one record, as the report keeps it: the answer, its flags, the
 * probes that explain a miss, and a CNAME chain hop by hop. The engine's observations carry
 * the raw outcomes; this is their one translation into the report's shape.
 */
import type { Observation, Probe } from '../diagnose/types.js'
import type { DnsRecord, QueryOutcome } from '../dns/types.js'
import { normalizeName } from '../names/dns-names.js'
import type { AnswerReport, ChainHopReport, ObservationReport, RecordReport } from './report.js'

/**
 * An observation with who answered what, where that was not the resolver asked: a server of
 * another zone that a referral or a CNAME chain led to. Keys are the outcomes and the records
 * those servers gave.
 */
export type TracedObservation = Observation & {
  answeredBy?: Map<QueryOutcome | DnsRecord, string>
}

function toAnswers(records: DnsRecord[]): AnswerReport[] {
  return records.map((r) => ({ name: r.name, type: r.type, data: r.data, ttl: r.ttl }))
}

function summarizeOutcome(
  outcome: QueryOutcome
): Pick<ObservationReport, 'rcode' | 'answers' | 'error'> {
  return outcome.ok
    ? { rcode: outcome.response.rcode, answers: toAnswers(outcome.response.answers) }
    : { rcode: null, answers: [], error: outcome.error }
}

/** The report's form of one observation (its verdict is added by the caller). */
export function toObservationReport(o: TracedObservation): ObservationReport {
  const report: ObservationReport = {
    resolver: o.resolver,
    ...summarizeOutcome(o.outcome),
    authoritative: o.outcome.ok && o.outcome.response.flags.aa
  }
  const server = o.answeredBy?.get(o.outcome)
  if (server) report.server = server
  const probes = o.probes.map((p) => ({
    name: p.question.name,
    type: p.question.type,
    ...summarizeOutcome(p.outcome),
    ...(o.answeredBy?.has(p.outcome) ? { server: o.answeredBy.get(p.outcome)! } : {})
  }))
  if (probes.length > 0) report.probes = probes
  const chain = chainOf(o)
  if (chain) report.chain = chain
  return report
}

/** Hops followed at most: beyond the diagnosis' own limit, so a loop shows as one. */
const MAX_HOPS = 12

/**
 * The CNAME chain from the asked name, hop by hop, as far as the answer and the probes followed
 * it: each CNAME, then the records at its end (or, when there are none, how the end answered),
 * each with the server that gave it. Undefined when there is no chain to show: no CNAME at the
 * name, or a CNAME whose target was not asked about (a record that is right as it stands).
 */
function chainOf(o: TracedObservation): ChainHopReport[] | undefined {
  const answer = o.outcome
  if (!answer.ok) return undefined
  // Most answers have no chain: no CNAME at the name, or one CNAME not followed any further.
  const name = normalizeName(o.question.name)
  if (!answer.response.answers.some((r) => r.name === name && r.type === 'CNAME')) return undefined
  if (o.probes.length === 0 && o.question.type === 'CNAME') return undefined
  const sources: { outcome: QueryOutcome; question?: Probe['question'] }[] = [
    { outcome: answer },
    ...o.probes
  ]
  const serverOf = (outcome: QueryOutcome, record?: DnsRecord): string =>
    (record && o.answeredBy?.get(record)) ?? o.answeredBy?.get(outcome) ?? o.resolver
  const hops: ChainHopReport[] = []
  let at = name
  let inMain = true
  const visited = new Set<string>()
  while (hops.length < MAX_HOPS && !visited.has(at)) {
    visited.add(at)
    // The records at this name: from the main answer (which may hold the whole chain), else
    // from the first probe of the name that has any.
    const here = sources
      .filter((s) => s === sources[0] || normalizeName(s.question!.name) === at)
      .map((s) => ({ s, records: s.outcome.ok ? recordsAt(s.outcome, at) : [] }))
    const found = here.find((h) => h.records.length > 0)
    if (!found) {
      // The chain's end holds nothing: say how it answered, as asked by a probe, or by the main
      // question when its answer followed the chain there itself (not a CNAME question). Behind
      // a chain not followed, its end is no answer, for the reason nothing could ask there.
      const asked = here.find((h) => h.s !== sources[0])?.s
      const type = asked ? asked.question!.type : o.question.type
      const lost = o.unfollowed?.end === at && { ok: false as const, error: o.unfollowed.why }
      const end = asked?.outcome ?? (lost || answer)
      if (asked || (inMain && type !== 'CNAME')) hops.push(endHop(at, type, end, serverOf))
      break
    }
    inMain = found.s === sources[0]
    const cname = found.records.find((r) => r.type === 'CNAME')
    const shown = cname ? [cname] : found.records
    hops.push(...shown.map((r) => recordHop(r, serverOf(found.s.outcome, r))))
    if (!cname) break
    at = cname.data
  }
  const cnames = hops.filter((h) => h.type === 'CNAME').length
  return cnames > 0 && hops.length > 1 ? hops : undefined
}

function recordsAt(outcome: Extract<QueryOutcome, { ok: true }>, name: string): DnsRecord[] {
  return outcome.response.answers.filter((r) => r.name === name)
}

function recordHop(r: DnsRecord, server: string): ChainHopReport {
  return { name: r.name, type: r.type, ttl: r.ttl, data: r.data, server }
}

function endHop(
  name: string,
  type: string,
  outcome: QueryOutcome,
  serverOf: (outcome: QueryOutcome) => string
): ChainHopReport {
  return outcome.ok
    ? { name, type, server: serverOf(outcome), rcode: outcome.response.rcode }
    : { name, type, server: serverOf(outcome), rcode: null, error: outcome.error }
}

/** The observations of `resolvers` that followed a CNAME chain, for the findings that name them. */
export function chainsOf(
  record: RecordReport,
  resolvers: string[]
): (ObservationReport & { chain: ChainHopReport[] })[] {
  return record.observations.filter(
    (o): o is ObservationReport & { chain: ChainHopReport[] } =>
      o.chain !== undefined && resolvers.includes(o.resolver)
  )
}
