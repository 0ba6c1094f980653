import type { QueryOutcome } from '../dns/types.js'
import type { DiagnosisCode } from './codes.js'
import { normalizeName } from '../names/dns-names.js'
import { detectDnsHost } from './dns-hosts.js'
import { finding, statusOf } from './finding.js'
import type {
  Delegation,
  Draft,
  Finding,
  Observation,
  RecordStatus,
  ResolverGroup
} from './types.js'

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
  // does not answer is merely no help: `unknown`. One that refers the name elsewhere, or refuses
  // a name of another zone, is "not mine": it says nothing when anyone else says more.
  const lame = judged.filter((j) => {
    const { kind, outcome, listed } = j.observation
    if (kind !== 'authoritative' || isReferral(outcome)) return false
    return outcome.ok ? !answersWithAuthority(outcome) : listed === true
  })
  const caches = judged.filter((j) => !isAuthority(j))
  const settled = caches.filter((j) => j.draft.code !== 'unknown')
  const doubtful = notMineAnswers(judged, settled)
  const authority = judged.filter(
    (j) =>
      isAuthority(j) && !lame.includes(j) && !doubtful.includes(j) && j.draft.code !== 'unknown'
  )
  const findings: Finding[] = []

  if (lame.length > 0) findings.push(lameFinding(name, lame))
  // A referral to a child zone whose servers do not serve it: the delegation is lame, and the
  // referring server (which holds no record below the cut) is no help for the record itself.
  const lameCut = judged.filter((j) => j.observation.lameDelegation)
  findings.push(...lameCut.map((j) => lameDelegationFinding(name, j)))
  doubtful.push(...lameCut.filter((j) => !doubtful.includes(j)))

  if (authority.length > 0) {
    const groups = groupDrafts(authority)
    const unanswered = judged.filter(
      (j) => j.draft.code === 'unknown' && !lame.includes(j) && !doubtful.includes(j)
    )
    if (groups.length > 1 && groups.some((g) => g.draft.code === 'ok')) {
      // Some of the zone's own servers are right: the zone is fixed, a secondary lags. The
      // fix is its zone transfer, not the record, and resolvers may get either answer. When
      // the right and the wrong servers belong to different DNS hosts, no transfer is due:
      // the domain is delegated to an old host and a new one, a move half done.
      const migration = halfMigrated(groups)
      findings.push({
        ...(migration ? halfMigratedFinding(name, groups, migration) : outOfSync(name, groups)),
        severity: 'error'
      })
      findings.push(...groupDrafts(unanswered).map(toFinding))
      return { status: statusOf(findings, false), findings, verdicts }
    }
    if (groups.length > 1) findings.push(outOfSync(name, groups))
    if (groups.every((g) => g.draft.code === 'ok')) {
      const stale = caches.filter((j) => j.draft.code !== 'ok' && j.draft.code !== 'unknown')
      // Right only on servers the parent does not delegate to: resolvers never ask them, so
      // the caches' answer is the lasting one, not an old one on its way out.
      const undelegated = authority.find((j) => j.observation.undelegated)?.observation.undelegated
      if (stale.length > 0 && undelegated) {
        findings.push(notDelegated(name, authority, stale, undelegated))
      } else if (stale.length > 0) findings.push(propagating(name, stale, now))
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
  const unknown = judged.filter(
    (j) => j.draft.code === 'unknown' && !lame.includes(j) && !doubtful.includes(j)
  )
  const groups = groupDrafts(conclusive)
  const someRight = groups.some((g) => g.draft.code === 'ok')
  const someWrong = groups.some((g) => g.draft.code !== 'ok')
  if (someRight && someWrong) findings.push(inconsistent(name, groups))
  else findings.push(...groups.filter((g) => g.draft.code !== 'ok').map(toFinding))
  findings.push(...groupDrafts(unknown).map(toFinding))
  return { status: statusOf(findings, conclusive.length === 0), findings, verdicts }
}

/**
 * Authoritative answers that say "not mine" and so settle nothing when the caches say more: a
 * referral elsewhere that no child server could be asked behind, and a verdict that rests on a
 * question the server refused or referred (a CNAME chain or a DMARC record in another zone,
 * whose end it does not hold) where the caches that reached a verdict all reached another one
 * from the same record at the name: they only saw further along the chain. A server whose own
 * record differs from the caches' is not doubted: a change on its way out is still its verdict.
 */
function notMineAnswers(judged: Judged[], settled: Judged[]): Judged[] {
  if (settled.length === 0) return []
  const cacheKeys = new Set(settled.map((j) => keyOf(j.draft)))
  return judged.filter((j) => {
    const { kind, outcome, probes } = j.observation
    if (kind !== 'authoritative') return false
    if (isReferral(outcome)) return true
    if (j.draft.code === 'ok' || cacheKeys.has(keyOf(j.draft))) return false
    const atName = dataAtName(j.observation)
    return (
      probes.some((p) => isReferral(p.outcome) || isRefusal(p.outcome)) &&
      settled.some((c) => dataAtName(c.observation) === atName)
    )
  })
}

/** The main answer's records at the asked name, as one comparable string (TTLs left out). */
function dataAtName(o: Observation): string {
  if (!o.outcome.ok) return ''
  const name = normalizeName(o.question.name)
  return o.outcome.response.answers
    .filter((r) => r.name === name)
    .map((r) => `${r.type} ${r.data}`)
    .sort()
    .join('\n')
}

function isRefusal(outcome: QueryOutcome): boolean {
  return (
    outcome.ok && (outcome.response.rcode === 'REFUSED' || outcome.response.rcode === 'NOTAUTH')
  )
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

/** Drafts say the same thing when their code and facts are the same (not their evidence's TTLs). */
function keyOf(draft: Draft): string {
  return `${draft.code}\u0000${JSON.stringify(draft.detail)}`
}

/** Drafts that say the same thing, in first-seen order. */
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

function described(groups: Group[]): ResolverGroup[] {
  return groups.map((g) => ({ resolvers: g.resolvers, code: g.draft.code, detail: g.draft.detail }))
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
  return finding(
    'propagating',
    { kind: 'propagating', name, groups: described(groups), seconds, expiresAt },
    {
      resolvers: stale.map((j) => j.observation.resolver),
      fix: [{ action: 'wait', until: expiresAt }],
      seen: groups.flatMap((g) => g.draft.seen),
      expiresAt
    }
  )
}

function notDelegated(
  name: string,
  authority: Judged[],
  stale: Judged[],
  delegation: Delegation
): Finding {
  const groups = groupDrafts(stale)
  return finding(
    'not-delegated-here',
    { kind: 'not-delegated', name, delegation, groups: described(groups) },
    {
      resolvers: [...authority, ...stale].map((j) => j.observation.resolver),
      fix: [{ action: 'fix-delegation', delegation }],
      seen: groups.flatMap((g) => g.draft.seen)
    }
  )
}

function inconsistent(name: string, groups: Group[]): Finding {
  return finding(
    'inconsistent',
    { kind: 'inconsistent', name, groups: described(groups) },
    {
      resolvers: groups.flatMap((g) => g.resolvers),
      fix: [{ action: 'ask-authoritative' }],
      seen: groups.flatMap((g) => g.draft.seen)
    }
  )
}

function outOfSync(name: string, groups: Group[]): Finding {
  return finding(
    'out-of-sync',
    { kind: 'out-of-sync', name, groups: described(groups) },
    {
      resolvers: groups.flatMap((g) => g.resolvers),
      fix: [{ action: 'fix-transfer' }],
      seen: groups.flatMap((g) => g.draft.seen)
    }
  )
}

/** The DNS host a name server belongs to: a known provider, else its last two labels. */
function hostOf(server: string): string {
  const ns = server.split('/')[0]!
  return detectDnsHost([ns])?.id ?? ns.split('.').slice(-2).join('.')
}

/**
 * Listed servers split along DNS hosts: every right one at hosts none of the wrong ones is at.
 * Returns the NS names of each side, or undefined when the split is not that clean.
 */
function halfMigrated(groups: Group[]): { right: string[]; wrong: string[] } | undefined {
  const members = groups.flatMap((g) => g.members)
  if (!members.every((j) => j.observation.listed && j.observation.resolver.includes('.')))
    return undefined
  const names = (ok: boolean): string[] => [
    ...new Set(
      groups
        .filter((g) => (g.draft.code === 'ok') === ok)
        .flatMap((g) => g.resolvers.map((r) => r.split('/')[0]!))
    )
  ]
  const right = names(true)
  const wrong = names(false)
  const rightHosts = new Set(right.map(hostOf))
  return wrong.some((ns) => rightHosts.has(hostOf(ns))) ? undefined : { right, wrong }
}

function halfMigratedFinding(
  name: string,
  groups: Group[],
  servers: { right: string[]; wrong: string[] }
): Finding {
  return finding(
    'out-of-sync',
    {
      kind: 'half-migrated',
      name,
      right: servers.right,
      wrong: servers.wrong,
      groups: described(groups)
    },
    {
      resolvers: groups.flatMap((g) => g.resolvers),
      fix: [{ action: 'finish-migration', ...servers }],
      seen: groups.flatMap((g) => g.draft.seen)
    }
  )
}

function lameDelegationFinding(name: string, j: Judged): Finding {
  const delegation = j.observation.lameDelegation!
  return finding(
    'lame-server',
    { kind: 'lame-delegation', name, resolver: j.observation.resolver, delegation },
    {
      resolvers: [j.observation.resolver],
      fix: [
        {
          action: 'fix-lame-delegation',
          cut: delegation.cut,
          servers: delegation.servers.map((s) => s.server)
        }
      ]
    }
  )
}

function lameFinding(name: string, lame: Judged[]): Finding {
  const servers = lame.map((j) => {
    const o = j.observation.outcome
    const why = !o.ok
      ? o.error
      : `${o.response.rcode}${o.response.flags.aa ? '' : ' without the authoritative (AA) flag'}`
    return { resolver: j.observation.resolver, why }
  })
  return finding(
    'lame-server',
    { kind: 'lame', name, servers },
    { resolvers: lame.map((j) => j.observation.resolver), fix: [{ action: 'fix-lame' }] }
  )
}
