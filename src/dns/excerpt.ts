/**
 * Short, escaped excerpts of untrusted input for error messages. A zone file from a pull
 * request may be anything (a link to the runner's environment, a terminal escape sequence),
 * and its errors end up in logs and annotations, so a message never carries more than a few
 * dozen characters of it and never a control character.
 */

/** How many characters of one piece of input a message may quote. */
export const EXCERPT_CHARS = 40

/**
 * Control characters (C0, DEL, C1) and the invisible format characters that reorder or hide
 * text (bidi controls, zero-width spaces, the BOM), which a terminal or a browser would act on.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/gu

/** `text` with every unsafe character written as `\xNN` (below U+0100) or `\u{N}`. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0) as number
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

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
