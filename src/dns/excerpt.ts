/**
 * Short, escaped excerpts of untrusted input for error messages. A zone file from a pull
 * request may be anything (a link to the runner's environment, a terminal escape sequence),
 * and its errors end up in logs and annotations, so a message never carries more than a few
 * dozen characters of it and never a control character.
 */

import { printable } from '../text/printable.js'

/** How many characters of one piece of input a message may quote. */
export const EXCERPT_CHARS = 40

/** `text` with every unsafe character escaped: the project's one filter (text/printable.ts). */
export const escapeControls = printable

/**
 * At most `max` characters of `text` (code points, not cutting a surrogate pair), escaped as
 * {@link escapeControls} does, with `…` when something was cut.
 */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  // Slicing first keeps the work bounded whatever the input's size.
  const head = text.slice(0, max * 2 + 2)
  const chars = Array.from(head)
  const cut = chars.length > max || head.length < text.length
  return escapeControls(chars.slice(0, max).join('')) + (cut ? '…' : '')
}
