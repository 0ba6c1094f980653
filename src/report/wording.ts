/**
 * The words of every finding, written once: a finding's facts (`detail`) become its message,
 * its fix steps become the hint in the words of the zone's DNS host. Each medium renders the
 * result its own way (rich.ts). Pure.
 */
import { recordLabel } from '../records/expected.js'
import type { Delegation, Detail, FixStep, ResolverGroup, SeenRecord } from '../diagnose/types.js'
import {
  describeDmarcDifference,
  describeDmarcOutcome,
  describeDmarcProblems
} from './dmarc-words.js'
import type { FixWords } from './fix-words.js'
import { code, join, rich, type Rich } from './rich.js'

const missingText = (name: string, rcode: string): string =>
  rcode === 'NXDOMAIN' ? `${name} does not exist (NXDOMAIN)` : `${name} has no such record (NODATA)`

const records = (seen: SeenRecord[]): string =>
  seen.map((r) => `${r.type} ${r.type === 'TXT' ? `"${r.data}"` : r.data}`).join(', ')

const quoted = (texts: string[]): string => texts.map((t) => `"${t}"`).join(', ')

const excerpt = (text: string, max = 60): string =>
  text.length > max ? `${text.slice(0, max)}…` : text

/** A time as people read it: to the minute, in UTC, rounded up so "until" is never early. */
export function untilTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const minute = new Date(Math.ceil(date.getTime() / 60_000) * 60_000).toISOString()
  return `${minute.slice(0, 10)} ${minute.slice(11, 16)} UTC`
}

/** What each group of resolvers said, for the fleet findings. */
function groupsText(groups: ResolverGroup[]): Rich {
  return join(
    groups.map((g) =>
      g.code === 'ok'
        ? rich`${g.resolvers.join(', ')}: right`
        : rich`${g.resolvers.join(', ')}: ${g.code} (${describe(g.detail)})`
    ),
    '; '
  )
}

const COMPLIANCE_HINTS: Record<string, string> = {
  initial:
    'Mailtrap has not started checking the domain: open its page in Mailtrap and finish the setup.',
  pending: 'Mailtrap is still checking the domain; run the check again later.',
  pending_cc: "Mailtrap waits for the payment card: verify it in Mailtrap's billing settings.",
  exhausted: "The domain's sending quota is used up: upgrade the plan or wait for the next period.",
  unverified_dns:
    'Fix the DNS records as the other findings say; Mailtrap verifies them within the hour, or at once with "Re-check DNS Records".',
  missing_company_info: "Fill in the company information in Mailtrap's compliance form.",
  awaiting_questionnaire: "Answer the compliance questionnaire on the domain's page in Mailtrap.",
  awaiting_card_verification: "Verify the payment card in Mailtrap's billing settings.",
  under_review: 'Mailtrap is reviewing the domain, usually for minutes; nothing to do but wait.',
  demo: "This is Mailtrap's demo domain: it sends only to the account owner's address; add a domain of your own to send to anybody.",
  demo_exhausted: "The demo domain's quota is used up: add a domain of your own.",
  non_compliant:
    "Mailtrap found the domain non-compliant: read the reason on the domain's page in Mailtrap and contact Mailtrap support.",
  suspended: 'Mailtrap suspended the domain: contact Mailtrap support.'
}

const label = recordLabel

