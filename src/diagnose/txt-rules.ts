/**
 * The rules for a TXT record Mailtrap expects (DMARC at `_dmarc`, SPF at the apex of older
 * domains), in the order they are tried, each beside the extra questions it needs.
 */
import type { DnsRecord } from '../dns/types.js'
import { addStep, besideData, fromWildcard, missing, type Rule, type Scene } from './cname-rules.js'
import { draft, seenOf } from './finding.js'
import {
  answered,
  answeringWildcard,
  chainEnd,
  domainOf,
  doubledName,
  probeAnswers,
  wildcardNames
} from './probe-kit.js'
import {
  compareDmarc,
  isDmarc,
  isDmarcRecord,
  isSpf,
  mergeSpf,
  readDmarc,
  spfIncludes
} from './txt.js'
import type { Draft, FixRecord } from './types.js'

/** A record that mentions v=DMARC1 anywhere: what its author meant as DMARC. */
function mentionsDmarc(text: string): boolean {
  return /(^|;)\s*v\s*=\s*dmarc1\s*(;|$)/i.test(text)
}

/** A TXT that is a DMARC record saying what `expected` says, by its tags. */
function dmarcMatches(text: string, expected: string): boolean {
  const have = readDmarc(text)
  const want = readDmarc(expected)
  return have.ok && want.ok && compareDmarc(have.tags, want.tags).length === 0
}

const txtAt = (s: Scene): DnsRecord[] =>
  s.answers.filter((r) => r.name === s.expected.name && r.type === 'TXT')
const isSpfKey = (s: Scene): boolean => s.expected.key === 'spf'
const record = (s: Scene): FixRecord => ({
  type: 'TXT',
  name: s.expected.name,
  value: s.expected.value
})

/** A CNAME where the TXT record belongs. */
const WITH_CNAME: Rule[] = [
  { judge: besideData },
  {
    // DMARC published through a CNAME (a DMARC service, or a record shared between domains):
    // receivers follow it, so the TXT at its end is judged; Mailtrap expects the TXT itself.
    probes(s) {
      if (isSpfKey(s)) return []
      const end = chainEnd(s.answers, s.expected.name)
      return s.answers.some((r) => r.name === end && r.type === 'TXT')
        ? []
        : [{ name: end, type: 'TXT' }]
    },
    judge(s) {
      if (s.expected.key !== 'dmarc') return undefined
      const end = chainEnd(s.answers, s.expected.name)
      const txt = [
        ...s.answers.filter((r) => r.name === end && r.type === 'TXT'),
        ...probeAnswers(s.probes, end, 'TXT')
      ]
      if (!txt.some((r) => mentionsDmarc(r.data))) return undefined
      const judged = judgeDmarc(s, txt)
      if (judged.code !== 'ok') {
        return {
          ...judged,
          detail: { kind: 'via-cname', name: s.expected.name, end, inner: judged.detail }
        }
      }
      return draft(
        'cname-chain',
        { kind: 'dmarc-via-cname', name: s.expected.name, end },
        [{ action: 'replace-with-txt', record: record(s) }],
        seenOf(txt)
      )
    }
  },
  {
    // A wildcard CNAME answers for the name: nothing stands there to delete, the TXT is missing.
    // Asked once the CNAME's end is known not to be a DMARC record.
    probes(s) {
      const end = chainEnd(s.answers, s.expected.name)
      const asked = s.probes.some((p) => p.question.type === 'TXT' && p.question.name === end)
      if (!isSpfKey(s) && !asked && !s.answers.some((r) => r.name === end)) return []
      const txt = [
        ...txtAt({ ...s, expected: { ...s.expected, name: end } }),
        ...probeAnswers(s.probes, end, 'TXT')
      ]
      if (txt.some((r) => mentionsDmarc(r.data))) return []
      return wildcardNames(s.expected.name, s.apex).map((name) => ({ name, type: 'CNAME' }))
    },
    judge(s) {
      const cname = s.atName.find((r) => r.type === 'CNAME')!
      const wildcard = answeringWildcard(s.probes, s.expected.name, s.apex, 'CNAME', [cname.data])
      return wildcard ? fromWildcard(s, wildcard, [cname]) : undefined
    }
  },
  {
    judge(s) {
      const cname = s.atName.find((r) => r.type === 'CNAME')!
      return draft(
        'wrong-type',
        { kind: 'cname-at-txt', name: s.expected.name, target: cname.data },
        [{ action: 'delete', record: { type: 'CNAME', name: s.expected.name } }, addStep(s)],
        seenOf([cname])
      )
    }
  }
]

