import { printable } from '../text/printable.js'
import { isSilence, silentResolvers } from './silence.js'
import type { RecordStatus } from '../diagnose/types.js'
import { recordLabel } from '../records/expected.js'
import type { ChainHopReport, DomainReport, Report } from './report.js'
import { chainsOf } from './observations.js'
import { reportJson } from './json-stream.js'

const SGR: Record<RecordStatus | 'dim' | 'bold', string> = {
  pass: '32',
  warn: '33',
  fail: '31',
  unknown: '35',
  dim: '2',
  bold: '1'
}

/** Strip control characters from untrusted text so a DNS answer cannot drive the terminal. */
const clean = printable

/** Mailtrap's own word on the domain, after its name. */
function mailtrapLine(d: DomainReport): string {
  const m = d.mailtrap
  if (!m) return ''
  if ('error' in m) return ` (Mailtrap could not be asked: ${clean(m.error)})`
  if ('found' in m) return ' (not a sending domain of the Mailtrap account)'
  return ` (Mailtrap: ${clean(m.complianceStatus)}${m.canSend ? '' : ', cannot send yet'}; DNS ${m.dnsVerified ? 'verified' : 'not verified'})`
}

/**
 * The report for a terminal or a log: one block per domain, a line per record, the finding
 * and its fix under it. Colour only when asked (the CLI asks when stdout is a TTY).
 */
export function renderText(report: Report, options: { color: boolean }): string {
  const paint = (style: keyof typeof SGR, text: string): string =>
    options.color ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text
  const lines: string[] = []
  for (const d of report.domains) {
    lines.push(
      paint('bold', clean(d.domain)) +
        ` ${paint(d.status, d.status.toUpperCase())}${mailtrapLine(d)}`
    )
    for (const f of d.findings) {
      lines.push(
        `  ${paint(f.severity === 'error' ? 'fail' : 'warn', f.code)}: ${clean(f.message)}`
      )
      if (f.hint) lines.push(`  ${paint('dim', 'fix:')} ${clean(f.hint)}`)
    }
    for (const r of d.records) {
      const label = recordLabel(r.key).padEnd(20)
      const status = paint(
        r.checked ? r.status : 'dim',
        (r.checked ? r.status : 'not known').padEnd(10)
      )
      lines.push(
        `  ${label}${status}${clean(r.type).padEnd(6)}${r.name === null ? '(name not known)' : clean(r.name)}`
      )
      const verdicts = r.observations.map(
        (o) => `${clean(o.resolver)} ${o.verdict ?? o.rcode ?? 'error'}`
      )
      if (new Set(r.observations.map((o) => o.verdict)).size > 1) {
        lines.push(`      ${paint('dim', 'answers:')} ${verdicts.join(', ')}`)
      }
      for (const f of r.findings.filter((f) => !isSilence(f))) {
        const who = f.resolvers.length ? ` [${f.resolvers.map(clean).join(', ')}]` : ''
        lines.push(
          `      ${paint(f.severity === 'error' ? 'fail' : f.severity === 'warning' ? 'warn' : 'dim', f.code)}${who}: ${clean(f.message)}`
        )
        if (f.hint) lines.push(`      ${paint('dim', 'fix:')} ${clean(f.hint)}`)
        for (const o of chainsOf(r, f.resolvers)) {
          lines.push(`      ${paint('dim', `chain (${clean(o.resolver)}):`)} ${chainText(o.chain)}`)
        }
      }
      // A resolver left silent by a chain whose end could not be asked: the chain as far as it went.
      const silent = r.findings.filter(isSilence).flatMap((f) => f.resolvers)
      for (const o of chainsOf(r, silent)) {
        lines.push(
          `      ${paint('dim', `chain (${clean(o.resolver)}), not followed to its end:`)} ${chainText(o.chain)}`
        )
      }
    }
    if (d.fix) {
      const host = d.dnsHost ? ` (DNS host: ${clean(d.dnsHost.name)})` : ''
      lines.push(
        `  ${paint('dim', `The records as they should be, for the zone ${clean(d.zone)}${host}:`)}`
      )
      lines.push(
        ...d.fix
          .trimEnd()
          .split('\n')
          .map((l) => `    ${clean(l)}`)
      )
    }
    lines.push('')
  }
  for (const s of silentResolvers(report)) {
    lines.push(
      `${paint('unknown', 'no answer')} from ${clean(s.resolver)} for ${s.records} record${s.records === 1 ? '' : 's'}: ${clean(s.error)}`
    )
  }
  if (report.deadlinePassed)
    lines.push('The deadline passed: the questions still open were given up on (unknown).', '')
  const s = report.summary
  lines.push(
    `${s.domains} domain${s.domains === 1 ? '' : 's'}: ${paint('pass', `${s.pass} pass`)}, ${paint('warn', `${s.warn} warn`)}, ${paint('fail', `${s.fail} fail`)}, ${paint('unknown', `${s.unknown} unknown`)} (resolvers: ${report.resolvers.map((r) => clean(r.name)).join(', ')})`
  )
  return lines.join('\n') + '\n'
}

/** A chain on one line: each hop with its TTL and the server that answered it. */
function chainText(chain: ChainHopReport[]): string {
  return chain
    .map((h) => {
      if (h.data === undefined)
        return `${clean(h.name)} ${clean(h.type)}: ${clean(h.rcode ?? 'no answer')} (${clean(h.server)})`
      const data = h.type === 'TXT' ? `"${h.data}"` : h.data
      return `${clean(h.name)} ${clean(h.type)} ${clean(data)} (TTL ${h.ttl}, ${clean(h.server)})`
    })
    .join(' → ')
}

/** The JSON report, schema version 1. */
export function renderJson(report: Report): string {
  return reportJson(report)
}
