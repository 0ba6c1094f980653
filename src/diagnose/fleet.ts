import type { QueryOutcome } from '../dns/types.js'
import { DIAGNOSES, type DiagnosisCode } from './codes.js'
import type { Draft, Finding, Observation, RecordStatus } from './diagnose.js'

interface Judged {
  observation: Observation
  draft: Draft
}

/**
 * One verdict per record across the fleet. Authoritative servers are the source of truth:
 * - they answer right and every cache agrees: pass;
 * - they answer right and some caches do not: `propagating`, with the time the last stale
 *   cached answer expires (its TTL, or the SOA negative-cache TTL for a cached miss);
 * - they answer wrong: their finding, naming every resolver that shows the same;
 * - they disagree with each other: `out-of-sync`; one answers without authority: `lame-server`.
 * Without a usable authoritative answer the caches decide: all agree, that verdict; some say
 * right and some wrong, `inconsistent`; nothing conclusive, `unknown` (never `missing`).
 */
export function judgeFleet(
  name: string,
  judged: Judged[],
  now: Date
): { status: RecordStatus; findings: Finding[]; verdicts: DiagnosisCode[] } {
  const verdicts = judged.map((j) => j.draft.code)
  const isAuthority = (j: Judged): boolean =>
    j.observation.kind === 'authoritative' || j.observation.kind === 'zone-files'
  // A server that answered, but without authority (REFUSED, SERVFAIL, no AA), is lame, and so is
  // a server of the zone's own NS set that does not answer at all. A server the user pinned that
  // does not answer, or one that refers the name elsewhere, is merely no help: `unknown`.
  const lame = judged.filter((j) => {
    const { kind, outcome, listed } = j.observation
    if (kind !== 'authoritative' || isReferral(outcome)) return false
    return outcome.ok ? !answersWithAuthority(outcome) : listed === true
  })
  const authority = judged.filter(
    (j) => isAuthority(j) && !lame.includes(j) && j.draft.code !== 'unknown'
  )
  const caches = judged.filter((j) => !isAuthority(j))
  const findings: Finding[] = []

  if (lame.length > 0) findings.push(lameFinding(name, lame))

  if (authority.length > 0) {
    const groups = groupDrafts(authority)
    const unanswered = judged.filter((j) => j.draft.code === 'unknown' && !lame.includes(j))
    if (groups.length > 1 && groups.some((g) => g.draft.code === 'ok')) {
      // Some of the zone's own servers are right: the zone is fixed, a secondary lags. The
      // fix is its zone transfer, not the record, and resolvers may get either answer.
      findings.push({ ...outOfSync(name, groups), severity: 'error' })
      findings.push(...groupDrafts(unanswered).map(toFinding))
      return { status: statusOf(findings, false), findings, verdicts }
    }
    if (groups.length > 1) findings.push(outOfSync(name, groups))
    if (groups.every((g) => g.draft.code === 'ok')) {
      const stale = caches.filter((j) => j.draft.code !== 'ok' && j.draft.code !== 'unknown')
      if (stale.length > 0) findings.push(propagating(name, stale, now))
      findings.push(...groupDrafts(unanswered).map(toFinding))
    } else {
      const wrong = new Set(groups.filter((g) => g.draft.code !== 'ok').map((g) => keyOf(g.draft)))
      const agreeing = caches.filter((j) => wrong.has(keyOf(j.draft)))
      findings.push(
        ...groupDrafts([...authority, ...agreeing])
          .filter((g) => g.draft.code !== 'ok')
          .map(toFinding)
      )
    }
    return { status: statusOf(findings, false), findings, verdicts }
  }

  // No authoritative answer settles it: the caches decide.
  const conclusive = caches.filter((j) => j.draft.code !== 'unknown')
  const unknown = judged.filter((j) => j.draft.code === 'unknown' && !lame.includes(j))
  const groups = groupDrafts(conclusive)
  const someRight = groups.some((g) => g.draft.code === 'ok')
  const someWrong = groups.some((g) => g.draft.code !== 'ok')
  if (someRight && someWrong) findings.push(inconsistent(name, groups))
  else findings.push(...groups.filter((g) => g.draft.code !== 'ok').map(toFinding))
  findings.push(...groupDrafts(unknown).map(toFinding))
  return { status: statusOf(findings, conclusive.length === 0), findings, verdicts }
}

function statusOf(findings: Finding[], inconclusive: boolean): RecordStatus {
  if (findings.some((f) => f.severity === 'error')) return 'fail'
  if (inconclusive) return 'unknown'
  if (findings.some((f) => f.severity === 'warning')) return 'warn'
  return 'pass'
}

