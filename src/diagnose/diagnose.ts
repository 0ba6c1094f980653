/**
 * Expected records × what the resolvers answered → findings. The rules live by record type
 * (cname-rules.ts, txt-rules.ts), each beside the questions it needs; this module runs them
 * for one resolver's answer, and fleet.ts reaches one verdict across resolvers. Pure.
 */
import type { DnsQuestion, QueryOutcome } from '../dns/types.js'
import { isKnownKey, type ExpectedRecord } from '../records/expected.js'
import { GENERIC_RULES } from './generic-rules.js'
import { cnameRules, type Rule, type Scene } from './cname-rules.js'
import { draft, finding } from './finding.js'
import { isReferral, judgeFleet } from './fleet.js'
import { conclusiveAnswers, fresh } from './probe-kit.js'
import { txtRules } from './txt-rules.js'
import type {
  DiagnosisContext,
  Draft,
  FixStep,
  Named,
  Observation,
  Probe,
  RecordDiagnosis
} from './types.js'

function rulesFor(scene: Scene): Rule[] {
  if (!isKnownKey(scene.expected.key)) return GENERIC_RULES
  return scene.expected.type === 'CNAME' ? cnameRules(scene) : txtRules(scene)
}

function sceneOf(
  expected: Named,
  context: DiagnosisContext,
  main: QueryOutcome,
  probes: Probe[]
): Scene | undefined {
  const answers = conclusiveAnswers(main)
  if (!answers || isReferral(main)) return undefined
  return {
    expected,
    apex: context.apex,
    answers,
    atName: answers.filter((r) => r.name === expected.name),
    rcode: main.ok ? main.response.rcode : '',
    probes,
    context
  }
}

/**
 * The extra questions that tell a plain miss from a typing mistake, asked only when the answers
 * so far do not settle the record: each rule of the record's type says what it needs. Called
 * again with the probes answered until it asks nothing more. Pure, so every source is asked
 * the same.
 */
export function probesFor(
  expected: ExpectedRecord,
  context: DiagnosisContext,
  main: QueryOutcome,
  asked: Probe[] = []
): DnsQuestion[] {
  if (expected.name === null) return []
  const scene = sceneOf({ ...expected, name: expected.name }, context, main, asked)
  if (!scene) return []
  const questions: DnsQuestion[] = []
  for (const rule of rulesFor(scene)) {
    // Rules are tried in order; questions of rules after one that already decides are moot.
    questions.push(...(rule.probes?.(scene) ?? []))
    if (!rule.probes && rule.judge(scene)) break
  }
  return fresh(asked, questions)
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
        finding('unconfigured', { kind: 'unconfigured' }, { fix: [{ action: 'set-verification' }] })
      ]
    }
  }
  const drafts = observations.map((o) => ({
    observation: o,
    draft: diagnoseOne({ ...expected, name }, o, context)
  }))
  return { checked: true, ...judgeFleet(name, drafts, context.now) }
}

/** What one resolver's answers say about one record. */
function diagnoseOne(expected: Named, o: Observation, context: DiagnosisContext): Draft {
  if (o.unfollowed) return unfollowed(expected, o.unfollowed)
  const scene = sceneOf(expected, context, o.outcome, o.probes)
  if (!scene) return inconclusive(o)
  for (const rule of rulesFor(scene)) {
    const verdict = rule.judge(scene)
    if (verdict) return verdict
  }
  throw new Error(`no rule judged ${expected.name} ${expected.type}`)
}

/**
 * A CNAME chain that leaves the zone where nothing given to the run can ask the next zone's
 * servers: the record is not known (the server answered; it is not silent). A cache resolver
 * follows the chain; a CNAME pointed straight at Mailtrap's target is right whatever the chain
 * ends in.
 */
function unfollowed(expected: Named, { end, why }: { end: string; why: string }): Draft {
  const { name, type, value } = expected
  const fix: FixStep[] = [{ action: 'follow-chain', direct: type === 'CNAME' }]
  if (type === 'CNAME') fix.push({ action: 'set-value', record: { type, name, value } })
  return draft('unknown', { kind: 'chain-unfollowed', name, end, why }, fix)
}

/** No usable answer: a failure, a referral elsewhere, or an rcode that says nothing. */
function inconclusive(o: Observation): Draft {
  const fix = [{ action: 'retry-resolver' as const }]
  if (!o.outcome.ok) return draft('unknown', { kind: 'no-answer', error: o.outcome.error }, fix)
  const { response } = o.outcome
  if (isReferral(o.outcome)) {
    const servers = response.authority.filter((r) => r.type === 'NS').map((r) => r.data)
    const cut = response.authority.find((r) => r.type === 'NS')?.name ?? ''
    return draft('unknown', { kind: 'referral', resolver: o.resolver, cut, servers }, fix)
  }
  return draft('unknown', { kind: 'rcode', resolver: o.resolver, rcode: response.rcode }, fix)
}
