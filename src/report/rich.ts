/**
 * Text as data: plain spans and code spans (names, values, commands to type). The wording in
 * report/ builds it once; each medium renders it its own way: a terminal and annotations as
 * plain text, Markdown with code spans, every untrusted character made inert.
 */
import { printable } from '../text/printable.js'

export type Span = string | { code: string }
export type Rich = Span[]

/** A value to show as code: a name to type, a record value, a command. */
export function code(text: string): Span {
  return { code: text }
}

/**
 * Build rich text from a template: interpolated strings and numbers are plain text, spans and
 * rich text are kept as they are.
 */
export function rich(
  strings: TemplateStringsArray,
  ...values: (string | number | Span | Rich)[]
): Rich {
  const out: Rich = []
  strings.forEach((text, i) => {
    if (text) out.push(text)
    if (i >= values.length) return
    const value = values[i]!
    if (Array.isArray(value)) out.push(...value)
    else if (typeof value === 'number') out.push(String(value))
    else out.push(value)
  })
  return out
}

/** Spans joined by `separator`. */
export function join(parts: Rich[], separator: string): Rich {
  return parts.flatMap((part, i) => (i === 0 ? part : [separator, ...part]))
}

/** The same text with its first letter in lower case: a sentence continued after a semicolon. */
export function lowerFirst(text: Rich): Rich {
  const [first, ...rest] = text
  if (typeof first !== 'string') return text
  return [first.charAt(0).toLowerCase() + first.slice(1), ...rest]
}

/** Plain text: code spans as their bare text (a terminal, a log line, an annotation, JSON). */
export function toPlain(text: Rich): string {
  return printable(text.map((span) => (typeof span === 'string' ? span : span.code)).join(''))
}

/**
 * Make untrusted text (DNS answers, API messages) inert in Markdown, inside a table cell or
 * out of it: every character that could open HTML, a link, emphasis, a code span, a table
 * cell, an @mention or a #reference becomes a numeric character reference, which GitHub
 * shows as the character and never interprets.
 */
export function escapeMarkdown(text: string): string {
  return (
    printable(text.replace(/\r?\n|\r/g, ' '))
      .replace(/[&<>"'|`*_{}[\]()#+!~\\@:]/g, (c) => `&#${c.charCodeAt(0)};`)
      // GitHub links `www.x` by itself; a reference for the dot keeps it text.
      .replace(/www\./gi, (w) => `${w.slice(0, 3)}&#46;`)
  )
}

/** Markdown: code spans as `<code>`, everything escaped. */
export function toMarkdown(text: Rich): string {
  return text
    .map((span) =>
      typeof span === 'string' ? escapeMarkdown(span) : `<code>${escapeMarkdown(span.code)}</code>`
    )
    .join('')
}
