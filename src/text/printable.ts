/**
 * The one filter every piece of untrusted text goes through before it is shown anywhere: the
 * terminal, a log line, an annotation, Markdown. Control characters (C0, DEL, C1), line and
 * paragraph separators, and the invisible format characters that reorder or hide text (bidi
 * controls such as U+202E, zero-width spaces, the BOM) are written as visible escapes
 * (`\x1b`, `\u{202e}`), so a DNS answer or an API message can neither drive a terminal nor
 * hide or reverse what a reader sees.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/gu

/** `text` with every unsafe character written as `\xNN` (below U+0100) or `\u{N}`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0) as number
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

/** True when `text` holds nothing {@link printable} would escape. */
export function isPrintable(text: string): boolean {
  UNSAFE.lastIndex = 0
  return !UNSAFE.test(text)
}
