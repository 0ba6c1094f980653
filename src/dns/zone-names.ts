/**
 * Names as the zone-file source holds them: the canonical text of zone-rdata.ts (lower-case, no
 * trailing dot, the root as '', `\.` and `\\` escaped within a label), taken apart by labels.
 */
import { excerpt } from './excerpt.js'

/** Labels of a canonical name, split on the dots that are not escaped (`a\.b` is one label). */
export function splitLabels(name: string): string[] {
  if (name === '') return []
  const labels: string[] = []
  let label = ''
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string
    if (c === '\\') {
      label += c + (name[i + 1] ?? '')
      i++
    } else if (c === '.') {
      labels.push(label)
      label = ''
    } else {
      label += c
    }
  }
  labels.push(label)
  return labels
}

/** The name without its first label; the root's parent is the root. */
export function parentName(name: string): string {
  // Called for every record of a zone: a scan to the first unescaped dot, not a split.
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x2e) return name.slice(i + 1)
  }
  return ''
}

export function childName(label: string, name: string): string {
  return name === '' ? label : `${label}.${name}`
}

/** Whether `name` is `apex` or below it, label by label. */
export function isAtOrBelow(name: string, apex: string): boolean {
  if (apex === '' || name === apex) return true
  const dot = name.length - apex.length - 1
  if (dot < 0 || !name.endsWith(apex) || name.charCodeAt(dot) !== 0x2e) return false
  // The dot must end a label, not be an escaped one (`a\.example.com` is not below `example.com`).
  let i = 0
  while (i < dot) i += name.charCodeAt(i) === 0x5c ? 2 : 1
  return i === dot
}

/** A name as error messages quote it: a short escaped excerpt, the root as `.`. */
export function show(name: string): string {
  return name === '' ? '.' : excerpt(name)
}
