/**
 * The rules for a CNAME Mailtrap expects (verification, DKIM, click tracking), in the order
 * they are tried. Each rule declares the extra questions it needs beside the code that reads
 * their answers, so no rule depends on a question another one happened to ask.
 */
import type { DnsQuestion, DnsRecord } from '../dns/types.js'
import { normalizeName } from '../names/dns-names.js'
import { draft, seenOf } from './finding.js'
import {
  answered,
  answeringWildcard,
  doubledName,
  followChain,
  MAX_CHAIN,
  probeAnswers,
  wildcardNames
} from './probe-kit.js'
import { otherProvider } from './providers.js'
import type { Draft, FixStep, Named, Probe, DiagnosisContext, SeenRecord } from './types.js'

/** What a rule sees: one resolver's answer for one expected record, and its probes so far. */
export interface Scene {
  expected: Named
  apex: string
  /** Every record of the main answer. */
  answers: DnsRecord[]
  /** The main answer's records at the expected name. */
  atName: DnsRecord[]
  rcode: string
  probes: Probe[]
  context: DiagnosisContext
}

/** A rule: the questions it needs (given what is known so far), and its verdict, if it has one. */
export interface Rule {
  probes?: (scene: Scene) => DnsQuestion[]
  judge: (scene: Scene) => Draft | undefined
}

const add = (s: Scene): FixStep => ({
  action: 'add',
  record: { type: s.expected.type, name: s.expected.name, value: s.expected.value }
})
const setTarget = (s: Scene, provider?: string): FixStep => ({
  action: 'set-value',
  record: { type: 'CNAME', name: s.expected.name, value: s.expected.value },
  ...(provider ? { provider } : {})
})
const cnameOf = (s: Scene): DnsRecord | undefined => s.atName.find((r) => r.type === 'CNAME')

function isSuffixed(target: string, expected: Named, value: string, apex: string): boolean {
  const domain = expected.host ? expected.name.slice(expected.host.length + 1) : apex
  return [apex, domain].some((suffix) => target === `${value}.${suffix}`)
}

/** The CNAME's target is settled when it is right or wrong in a way no further link changes. */
function chainSettled(s: Scene, target: string): boolean {
  const chain = followChain(target, s.probes)
  return (
    chain[chain.length - 1] === s.expected.value ||
    isSuffixed(target, s.expected, s.expected.value, s.apex) ||
    chain.length > MAX_CHAIN
  )
}

/** A CNAME beside other data: RFC 1034 3.6.2 forbids it, and resolvers then answer either. */
export function besideData(s: Scene): Draft | undefined {
  const cname = cnameOf(s)
  const others = s.atName.filter((r) => r.type !== 'CNAME')
  if (!cname || others.length === 0) return undefined
  return draft(
    'conflict',
    {
      kind: 'cname-beside-data',
      name: s.expected.name,
      target: cname.data,
      others: seenOf(others)
    },
    [
      {
        action: 'keep-only',
        name: s.expected.name,
        keep: s.expected.type,
        drop: [...new Set(others.map((r) => r.type))]
      }
    ],
    seenOf([cname, ...others])
  )
}

