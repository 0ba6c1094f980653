/**
 * DNS names, in one place: how they are normalised, compared, split into labels, made relative
 * to a zone apex and turned into ASCII. Names are kept in presentation form: lower-case, no
 * trailing dot, a dot inside a label escaped as `\.` (so `a\.b.example` has two labels, not
 * three). Pure and dependency-free, so every floor of the project can use it.
 */
import { domainToASCII } from 'node:url'

/** True when the character at `index` is escaped by an odd run of backslashes before it. */
function escapedAt(name: string, index: number): boolean {
  let slashes = 0
  for (let i = index - 1; i >= 0 && name[i] === '\\'; i--) slashes++
  return slashes % 2 === 1
}

/** Lower-case, without the trailing (root) dot: the form names are compared in. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') && !escapedAt(lower, lower.length - 1) ? lower.slice(0, -1) : lower
}

/** True when two names are the same DNS name (case and the trailing dot do not count). */
export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b)
}

/** The labels of a name, split on the dots that are not escaped (`a\.b` is one label). */
export function splitLabels(name: string): string[] {
  const normalized = normalizeName(name)
  if (normalized === '') return []
  const labels: string[] = []
  let start = 0
  for (let i = 0; i < normalized.length; i++) {
    if (normalized[i] === '.' && !escapedAt(normalized, i)) {
      labels.push(normalized.slice(start, i))
      start = i + 1
    }
  }
  labels.push(normalized.slice(start))
  return labels
}

/** The name one label up (`b.c` for `a.b.c`); the empty string above a single label. */
export function parentName(name: string): string {
  return splitLabels(name).slice(1).join('.')
}

/** True when `name` is `apex` or below it, label by label. */
export function isAtOrBelow(name: string, apex: string): boolean {
  const n = normalizeName(name)
  const a = normalizeName(apex)
  if (a === '') return true
  if (n === a) return true
  if (!n.endsWith(`.${a}`)) return false
  // The dot before the apex must itself be a label boundary, not an escaped dot.
  return !escapedAt(n, n.length - a.length - 1)
}

/** The name to type in a zone of `apex`: `@` for the apex, the labels before it, else `name.`. */
export function relativeName(name: string, apex: string): string {
  const n = normalizeName(name)
  const a = normalizeName(apex)
  if (n === a) return '@'
  return isAtOrBelow(n, a) ? n.slice(0, -(a.length + 1)) : `${n}.`
}

/**
 * A host relative to a domain as configs and APIs write it (`MT07.`, `@`, or `""` for the
 * apex): lower-case, no trailing dot, `@` for the apex.
 */
export function normalizeHost(host: string): string {
  return normalizeName(host.trim()) || '@'
}

/** `host` joined to `domain`; `@` is the domain itself. */
export function qualify(host: string, domain: string): string {
  return host === '@' ? domain : `${host}.${domain}`
}

/**
 * Lower-case, no trailing dot, internationalised labels in punycode (`bücher.example` →
 * `xn--bcher-kva.example`), so that names compare as DNS compares them.
 */
export function toAsciiName(name: string): string {
  const trimmed = normalizeName(name.trim())
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(trimmed)) return trimmed
  return domainToASCII(trimmed) || trimmed
}

/**
 * True for a host relative to a domain that a record can be created at: `@`, or labels of
 * letters, digits, `-` and `_` (1 to 63 each, 253 in all). What an API lists is checked with
 * this before any fix tells a user to create it (`a b`, `a..b`, `*` are not).
 */
export function isRecordHost(host: string): boolean {
  if (host === '@') return true
  if (host.length === 0 || host.length > 253) return false
  return host.split('.').every((label) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label))
}
