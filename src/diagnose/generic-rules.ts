/**
 * The rule for a record Mailtrap lists under a key the tool does not know (an inbound MX, a
 * future record): checked by type, name and value, and reported under its own key.
 */
import { normalizeName } from '../names/dns-names.js'
import { addStep, missing, type Rule, type Scene } from './cname-rules.js'
import { draft, seenOf } from './finding.js'

/** Values compare as DNS names for name-valued types, as text for TXT. */
function comparable(type: string, value: string): string {
  return type === 'TXT' ? value.trim() : normalizeName(value.trim().replace(/\s+/g, ' '))
}

export const GENERIC_RULES: Rule[] = [
  {
    judge(s: Scene) {
      const { expected } = s
      const found = s.atName.filter((r) => r.type === expected.type)
      if (found.length === 0) return missing(s)
      const want = comparable(expected.type, expected.value)
      if (found.some((r) => comparable(expected.type, r.data) === want)) {
        const detail = { kind: 'generic-ok' as const, name: expected.name, type: expected.type }
        return draft('ok', detail, [], seenOf(found))
      }
      return draft(
        'wrong-value',
        {
          kind: 'generic-wrong',
          name: expected.name,
          type: expected.type,
          found: found.map((r) => r.data),
          expected: expected.value
        },
        [addStep(s)],
        seenOf(found)
      )
    }
  }
]