/** A CNAME at the name, judged by its target. */
const WITH_CNAME: Rule[] = [
  { judge: besideData },
  {
    judge(s) {
      const target = cnameOf(s)?.data
      if (target !== s.expected.value) return undefined
      return draft('ok', { kind: 'cname-ok', name: s.expected.name, target }, [], [cnameSeen(s)])
    }
  },
  {
    judge(s) {
      const target = cnameOf(s)!.data
      if (!isSuffixed(target, s.expected, s.expected.value, s.apex)) return undefined
      return draft(
        'value-suffixed',
        { kind: 'value-suffixed', name: s.expected.name, target, expected: s.expected.value },
        [setTarget(s)],
        [cnameSeen(s)]
      )
    }
  },
  {
    // A wildcard CNAME answers in the record's place: nothing is at the name itself.
    probes: (s) =>
      chainSettled(s, cnameOf(s)!.data)
        ? []
        : wildcardNames(s.expected.name, s.apex).map((name) => ({ name, type: 'CNAME' })),
    judge(s) {
      const target = cnameOf(s)!.data
      const wildcard = answeringWildcard(s.probes, s.expected.name, s.apex, 'CNAME', [target])
      return wildcard ? fromWildcard(s, wildcard, [cnameOf(s)!]) : undefined
    }
  },
  {
    judge(s) {
      const target = cnameOf(s)!.data
      const swapped = s.context.siblings.find(
        (r) =>
          r.key !== s.expected.key &&
          r.type === 'CNAME' &&
          (r.value === target || isSuffixed(target, s.expected, r.value, s.apex))
      )
      if (!swapped) return undefined
      return draft(
        'wrong-value',
        {
          kind: 'swapped',
          name: s.expected.name,
          target,
          sibling: swapped.key,
          suffixed: swapped.value !== target
        },
        [setTarget(s)],
        [cnameSeen(s)]
      )
    }
  },
  {
    // The next link of the chain, one a round, until it ends, loops or reaches the target.
    probes(s) {
      const target = cnameOf(s)!.data
      if (chainSettled(s, target)) return []
      const chain = followChain(target, s.probes)
      return [{ name: chain[chain.length - 1]!, type: 'CNAME' }]
    },
    judge(s) {
      const target = cnameOf(s)!.data
      const chain = followChain(target, s.probes)
      if (chain.includes(s.expected.name)) {
        const detail = { kind: 'cname-loop' as const, name: s.expected.name, target, chain }
        return draft('wrong-value', detail, [setTarget(s)], [cnameSeen(s)])
      }
      if (chain.length > 1 && chain[chain.length - 1] === s.expected.value) {
        const detail = {
          kind: 'cname-chain' as const,
          name: s.expected.name,
          expected: s.expected.value,
          chain
        }
        return draft('cname-chain', detail, [setTarget(s)], [cnameSeen(s)])
      }
      return undefined
    }
  },
  {
    judge(s) {
      const target = cnameOf(s)!.data
      const provider = otherProvider(target)
      if (!provider) return undefined
      return draft(
        'conflict',
        { kind: 'other-provider', name: s.expected.name, target, provider },
        [setTarget(s, provider)],
        [cnameSeen(s)]
      )
    }
  },
  {
    judge: (s) =>
      draft(
        'wrong-value',
        {
          kind: 'wrong-target',
          name: s.expected.name,
          target: cnameOf(s)!.data,
          expected: s.expected.value
        },
        [setTarget(s)],
        [cnameSeen(s)]
      )
  }
]