/** No CNAME: the TXT records at the name, or where the record went. */
const WITHOUT_CNAME: Rule[] = [
  {
    // The full name typed into a form that appends the zone; a wildcard may answer there too.
    probes(s) {
      if (isSpfKey(s) || s.atName.length > 0) return []
      const doubled = doubledName(s.expected, s.apex)
      const wildcards = answered(s.probes, doubled, ['TXT'])
        ? wildcardNames(doubled, s.apex).map((name) => ({ name, type: 'TXT' }))
        : []
      return [{ name: doubled, type: 'TXT' }, ...wildcards]
    },
    judge(s) {
      if (txtAt(s).length > 0) return undefined
      const doubled = doubledName(s.expected, s.apex)
      const found = probeAnswers(s.probes, doubled, 'TXT')
      const data = found.map((r) => r.data)
      if (found.length === 0 || answeringWildcard(s.probes, doubled, s.apex, 'TXT', data))
        return undefined
      return draft(
        'doubled-name',
        {
          kind: 'doubled-name',
          name: s.expected.name,
          doubled,
          apex: s.apex,
          type: 'TXT',
          expected: s.expected.value
        },
        [{ action: 'delete', record: { type: 'TXT', name: doubled } }, addStep(s)],
        seenOf(found)
      )
    }
  },
  {
    // DMARC at the sending domain itself, where receivers never look for it.
    probes: (s) =>
      isSpfKey(s) || s.atName.length > 0 ? [] : [{ name: domainOf(s.expected), type: 'TXT' }],
    judge(s) {
      if (txtAt(s).length > 0 || s.expected.key !== 'dmarc') return undefined
      const domain = domainOf(s.expected)
      const atDomain = probeAnswers(s.probes, domain, 'TXT').filter((r) => mentionsDmarc(r.data))
      if (atDomain.length === 0) return undefined
      return draft(
        'missing',
        { kind: 'dmarc-at-domain', name: s.expected.name, rcode: s.rcode, domain },
        [{ action: 'delete', record: { type: 'TXT', name: domain }, note: 'dmarc' }, addStep(s)],
        seenOf(atDomain)
      )
    }
  },
  { judge: (s) => (txtAt(s).length === 0 ? missing(s) : undefined) },
  {
    // TXT that is not Mailtrap's may come from a wildcard: then nothing is at the name.
    probes(s) {
      if (isSpfKey(s) || s.atName.length === 0) return []
      const settled = s.atName.some(
        (r) => r.type === 'TXT' && dmarcMatches(r.data, s.expected.value)
      )
      return settled
        ? []
        : wildcardNames(s.expected.name, s.apex).map((name) => ({ name, type: 'TXT' }))
    },
    judge(s) {
      const txt = txtAt(s)
      if (isSpfKey(s) || txt.some((r) => mentionsDmarc(r.data))) return undefined
      const data = txt.map((r) => r.data)
      const wildcard = answeringWildcard(s.probes, s.expected.name, s.apex, 'TXT', data)
      return wildcard ? fromWildcard(s, wildcard, txt) : undefined
    }
  },
  { judge: (s) => (isSpfKey(s) ? judgeSpf(s, txtAt(s)) : undefined) },
  {
    judge(s) {
      const txt = txtAt(s)
      const judged = judgeDmarc(s, txt)
      const data = txt.map((r) => r.data)
      const wildcard =
        judged.code !== 'ok' && answeringWildcard(s.probes, s.expected.name, s.apex, 'TXT', data)
      if (!wildcard) return judged
      return {
        ...judged,
        detail: { kind: 'from-wildcard', name: s.expected.name, wildcard, inner: judged.detail },
        fix: [addStep(s)]
      }
    }
  }
]

/** The rules for a TXT record: those for a CNAME at the name, or those for TXT records. */
export function txtRules(s: Scene): Rule[] {
  return s.atName.some((r) => r.type === 'CNAME') ? WITH_CNAME : WITHOUT_CNAME
}

