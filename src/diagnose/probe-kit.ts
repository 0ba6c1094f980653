/**
 * What the diagnosis rules share to read probes: the wildcards above a name, CNAME chains
 * within an answer and across probes, and a probe's answers by name and type.
 */
import type { DnsQuestion, DnsRecord, QueryOutcome } from '../dns/types.js'
import { isAtOrBelow, normalizeName, parentName } from '../names/dns-names.js'
import type { Named, Probe } from './types.js'

/** The longest CNAME chain followed before giving up. */
export const MAX_CHAIN = 8

/** `*.` + every ancestor of `name` from its parent up to the zone apex. */
export function wildcardNames(name: string, apex: string): string[] {
  const names: string[] = []
  let parent = parentName(name)
  while (parent !== '' && isAtOrBelow(parent, apex)) {
    names.push(`*.${parent}`)
    if (parent === apex) break
    parent = parentName(parent)
  }
  return names
}

/** The end of the CNAME chain that starts at `name`, within one answer. */
export function chainEnd(answers: DnsRecord[], name: string): string {
  let at = name
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = answers.find((r) => r.name === at && r.type === 'CNAME')
    if (!next) break
    at = next.data
  }
  return at
}

/** The CNAME targets from `first` on, as far as the probes have followed them. */
export function followChain(first: string, asked: Probe[]): string[] {
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

/** What a probe of `name`/`type` answered at that name, or nothing when it was not asked. */
export function probeAnswers(probes: Probe[], name: string, type: string): DnsRecord[] {
  const probe = probes.find(
    (p) => normalizeName(p.question.name) === name && p.question.type === type
  )
  if (!probe || !probe.outcome.ok) return []
  return probe.outcome.response.answers.filter((r) => r.name === name && r.type === type)
}

/** True when a probe of `name` (any type in `types`) got an answer at that name. */
export function answered(probes: Probe[], name: string, types: string[]): boolean {
  return probes.some(
    (p) =>
      normalizeName(p.question.name) === name &&
      types.includes(p.question.type) &&
      p.outcome.ok &&
      p.outcome.response.answers.some((r) => r.name === name && r.type === p.question.type)
  )
}

/**
 * The wildcard that answers for `name` with the data seen, when one does: then nothing exists
 * at the name itself, and the fix is to add the record, not to edit one.
 */
export function answeringWildcard(
  probes: Probe[],
  name: string,
  apex: string,
  type: string,
  data: string[]
): string | undefined {
  for (const wildcard of wildcardNames(name, apex)) {
    const found = probeAnswers(probes, wildcard, type).map((r) => r.data)
    if (found.length > 0 && data.every((d) => found.includes(d))) return wildcard
  }
  return undefined
}

/** The name with the zone appended again: where a DNS form puts a full name typed as a host. */
export function doubledName(expected: Named, apex: string): string {
  return `${expected.name}.${apex}`
}

/** The sending domain of an expected record: its name without its host. */
export function domainOf(expected: Named): string {
  return expected.host && expected.host !== '@'
    ? expected.name.slice(expected.host.length + 1)
    : expected.name
}

/** The main answer's records, when the server answered NOERROR or NXDOMAIN. */
export function conclusiveAnswers(main: QueryOutcome): DnsRecord[] | undefined {
  if (!main.ok) return undefined
  const { rcode, answers } = main.response
  return rcode === 'NOERROR' || rcode === 'NXDOMAIN' ? answers : undefined
}

/** Questions not asked yet, in order. */
export function fresh(asked: Probe[], questions: DnsQuestion[]): DnsQuestion[] {
  const seen = new Set(asked.map((p) => `${normalizeName(p.question.name)} ${p.question.type}`))
  return questions.filter((q) => !seen.has(`${normalizeName(q.name)} ${q.type}`))
}