/** No CNAME at the name: what stands there instead, or where the record went. */
const WITHOUT_CNAME: Rule[] = [
  {
    // The full name typed into a form that appends the zone: the record lands one zone deeper.
    // A wildcard answers for the doubled name too, so ask the wildcards above it before
    // believing an answer there.
    probes(s) {
      const doubled = doubledName(s.expected, s.apex)
      const wildcards = answered(s.probes, doubled, [s.expected.type])
        ? wildcardNames(doubled, s.apex).map((name) => ({ name, type: s.expected.type }))
        : []
      return [{ name: doubled, type: s.expected.type }, ...wildcards]
    },
    judge(s) {
      const doubled = doubledName(s.expected, s.apex)
      const found = probeAnswers(s.probes, doubled, 'CNAME')[0]
      if (!found || answeringWildcard(s.probes, doubled, s.apex, 'CNAME', [found.data]))
        return undefined
      return draft(
        'doubled-name',
        {
          kind: 'doubled-name',
          name: s.expected.name,
          doubled,
          apex: s.apex,
          type: 'CNAME',
          expected: s.expected.value,
          ...(found.data === s.expected.value ? {} : { otherTarget: found.data })
        },
        [{ action: 'delete', record: { type: 'CNAME', name: doubled } }, add(s)],
        seenOf([found])
      )
    }
  },
  {
    // A TXT record where the CNAME belongs: another provider's leftover, or the target typed
    // as text. A wildcard TXT (a `*._domainkey` key revocation) answers for the name too: then
    // nothing stands there to delete, and the CNAME is simply missing.
    probes: (s) => [
      { name: s.expected.name, type: 'TXT' },
      ...(answered(s.probes, s.expected.name, ['TXT'])
        ? wildcardNames(s.expected.name, s.apex).map((name) => ({ name, type: 'TXT' }))
        : [])
    ],
    judge(s) {
      const txt = probeAnswers(s.probes, s.expected.name, 'TXT')
      if (txt.length === 0) return undefined
      const data = txt.map((r) => r.data)
      const wildcard = answeringWildcard(s.probes, s.expected.name, s.apex, 'TXT', data)
      if (wildcard) return fromWildcard(s, wildcard, txt)
      const leftover = txt.find(
        (r) => /^v=dkim1\b/i.test(r.data.trim()) || /verification|verify/i.test(r.data)
      )
      const remove: FixStep = {
        action: 'delete',
        record: { type: 'TXT', name: s.expected.name },
        ...(leftover ? { note: 'old-beside-cname' as const } : {})
      }
      if (leftover) {
        const detail = { kind: 'leftover-txt' as const, name: s.expected.name, text: leftover.data }
        return draft('conflict', detail, [remove, add(s)], seenOf(txt))
      }
      const typedAsText = txt.some(
        (r) => normalizeName(r.data.replace(/"/g, '').trim()) === s.expected.value
      )
      return draft(
        'wrong-type',
        typedAsText
          ? { kind: 'target-as-txt', name: s.expected.name, expected: s.expected.value }
          : { kind: 'txt-at-cname', name: s.expected.name, texts: txt.map((r) => r.data) },
        [remove, add(s)],
        seenOf(txt)
      )
    }
  },
  {
    // Addresses where the CNAME belongs: flattened, proxied, or an A record; or a wildcard.
    probes(s) {
      const addressed = answered(s.probes, s.expected.name, ['A', 'AAAA'])
      return [
        { name: s.expected.name, type: 'A' },
        { name: s.expected.name, type: 'AAAA' },
        ...(addressed
          ? wildcardNames(s.expected.name, s.apex).map((name) => ({ name, type: 'A' }))
          : [])
      ]
    },
    judge(s) {
      const addresses = [
        ...probeAnswers(s.probes, s.expected.name, 'A'),
        ...probeAnswers(s.probes, s.expected.name, 'AAAA')
      ]
      if (addresses.length === 0) return undefined
      const v4 = addresses.filter((r) => r.type === 'A').map((r) => r.data)
      const wildcard = answeringWildcard(s.probes, s.expected.name, s.apex, 'A', v4)
      if (wildcard) return fromWildcard(s, wildcard, addresses)
      return draft(
        'proxied',
        { kind: 'proxied', name: s.expected.name, addresses: seenOf(addresses) },
        [
          {
            action: 'proxy-off',
            record: { type: 'CNAME', name: s.expected.name, value: s.expected.value }
          }
        ],
        seenOf(addresses)
      )
    }
  },
  { judge: (s) => missing(s) }
]

/** The rules for a CNAME: those for a CNAME at the name, or those for its absence. */
export function cnameRules(s: Scene): Rule[] {
  return cnameOf(s) ? WITH_CNAME : WITHOUT_CNAME
}

function cnameSeen(s: Scene): SeenRecord {
  return seenOf([cnameOf(s)!])[0]!
}

/** Nothing at the name: NXDOMAIN or NODATA, and nothing better explains it. */
export function missing(s: Scene): Draft {
  return draft('missing', { kind: 'missing', name: s.expected.name, rcode: s.rcode }, [add(s)])
}

/** Nothing at the name: a wildcard answers in its place, so the record is to be added. */
export function fromWildcard(s: Scene, wildcard: string, records: DnsRecord[]): Draft {
  const answers = records.map((r) => ({ name: wildcard, type: r.type, data: r.data }))
  return draft(
    'missing',
    { kind: 'wildcard', name: s.expected.name, type: s.expected.type, wildcard, answers },
    [add(s)],
    answers
  )
}

export { add as addStep }