/**
 * A TXT record that is the expected kind (DMARC, SPF) once its literal quote characters are
 * removed: the quotes were pasted into a form that adds its own. `value` is what to enter
 * instead (the record's own text unquoted when undefined).
 */
function quotedValue(
  s: Scene,
  txt: DnsRecord[],
  recognise: (text: string) => boolean,
  value: string | undefined
): Draft | undefined {
  const quoted = txt.find((r) => r.data.includes('"') && recognise(r.data.replace(/"/g, '')))
  if (!quoted) return undefined
  return draft(
    'quoted-value',
    { kind: 'quoted', name: s.expected.name, text: quoted.data },
    [
      {
        action: 'set-value',
        record: {
          type: 'TXT',
          name: s.expected.name,
          value: value ?? quoted.data.replace(/"/g, '')
        }
      }
    ],
    seenOf(txt)
  )
}

function judgeDmarc(s: Scene, txt: DnsRecord[]): Draft {
  const seen = seenOf(txt)
  const name = s.expected.name
  const quoted = quotedValue(s, txt, isDmarc, s.expected.value)
  if (quoted) return quoted
  // Receivers count only the records they keep at discovery (RFC 7489 6.6.3, RFC 9989 4.10).
  const dmarc = txt.filter((r) => isDmarcRecord(r.data))
  if (dmarc.length > 1) {
    return draft(
      'duplicate',
      { kind: 'duplicate', name, count: dmarc.length, record: 'DMARC' },
      [{ action: 'keep-one', record: record(s) }],
      seen
    )
  }
  // A record that mentions v=DMARC1, but not first, is what its author meant as DMARC: say why
  // receivers ignore it rather than that there is none.
  const [found] =
    dmarc.length > 0
      ? dmarc
      : [...txt.filter((r) => isDmarc(r.data)), ...txt.filter((r) => mentionsDmarc(r.data))]
  if (!found) {
    const detail = { kind: 'no-dmarc' as const, name, texts: txt.map((r) => r.data) }
    return draft('wrong-value', detail, [addStep(s)], seen)
  }
  const reading = readDmarc(found.data)
  if (!reading.ok) {
    return draft(
      'wrong-value',
      { kind: 'dmarc-malformed', name, problems: reading.problems, outcome: reading.outcome },
      [{ action: 'set-value', record: record(s) }],
      seen
    )
  }
  const differences = compareDmarc(reading.tags, readDmarc(s.expected.value).tags)
  if (differences.length === 0) return draft('ok', { kind: 'dmarc-ok', name }, [], seen)
  return draft(
    'dmarc-differs',
    { kind: 'dmarc-differs', name, differences },
    [{ action: 'pin-or-set', record: record(s) }],
    seen
  )
}

function judgeSpf(s: Scene, txt: DnsRecord[]): Draft {
  const seen = seenOf(txt)
  const name = s.expected.name
  const quoted = quotedValue(s, txt, isSpf, undefined)
  if (quoted) return quoted
  const spf = txt.filter((r) => isSpf(r.data))
  if (spf.length > 1) {
    // Two SPF records are a permanent error (RFC 7208 4.5): the fix is the one merged record.
    // Sorted, so the merge does not depend on the order a server lists the records in.
    const texts = spf.map((r) => r.data).sort()
    const merged = mergeSpf(
      texts.reduce((a, b) => mergeSpf(a, b)),
      s.expected.value
    )
    return draft(
      'duplicate',
      { kind: 'duplicate', name, count: spf.length, record: 'SPF' },
      [{ action: 'merge-spf', record: { ...record(s), value: merged } }],
      seen
    )
  }
  const [found] = spf
  if (!found) return draft('missing', { kind: 'spf-missing', name }, [addStep(s)], seen)
  if (spfIncludes(found.data, s.expected.value))
    return draft('ok', { kind: 'spf-ok', name }, [], seen)
  return draft(
    'wrong-value',
    { kind: 'spf-lacks', name, record: found.data, expected: s.expected.value },
    [
      {
        action: 'set-value',
        record: { ...record(s), value: mergeSpf(found.data, s.expected.value) }
      }
    ],
    seen
  )
}