/** The message of a finding: what was found, in one or two sentences. */
export function describe(d: Detail): Rich {
  switch (d.kind) {
    case 'unconfigured':
      return rich`The host of the verification CNAME is chosen by Mailtrap for each domain and is not known here.`
    case 'no-answer':
      return [d.error]
    case 'chain-unfollowed':
      return rich`The CNAME chain at ${d.name} leaves the zone at ${d.end}, and nothing could ask that zone's servers: ${d.why}. Where the chain ends is not known, so neither is the record.`
    case 'referral':
      return rich`${d.resolver} does not hold this name: it refers the question to ${d.servers.join(', ')}, the servers ${d.cut} is delegated to.`
    case 'rcode':
      return rich`${d.resolver} answered ${d.rcode}, which says nothing about the record.`
    case 'missing':
      return rich`${missingText(d.name, d.rcode)}.`
    case 'wildcard':
      return rich`There is no ${d.type} record at ${d.name}: the wildcard ${d.wildcard} answers for it (${records(d.answers)}).`
    case 'cname-ok':
      return rich`${d.name} is a CNAME to ${d.target}.`
    case 'cname-beside-data': {
      const types = [...new Set(d.others.map((r) => r.type))].join(', ')
      return rich`${d.name} has a CNAME to ${d.target} and also ${types} data (${records(d.others)}): a CNAME must stand alone at its name (RFC 1034 3.6.2), so servers refuse or answer at random.`
    }
    case 'value-suffixed':
      return rich`${d.name} points to ${d.target}: the zone was appended to the target ${d.expected}.`
    case 'swapped':
      return rich`${d.name} points to ${d.target}, the target of ${label(d.sibling)}: the two records are swapped${d.suffixed ? ', and the zone was appended to the target' : ''}.`
    case 'cname-loop':
      return rich`${d.name} is a CNAME to ${d.target}, which leads back to it (${[d.name, ...d.chain].join(' → ')}): a loop, which resolvers answer with SERVFAIL.`
    case 'cname-chain':
      return rich`${d.name} reaches ${d.expected} only through a chain of CNAMEs (${[d.name, ...d.chain].join(' → ')}); Mailtrap expects the CNAME to point at it directly.`
    case 'other-provider':
      return rich`${d.name} is a CNAME to ${d.target}, a record of ${d.provider}, where Mailtrap's CNAME belongs: a leftover of the previous provider.`
    case 'wrong-target':
      return rich`${d.name} is a CNAME to ${d.target}, not to ${d.expected}.`
    case 'doubled-name': {
      const what = d.type === 'CNAME' ? 'The CNAME is' : 'The TXT record is'
      const also = d.otherTarget ? ` (and its target, ${d.otherTarget}, is not ${d.expected})` : ''
      return rich`${what} at ${d.doubled}, not at ${d.name}: the full name was typed where only the part before ${d.apex} belongs, so ${d.apex} was appended again${also}.`
    }
    case 'leftover-txt':
      return rich`${d.name} holds a TXT record of another provider (${excerpt(d.text)}) where Mailtrap's CNAME belongs.`
    case 'target-as-txt':
      return rich`${d.name} is a TXT record holding ${d.expected}: the target was entered as a TXT record, where a CNAME belongs.`
    case 'txt-at-cname':
      return rich`${d.name} holds TXT ${quoted(d.texts)} where a CNAME belongs.`
    case 'proxied':
      return rich`${d.name} answers ${records(d.addresses)} instead of a CNAME: the CNAME is flattened or proxied, or an address record stands in its place.`
    case 'cname-at-txt':
      return rich`${d.name} is a CNAME to ${d.target} where a TXT record belongs.`
    case 'dmarc-at-domain':
      return rich`${missingText(d.name, d.rcode)}; a DMARC record sits at ${d.domain} itself, where receivers never look for it.`
    case 'via-cname':
      return rich`${d.name} is a CNAME to ${d.end}: ${describe(d.inner)}`
    case 'dmarc-via-cname':
      return rich`${d.name} is a CNAME to ${d.end}, whose DMARC record is Mailtrap's: receivers follow the CNAME, but Mailtrap expects the TXT record at ${d.name} itself.`
    case 'from-wildcard':
      return rich`${describe(d.inner)} It comes from the wildcard ${d.wildcard}: there is no TXT record at ${d.name} itself.`
    case 'quoted':
      return rich`The TXT record at ${d.name} holds literal quote characters, as in ${code(d.text)}.`
    case 'duplicate':
      return d.record === 'DMARC'
        ? rich`${d.count} DMARC records at ${d.name}: with more than one, receivers apply none (RFC 7489 6.6.3).`
        : rich`${d.count} SPF records at ${d.name}: with more than one, SPF checks fail with a permanent error (RFC 7208 4.5).`
    case 'no-dmarc':
      return rich`${d.name} has TXT ${quoted(d.texts)} but no DMARC record (v=DMARC1).`
    case 'dmarc-malformed':
      return rich`The DMARC record at ${d.name} is malformed: ${describeDmarcProblems(d).join('; ')}. ${describeDmarcOutcome(d)}`
    case 'dmarc-differs':
      return rich`The DMARC record at ${d.name} is valid but not Mailtrap's: ${d.differences.map(describeDmarcDifference).join('; ')}.`
    case 'dmarc-ok':
      return rich`DMARC at ${d.name} matches.`
    case 'spf-missing':
      return rich`${d.name} has no SPF record (v=spf1).`
    case 'spf-ok':
      return rich`SPF at ${d.name} includes Mailtrap.`
    case 'spf-lacks':
      return rich`The SPF record at ${d.name} is ${code(d.record)} and lacks what ${code(d.expected)} includes.`
    case 'propagating':
      return rich`The authoritative servers answer ${d.name} right; caches still serve the old answer (${groupsText(d.groups)}) for up to ${d.seconds} s more, until ${untilTime(d.expiresAt)}.`
    case 'inconsistent':
      return rich`Resolvers disagree about ${d.name}: ${groupsText(d.groups)}.`
    case 'out-of-sync':
      return rich`The authoritative servers disagree about ${d.name}: ${groupsText(d.groups)}.`
    case 'lame':
      return rich`A name server of the zone did not answer authoritatively for ${d.name}: ${d.servers.map((s) => `${s.resolver}: ${s.why}`).join('; ')}.`
    case 'half-migrated':
      return rich`The zone is delegated to the servers of two DNS hosts, and they disagree about ${d.name}: ${groupsText(d.groups)}. ${d.right.join(', ')} hold the record, ${d.wrong.join(', ')} do not, so resolvers get either answer: a move between DNS hosts, half done.`
    case 'lame-delegation': {
      const { cut, servers } = d.delegation
      return rich`${d.resolver} refers ${d.name} to ${cut}, delegated to ${servers.map((s) => s.server).join(', ')}, which do not serve it (${servers.map((s) => `${s.server}: ${s.why}`).join('; ')}): a lame delegation, so nothing below ${cut} resolves.`
    }
    case 'not-delegated': {
      const { zone, delegatedTo, heldBy } = d.delegation
      const moving = halfMoved(d.delegation)
      if (moving) {
        const where = [
          moving.parentOnly.length > 0
            ? `the parent zone still delegates ${zone} to ${moving.parentOnly.join(', ')} as well`
            : '',
          moving.zoneOnly.length > 0
            ? `the NS records of ${zone} also list ${moving.zoneOnly.join(', ')}, which the parent zone does not delegate to`
            : ''
        ].filter(Boolean)
        return rich`${d.name} is right on the server asked, whose copy of ${zone} lists ${heldBy.join(', ')}, but ${where.join(', and ')}; resolvers get another answer (${groupsText(d.groups)}): a move between DNS hosts, half done. This will not propagate.`
      }
      return rich`${d.name} is right on ${heldBy.join(', ')}, the servers that hold the records, but the parent zone delegates ${zone} to ${delegatedTo.join(', ')}, and resolvers, which ask those, get another answer (${groupsText(d.groups)}). This will not propagate: the registrar points elsewhere.`
    }
    case 'mailtrap-unchecked':
      return rich`Mailtrap has not checked the ${d.key} record yet${d.status ? ` (status ${d.status})` : ''}; DNS is right now.`
    case 'mailtrap-stale':
      return rich`DNS is right now, but Mailtrap's last check of the ${d.key} record said ${d.status}: Mailtrap has not re-checked since the fix.`
    case 'mailtrap-will-fail':
      return rich`Mailtrap's last check of the ${d.key} record passed, but DNS fails now: Mailtrap will mark it failing at its next check.`
    case 'config-drift': {
      const parts = d.differences.map((p) =>
        p.field === 'host'
          ? `the host ${p.pinned}, where Mailtrap's API has ${p.api}`
          : p.field === 'tracking'
            ? `tracking: ${p.pinned}, where Mailtrap's API has custom-domain tracking ${p.api === 'true' ? 'on' : 'off'}`
            : `the value "${p.pinned}", where Mailtrap's API has "${p.api}"`
      )
      return rich`domains.yaml pins ${parts.join(', and ')}. The API's value is what is checked.`
    }
    case 'not-in-account':
      return rich`${d.domain} is not a sending domain of the Mailtrap account: Mailtrap will not send for it.`
    case 'compliance':
      return rich`Mailtrap's compliance status of ${d.domain} is ${d.status}: only compliant domains may send.`
    case 'mailtrap-unreachable':
      return rich`Mailtrap's API could not be asked, so Mailtrap's view of the domain is not known: ${d.error}`
    case 'create-failed':
      return rich`${d.domain} could not be added in Mailtrap: ${d.error}`
    case 'not-verified':
      return rich`Mailtrap has not verified the DNS records of ${d.domain} yet: it does not send for it until it has.`
    case 'zone-not-delegated':
      return rich`${d.zone} is not delegated: the ${d.parent} registry answers that it does not exist, so no record in it can be found yet.`
    case 'zone-file':
      return rich`${d.file}:${d.line}: ${d.message}. This check reads it, but a server such as Knot refuses to load the zone, so the live records would not change.`
    case 'generic-ok':
      return rich`${d.name} has the ${d.type} record Mailtrap lists.`
    case 'generic-wrong':
      return rich`${d.name} has ${d.type} ${quoted(d.found)}, not the ${d.type} record Mailtrap lists (${code(d.expected)}).`
  }
}

