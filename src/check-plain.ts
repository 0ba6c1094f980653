// The healthy fleet's path through the engine (issue 12): a domain's answers kept for its own
// check, and a record every resolver answered plainly right reported without the diagnosis.
import { answeredBy, delegationOf } from './dns/authoritative.js'
import type { DnsQuestion, QueryOutcome, Resolver } from './dns/types.js'
import { isPlainPass, plainDiagnosis } from './diagnose/plain.js'
import type { RecordDiagnosis } from './diagnose/types.js'
import type { ExpectedRecord } from './records/expected.js'
import { reportFinding } from './report/findings.js'
import type { FixWords } from './report/fix-words.js'
import type { AnswerReport, ObservationReport, RecordReport } from './report/report.js'
import { NONE } from './report/slim.js'

/**
 * `resolver` with its answers kept for this object's life: one domain's check. `asked` are
 * questions already put to `resolver` and their outcomes, kept as if asked through the memo.
 */
export function memoized(
  resolver: Resolver,
  asked: readonly (readonly [DnsQuestion, Promise<QueryOutcome>])[] = []
): Resolver {
  // By type, then name: no key string built per question (a fleet asks 150,000 of them).
  const answers = new Map<string, Map<string, Promise<QueryOutcome>>>()
  for (const [question, outcome] of asked) {
    let byName = answers.get(question.type)
    if (!byName) answers.set(question.type, (byName = new Map()))
    if (!byName.has(question.name)) byName.set(question.name, outcome)
  }
  const memo: Resolver = Object.create(resolver) as Resolver
  memo.query = (question) => {
    let byName = answers.get(question.type)
    if (!byName) answers.set(question.type, (byName = new Map()))
    let outcome = byName.get(question.name)
    if (!outcome) {
      outcome = resolver.query(question)
      byName.set(question.name, outcome)
    }
    return outcome
  }
  return memo
}

/**
 * The report of a record every resolver answered plainly right, or undefined when one did not.
 * Most of a healthy fleet's records: built straight in the report's shape, the fields in the
 * order check.ts's recordReport and toObservationReport give them (check-plain.test holds it
 * to them), without what a plain answer lacks (an error, probes, a chain), one answer list
 * shared by the resolvers that gave the same TTL.
 */
export function plainReport(
  expected: ExpectedRecord,
  resolvers: Resolver[],
  outcomes: QueryOutcome[],
  words: FixWords
): RecordReport | undefined {
  // No resolver asked is no answer: never a pass (discovery may find no server at all).
  if (outcomes.length === 0) return undefined
  for (let i = 0; i < outcomes.length; i++) {
    const resolver = resolvers[i]!
    if (!isPlainPass(expected, outcomes[i]!, resolver.kind) || delegationOf(resolver)) {
      return undefined
    }
  }
  const diagnosis = plainDiagnosis(outcomes.length)
  const observations: ObservationReport[] = []
  let answers: AnswerReport[] = []
  for (let i = 0; i < outcomes.length; i++) {
    const resolver = resolvers[i]!
    const { response } = outcomes[i] as Extract<QueryOutcome, { ok: true }>
    const record = response.answers[0]!
    if (answers[0]?.ttl !== record.ttl) {
      // isPlainPass holds the answer to the expected name, type and value to the character:
      // the expectation's strings are the same text, flat and shared by every resolver.
      answers = [
        { name: expected.name!, type: expected.type, data: expected.value, ttl: record.ttl }
      ]
    }
    const server = resolver.kind === 'authoritative' ? answeredBy(outcomes[i]!) : undefined
    const verdict = diagnosis.verdicts[i] ?? 'unknown'
    const { rcode } = response
    const authoritative = response.flags.aa
    observations.push(
      server
        ? { resolver: resolver.name, rcode, answers, authoritative, server, verdict }
        : { resolver: resolver.name, rcode, answers, authoritative, verdict }
    )
  }
  return recordShape(expected, diagnosis, words, observations)
}

/**
 * A record's report in the JSON report's field order, its findings worded: the one shape both
 * the plain path and the full one (check.ts) build.
 */
export function recordShape(
  expected: ExpectedRecord,
  diagnosis: RecordDiagnosis,
  words: FixWords,
  observations: ObservationReport[]
): RecordReport {
  return {
    key: expected.key,
    type: expected.type,
    name: expected.name,
    expected: expected.value,
    source: expected.source,
    status: diagnosis.status,
    checked: diagnosis.checked,
    findings:
      diagnosis.findings.length === 0
        ? NONE
        : diagnosis.findings.map((f) => reportFinding(f, words)),
    observations
  }
}
