import { docsLink } from '../diagnose/codes.js'
import { dnsHostById } from '../diagnose/dns-hosts.js'
import type { Finding, FixStep } from '../diagnose/types.js'
import { FixWords } from './fix-words.js'
import { toPlain } from './rich.js'
import { describe, fixText } from './wording.js'

/** One field of a DNS host's record form and what to type in it. */
export interface FormField {
  field: string
  value: string
}

/** A fix step as the report carries it: the step, and for a record to enter, the form's fields. */
export type FixStepReport = FixStep & { fields?: FormField[] }

/**
 * A finding as the report carries it: its data, its words as plain text (`message`, `hint`),
 * the link to its section of docs/checks.md, and fix steps with the fields to type.
 */
export interface FindingReport extends Omit<Finding, 'fix'> {
  message: string
  hint: string
  docs: string
  fix: FixStepReport[]
}

/** The fix wording for a zone and the DNS host that serves it (by id, as reports carry it). */
export function wordsFor(zone: string, dnsHostId: string | undefined): FixWords {
  return new FixWords(zone, dnsHostById(dnsHostId))
}

/** A finding with its words and form fields, for the zone's DNS host. */
export function reportFinding(finding: Finding, words: FixWords): FindingReport {
  return {
    ...finding,
    message: toPlain(describe(finding.detail)),
    hint: toPlain(fixText(finding.fix, words)),
    docs: docsLink(finding.code),
    fix: finding.fix.map((step) => {
      if ((step.action === 'add' || step.action === 'set-value') && step.record.value !== undefined)
        return {
          ...step,
          fields: words.fields(step.record.type, step.record.name, step.record.value)
        }
      return step
    })
  }
}