/**
 * A delegation moved only in part: the parent's NS set and the zone's own share a server, and
 * one of them lists servers the other does not (the old host's). Undefined when they share
 * none (the records are where no resolver looks at all).
 */
function halfMoved(
  delegation: Delegation
): { parentOnly: string[]; zoneOnly: string[] } | undefined {
  const { delegatedTo, heldBy } = delegation
  if (!delegatedTo.some((ns) => heldBy.includes(ns))) return undefined
  return {
    parentOnly: delegatedTo.filter((ns) => !heldBy.includes(ns)),
    zoneOnly: heldBy.filter((ns) => !delegatedTo.includes(ns))
  }
}

/** One fix step in the words of the zone's DNS host. */
function step(s: FixStep, w: FixWords): Rich {
  switch (s.action) {
    case 'add':
      return w.add(s.record.type, s.record.name, s.record.value ?? '')
    case 'set-value': {
      const { type, name, value = '' } = s.record
      const what = type === 'CNAME' ? 'the CNAME' : `the ${type} record`
      const fill = type === 'CNAME' ? w.target(value) : w.text(value)
      const keep = s.provider
        ? ` (if ${s.provider} still sends for the domain, it keeps its own records under its own names)`
        : ''
      return rich`Edit ${what} at ${code(w.label(name))} and enter ${fill}${keep}.`
    }
    case 'delete':
      if (s.note === 'old-beside-cname')
        return rich`Delete the old TXT record at ${code(w.label(s.record.name))} (a CNAME cannot stand beside it).`
      if (s.note === 'dmarc')
        return rich`Delete the DMARC TXT record at ${code(w.label(s.record.name))}.`
      return rich`Delete the ${s.record.type} record ${code(w.label(s.record.name))}.`
    case 'keep-only': {
      const keep = s.keep === 'CNAME' ? 'the CNAME' : 'the TXT record; delete the CNAME too'
      return rich`Delete the ${s.drop.join(', ')} record(s) at ${code(w.label(s.name))} and keep only ${keep}.`
    }
    case 'replace-with-txt':
      return rich`Replace the CNAME at ${code(w.label(s.record.name))} with the TXT record: ${w.addLower('TXT', s.record.name, s.record.value ?? '')}`
    case 'keep-one':
      return rich`Delete all but one TXT record at ${code(w.label(s.record.name))}; keep ${code(s.record.value ?? '')}.`
    case 'merge-spf':
      return rich`Keep one ${code('v=spf1')} TXT record at ${code(w.label(s.record.name))} and delete the others; set the one you keep to ${w.text(s.record.value ?? '')}.`
    case 'proxy-off':
      return rich`${w.proxy()} If it is an A/AAAA record instead, delete it; ${w.addLower('CNAME', s.record.name, s.record.value ?? '')}`
    case 'pin-or-set':
      return rich`If the policy is yours on purpose, pin it in domains.yaml (${code('records: { dmarc: { value: "..." } }')}); else edit the TXT record at ${code(w.label(s.record.name))} and enter ${w.text(s.record.value ?? '')}.`
    case 'wait':
      return rich`Nothing to change: wait until ${untilTime(s.until)}, or run ${code('mailtrap-dns-verify wait')} to gate on it.`
    case 'fix-zone-file':
      return rich`Fix ${code(`${s.file}:${s.line}`)} so that every DNS server loads the file, then run the check again.`
    case 'delegate':
      return rich`Register ${code(s.zone)}, or set its name servers at the registrar (its NS records in the parent zone), then add the records below at that DNS host; nothing is to be changed in the parent zone.`
    case 'retry-mailtrap':
      return rich`Check the token, the account and that Mailtrap's API is reachable from here, then run the check again.`
    case 'follow-chain':
      return w.followChain(s.direct)
    case 'retry-resolver':
      return rich`Check that this resolver is reachable from here, then run the check again.`
    case 'ask-authoritative':
      return rich`A recent change may still be propagating. Ask the zone's own servers to settle it: add ${code('authoritative')} to the resolvers (or ${code('--authoritative ADDR')}).`
    case 'fix-transfer':
      return rich`A secondary has not transferred the zone since the change: check its zone transfers (NOTIFY/AXFR) and that the SOA serial was increased.`
    case 'fix-lame':
      return rich`Remove the server from the NS records at the registrar and in the zone, or make it serve the zone.`
    case 'finish-migration':
      return rich`Finish the move: set the domain's name servers at your registrar (and the NS records in the zone) to ${s.right.join(', ')} only, or add the records at the host of ${s.wrong.join(', ')} too.`
    case 'fix-lame-delegation':
      return rich`Make ${s.servers.join(', ')} serve ${s.cut}, or change the NS records of ${s.cut} in its parent zone to servers that do serve it (or remove the delegation and put the records in the parent zone).`
    case 'fix-delegation': {
      const { zone, delegatedTo, heldBy } = s.delegation
      const moving = halfMoved(s.delegation)
      if (moving) {
        const old = [...moving.parentOnly, ...moving.zoneOnly]
        const kept = heldBy.filter((ns) => delegatedTo.includes(ns))
        const steps = [
          moving.parentOnly.length > 0
            ? `set the name servers of ${zone} at your registrar to ${kept.join(', ')} only`
            : '',
          moving.zoneOnly.length > 0
            ? `remove ${moving.zoneOnly.join(', ')} from the NS records of ${zone}`
            : ''
        ].filter(Boolean)
        return rich`Finish the move: ${steps.join(', and ')}; or add the records at the host of ${old.join(', ')} too.`
      }
      return rich`${zone} is delegated to ${delegatedTo.join(', ')}; the records are on ${heldBy.join(', ')}: change the name servers of ${zone} at your registrar to ${heldBy.join(', ')}, or add the records at the host of ${delegatedTo[0] ?? 'the delegated servers'}.`
    }
    case 'set-verification':
      return rich`Set ${code('verification: mtNN')} for this domain in domains.yaml: the host of the "Domain verification" CNAME on the domain's page in Mailtrap.`
    case 'mailtrap-recheck':
      return s.stale
        ? rich`Press "Re-check DNS Records" on the domain's page in Mailtrap, or wait for its hourly check; until then Mailtrap does not count the record as verified.`
        : rich`Mailtrap checks about hourly; press "Re-check DNS Records" on the domain's page in Mailtrap to hurry it.`
    case 'fix-before-recheck':
      return rich`Fix the record as the other findings say before Mailtrap re-checks.`
    case 'update-config':
      return rich`Update domains.yaml to match Mailtrap (or remove the pin), so checks without a token expect the same.`
    case 'add-to-mailtrap':
      return rich`Add it in Mailtrap (Sending Domains, then Add Domain) and set its records, or remove it from domains.yaml.`
    case 'compliance':
      return [COMPLIANCE_HINTS[s.status] ?? "See the domain's page in Mailtrap for the next step."]
  }
}

/** The hint of a finding: its fix steps, one after the other. */
export function fixText(steps: FixStep[], words: FixWords): Rich {
  return join(
    steps.map((s) => step(s, words)),
    ' '
  )
}
