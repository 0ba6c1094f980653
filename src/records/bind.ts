import { relativeName } from '../names/dns-names.js'
import type { ExpectedRecord } from './expected.js'

/** A TXT value as zone-file character-strings: quotes and backslashes escaped, 255 bytes each. */
function txtStrings(value: string): string {
  const escaped = (s: string): string => s.replace(/[\\"]/g, (c) => `\\${c}`)
  const chunks: string[] = []
  let rest = value
  while (rest.length > 255) {
    chunks.push(rest.slice(0, 255))
    rest = rest.slice(255)
  }
  chunks.push(rest)
  return chunks.map((c) => `"${escaped(c)}"`).join(' ')
}

/**
 * The records as they should be, ready to paste into a BIND zone file of `apex` (or to read
 * off into a DNS host's form): names relative to the zone, targets with their trailing dot.
 * Records whose name is not known are left out with a comment.
 */
export function renderBindSnippet(
  domain: string,
  apex: string,
  records: ExpectedRecord[],
  ttl = 3600
): string {
  const rows = records
    .filter((r): r is ExpectedRecord & { name: string } => r.name !== null)
    .map((r) => ({
      name: relativeName(r.name, apex),
      type: r.type,
      value: r.type === 'CNAME' ? `${r.value}.` : txtStrings(r.value)
    }))
  const width = Math.max(...rows.map((r) => r.name.length), 1)
  const lines = [`; ${domain}: the records Mailtrap expects`, `$ORIGIN ${apex}.`]
  for (const row of rows) {
    lines.push(`${row.name.padEnd(width)} ${ttl} IN ${row.type.padEnd(5)} ${row.value}`)
  }
  for (const r of records.filter((r) => r.name === null)) {
    lines.push(`; ${r.key}: the host is not known; set it in domains.yaml (\`verification: mtNN\`)`)
  }
  return lines.join('\n') + '\n'
}