/** A referral: the server says the name is delegated elsewhere (no AA, NS in authority, no SOA). */
export function isReferral(outcome: QueryOutcome): boolean {
  if (!outcome.ok) return false
  const { rcode, flags, answers, authority } = outcome.response
  return (
    rcode === 'NOERROR' &&
    !flags.aa &&
    answers.length === 0 &&
    authority.some((r) => r.type === 'NS') &&
    !authority.some((r) => r.type === 'SOA')
  )
}

function answersWithAuthority(outcome: QueryOutcome): boolean {
  if (!outcome.ok) return false
  const { rcode, flags } = outcome.response
  return flags.aa && (rcode === 'NOERROR' || rcode === 'NXDOMAIN')
}

interface Group {
  draft: Draft
  resolvers: string[]
  members: Judged[]
}

function keyOf(draft: Draft): string {
  return `${draft.code}\u0000${draft.message}`
}

/** Drafts that say the same thing (same code and message), in first-seen order. */
function groupDrafts(judged: Judged[]): Group[] {
  const groups = new Map<string, Group>()
  for (const j of judged) {
    const key = keyOf(j.draft)
    const group = groups.get(key)
    if (group) {
      group.resolvers.push(j.observation.resolver)
      group.members.push(j)
    } else {
      groups.set(key, { draft: j.draft, resolvers: [j.observation.resolver], members: [j] })
    }
  }
  return [...groups.values()]
}

function toFinding(group: Group): Finding {
  return { ...group.draft, resolvers: group.resolvers }
}

function finding(
  code: DiagnosisCode,
  resolvers: string[],
  message: string,
  hint: string,
  seen: string[] = []
): Finding {
  return { code, severity: DIAGNOSES[code].severity, resolvers, message, hint, seen }
}

function describe(groups: Group[]): string {
  return groups
    .map(
      (g) =>
        `${g.resolvers.join(', ')}: ${g.draft.code === 'ok' ? 'right' : `${g.draft.code} (${g.draft.message})`}`
    )
    .join('; ')
}

/** Seconds a cache may keep serving what it served: the answer's TTL, or the negative TTL. */
function cachedFor(outcome: QueryOutcome): number {
  if (!outcome.ok) return 0
  const { answers, authority } = outcome.response
  const ttls =
    answers.length > 0
      ? answers.map((r) => r.ttl)
      : authority.filter((r) => r.type === 'SOA').map((r) => r.ttl)
  return ttls.length > 0 ? Math.max(...ttls) : 0
}

function propagating(name: string, stale: Judged[], now: Date): Finding {
  const seconds = Math.max(...stale.map((j) => cachedFor(j.observation.outcome)))
  const expiresAt = new Date(now.getTime() + seconds * 1000).toISOString()
  const groups = groupDrafts(stale)
  return {
    ...finding(
      'propagating',
      stale.map((j) => j.observation.resolver),
      `The authoritative servers answer ${name} right; ${describe(groups)} still serve the old answer, cached for up to ${seconds} s more (until ${expiresAt}).`,
      `Nothing to change: wait until ${expiresAt}, or run \`mailtrap-dns-verify wait\` to gate on it.`,
      groups.flatMap((g) => g.draft.seen)
    ),
    expiresAt
  }
}

function inconsistent(name: string, groups: Group[]): Finding {
  return finding(
    'inconsistent',
    groups.flatMap((g) => g.resolvers),
    `Resolvers disagree about ${name}: ${describe(groups)}.`,
    "A recent change may still be propagating. Ask the zone's own servers to settle it: add `authoritative` to the resolvers (or --authoritative ADDR).",
    groups.flatMap((g) => g.draft.seen)
  )
}

function outOfSync(name: string, groups: Group[]): Finding {
  return finding(
    'out-of-sync',
    groups.flatMap((g) => g.resolvers),
    `The authoritative servers disagree about ${name}: ${describe(groups)}.`,
    'A secondary has not transferred the zone since the change: check its zone transfers (NOTIFY/AXFR) and that the SOA serial was increased.',
    groups.flatMap((g) => g.draft.seen)
  )
}

function lameFinding(name: string, lame: Judged[]): Finding {
  const why = lame
    .map((j) => {
      const o = j.observation.outcome
      if (!o.ok) return `${j.observation.resolver}: ${o.error}`
      return `${j.observation.resolver}: ${o.response.rcode}${o.response.flags.aa ? '' : ' without the authoritative (AA) flag'}`
    })
    .join('; ')
  return finding(
    'lame-server',
    lame.map((j) => j.observation.resolver),
    `A name server of the zone did not answer authoritatively for ${name}: ${why}.`,
    'Remove the server from the NS records at the registrar and in the zone, or make it serve the zone.'
  )
}
