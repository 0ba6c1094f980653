import type { Finding } from '../../src/diagnose/types.js'
import { FixWords } from '../../src/report/fix-words.js'
import { toPlain } from '../../src/report/rich.js'
import { describe as describeDetail, fixText } from '../../src/report/wording.js'

/** A finding's message as the text report prints it. */
export function messageOf(finding: Finding): string {
  return toPlain(describeDetail(finding.detail))
}

/** A finding's fix as the text report prints it, in generic words for `apex`. */
export function hintOf(finding: Finding, apex: string): string {
  return toPlain(fixText(finding.fix, new FixWords(apex, undefined)))
}
