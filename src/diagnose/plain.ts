/**
 * The plain pass: one resolver's answer that is exactly the expected record and nothing else.
 * A healthy fleet is almost all such answers; the rules and the fleet judgement would reach
 * `ok` for each and `pass` for the record after a dozen steps and as many objects, so the
 * engine recognises them here first (issue 12: each distinct answer judged once, not once per
 * resolver and domain). A property test holds this to the full diagnosis: whatever it calls
 * plain, diagnoseRecord passes with no finding and probesFor asks nothing.
 */
import type { QueryOutcome, ResolverKind } from '../dns/types.js'
import type { ExpectedRecord } from '../records/expected.js'
import { readDmarc } from './dmarc.js'
import type { RecordDiagnosis } from './types.js'

/** The keys whose rules this shortcut is proven against: Mailtrap's four CNAMEs and DMARC. */
const PLAIN_KEYS = new Set(['verification', 'dkim1', 'dkim2', 'link_verification', 'dmarc'])

/**
 * True when `outcome` is one record at the expected name, of the expected type, holding the
 * expected value to the character (and, for DMARC, the expected text itself a valid record), and, from an
 * authoritative server, with the AA bit.
 */
export function isPlainPass(
  expected: ExpectedRecord,
  outcome: QueryOutcome,
  kind: ResolverKind
): boolean {
  if (!outcome.ok || expected.name === null || !PLAIN_KEYS.has(expected.key)) return false
  const { response } = outcome
  if (response.rcode !== 'NOERROR' || response.answers.length !== 1) return false
  if (kind === 'authoritative' && !response.flags.aa) return false
  const answer = response.answers[0]!
  // Exactly as the decoders write names (lower case, no trailing dot): anything else the rules
  // look at more closely.
  if (answer.type !== expected.type || answer.name !== expected.name) return false
  if (expected.type === 'CNAME') return answer.data === expected.value
  return (
    expected.type === 'TXT' &&
    expected.key === 'dmarc' &&
    answer.data === expected.value &&
    readDmarc(expected.value).ok
  )
}

/** The diagnosis of a record every resolver answered plainly right: what the full one says. */
export function plainDiagnosis(resolvers: number): RecordDiagnosis {
  return {
    status: 'pass',
    checked: true,
    findings: [],
    verdicts: new Array<'ok'>(resolvers).fill('ok')
  }
}
