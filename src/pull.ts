/**
 * `mailtrap-dns-verify pull`: asks Mailtrap's API what it knows about the account's sending
 * domains and writes it into `domains.yaml` (see `config/pull.ts` for what and how), or with
 * `--check` only says whether the file is current, with the diff, for CI. The token is never
 * printed: messages from the API come redacted from the client, and nothing the API lists that
 * holds the token goes into the file or the output.
 */
import { printable } from './text/printable.js'
import { chmod, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { loadConfigLazy } from './config/load-config-lazy.js'
import {
  pullConfig,
  type PullDefaults,
  type PullResult,
  type PullSourceDomain,
  type TextEdit
} from './config/pull.js'
import { UsageError } from './errors.js'
import { createMailtrapClient, MailtrapError, type MailtrapDomain } from './mailtrap/client.js'
import { redactSecrets } from './net/redact.js'
import { MAILTRAP_DEFAULTS, MAILTRAP_SPF, normalizeExpectedValue } from './records/expected.js'
import { EXIT } from './report/report.js'

const DEFAULTS: PullDefaults = {
  records: { ...MAILTRAP_DEFAULTS, spf: MAILTRAP_SPF },
  normalizeValue: normalizeExpectedValue
}

/** What `pull` is asked to do. */
export interface PullOptions {
  /** The domains.yaml to read and write. */
  config: string
  /** Write nothing; exit 1 with a diff when the file is not current. */
  check?: boolean
  /** Append the domains Mailtrap has that the file lacks. */
  add?: boolean
  /** MAILTRAP_API_TOKEN; pull cannot work without it. */
  token: string | undefined
  baseUrl?: string
  accountId?: number
}

/** Where pull writes its messages. */
export interface PullIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/**
 * Runs `pull`; resolves to the exit code: 0 written or current, 1 not current (`--check`),
 * 3 Mailtrap could not be asked. Throws a {@link UsageError} (exit 2) for what the user must fix:
 * no token, a refused token, a file that cannot be read, parsed or written.
 */
export async function pullCommand(options: PullOptions, io: PullIo): Promise<number> {
  const token = options.token?.trim()
  if (!token) {
    throw new UsageError(
      'pull needs MAILTRAP_API_TOKEN in the environment: it reads the sending domains from ' +
        "Mailtrap's API (a token with access to Sending Domains)"
    )
  }
  const file = options.config
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`)
  })
  // A broken file is reported before Mailtrap is asked anything.
  await loadConfigLazy(text, file)

  let listed: MailtrapDomain[]
  try {
    listed = await listDomains(token, options)
  } catch (error) {
    if (!(error instanceof MailtrapError)) throw error
    if (error.fixable) throw new UsageError(error.message)
    io.stderr(`${error.message}\n${file} was not changed.\n`)
    return EXIT.inconclusive
  }

  const { domains, withheld } = sourceDomains(listed, token)
  const result = pullConfig(text, file, domains, { add: options.add === true, defaults: DEFAULTS })
  reportNotes(result, withheld, file, options, token, io)

  if (options.check) {
    if (result.text === text) {
      io.stdout(`${file} is current with Mailtrap.\n`)
      return EXIT.pass
    }
    io.stdout(unifiedDiff(file, text, result.edits))
    io.stderr(`${file} is not current with Mailtrap: run mailtrap-dns-verify pull to update it.\n`)
    return EXIT.findings
  }
  if (result.text === text) {
    io.stdout(`${file} is already current with Mailtrap.\n`)
    return EXIT.pass
  }
  await writeAtomically(file, result.text)
  for (const change of result.changes) {
    const what =
      change.field === 'added'
        ? 'added'
        : `${change.field}: ${change.from === undefined ? '(not set)' : change.from} -> ${change.to}`
    io.stdout(escapeLine(`${file}:${change.line}: ${change.domain}: ${what}`) + '\n')
  }
  io.stdout(`${file} updated from Mailtrap.\n`)
  return EXIT.pass
}

async function listDomains(token: string, options: PullOptions): Promise<MailtrapDomain[]> {
  let client
  try {
    client = createMailtrapClient({
      token,
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      ...(options.accountId === undefined ? {} : { accountId: options.accountId })
    })
  } catch (error) {
    throw new UsageError(`Mailtrap: ${(error as Error).message}`)
  }
  try {
    return await client.listDomains()
  } finally {
    await client.close()
  }
}

/**
 * The API's domains as pull reads them. A domain whose listing holds the token (an API that
 * echoes it back) is withheld whole: nothing of it reaches the file or the output.
 */
function sourceDomains(
  listed: readonly MailtrapDomain[],
  token: string
): { domains: PullSourceDomain[]; withheld: number } {
  const holds = (text: string | undefined) =>
    text !== undefined && redactSecrets(text, [token]) !== text
  const domains: PullSourceDomain[] = []
  let withheld = 0
  for (const d of listed) {
    const texts = [d.domainName, ...d.records.flatMap((r) => [r.key, r.name, r.value])]
    if (texts.some(holds)) {
      withheld++
      continue
    }
    domains.push({
      name: d.domainName,
      records: d.records.map((r) => ({
        key: r.key,
        ...(r.name === undefined ? {} : { name: r.name }),
        ...(r.value === undefined ? {} : { value: r.value })
      })),
      ...(d.customDomainTrackingEnabled === undefined
        ? {}
        : { customDomainTrackingEnabled: d.customDomainTrackingEnabled })
    })
  }
  return { domains, withheld }
}

/** What pull did not write, on stderr: unlisted domains, unknown ones, what it had to skip. */
function reportNotes(
  result: PullResult,
  withheld: number,
  file: string,
  options: PullOptions,
  token: string,
  io: PullIo
): void {
  const say = (line: string) => io.stderr(escapeLine(redactSecrets(line, [token])) + '\n')
  if (result.unlisted.length > 0 && !options.add) {
    say(
      `Mailtrap has ${count(result.unlisted.length, 'domain')} that ${file} does not list ` +
        `(pull --add appends them): ${result.unlisted.join(', ')}`
    )
  }
  if (result.unknown.length > 0) {
    say(
      `Mailtrap does not list ${count(result.unknown.length, 'domain')} of ${file}, ` +
        `left as they are: ${result.unknown.join(', ')}`
    )
  }
  for (const line of result.skipped) say(`not written: ${line}`)
  if (withheld > 0) {
    say(
      `not written: ${count(withheld, 'domain')} whose listing holds the API token ` +
        '(the API echoed it back)'
    )
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** Writes `text` to `file` through a file beside it, so a failed write leaves the old file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const fail = (error: NodeJS.ErrnoException) =>
    new UsageError(`cannot write ${file}: ${error.code ?? error.message}`)
  const target = await realpath(file).catch(() => file)
  const mode = (await stat(target).catch(() => undefined))?.mode
  const temp = join(dirname(target), `.${basename(target)}.pull-${process.pid}.tmp`)
  try {
    await writeFile(temp, text)
    // The file keeps its permissions, whatever the umask would give a new one.
    if (mode !== undefined) await chmod(temp, mode & 0o7777)
    await rename(temp, target)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw fail(error as NodeJS.ErrnoException)
  }
}

/** One line with its control characters shown as escapes, never sent raw (text/printable.ts). */
export const escapeLine = printable

/** Lines of a text, without the empty one after a final newline. */
function linesOf(text: string): string[] {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/**
 * A unified diff of what `edits` do to `before`, three lines of context, control characters
 * escaped. Built from the edits themselves, so it costs what the changes cost, not the file.
 */
export function unifiedDiff(label: string, before: string, edits: readonly TextEdit[]): string {
  const CONTEXT = 3
  const starts = [0]
  for (let i = 0; i < before.length; i++) if (before[i] === '\n') starts.push(i + 1)
  const lineOf = (offset: number): number => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const old = linesOf(before)

  // Each edit widened to the whole old lines it touches; edits on a shared line go together.
  type Chunk = { from: number; to: number; start: number; end: number; edits: TextEdit[] }
  const chunks: Chunk[] = []
  for (const edit of edits) {
    const from = lineOf(edit.start)
    const insertion = edit.start === edit.end && edit.start === starts[from]
    const to = insertion ? from : lineOf(Math.max(edit.end - 1, edit.start)) + 1
    const prev = chunks.at(-1)
    if (prev && from < prev.to) {
      prev.to = Math.max(prev.to, to)
      prev.edits.push(edit)
      continue
    }
    chunks.push({ from, to, start: 0, end: 0, edits: [edit] })
  }
  for (const chunk of chunks) {
    chunk.start = starts[chunk.from] ?? before.length
    chunk.end = chunk.from === chunk.to ? chunk.start : (starts[chunk.to] ?? before.length)
  }

  const out = [`--- ${escapeLine(label)}`, `+++ ${escapeLine(label)} (after pull)`]
  let delta = 0
  for (let i = 0; i < chunks.length;) {
    let j = i
    while (j + 1 < chunks.length && chunks[j + 1]!.from - chunks[j]!.to <= 2 * CONTEXT) j++
    const first = chunks[i]!
    const last = chunks[j]!
    const oldStart = Math.max(0, first.from - CONTEXT)
    const oldEnd = Math.min(old.length, last.to + CONTEXT)
    const body: string[] = []
    let added = 0
    let removed = 0
    for (let line = oldStart; line < first.from; line++) body.push(` ${old[line]}`)
    for (let k = i; k <= j; k++) {
      const chunk = chunks[k]!
      if (k > i) for (let l = chunks[k - 1]!.to; l < chunk.from; l++) body.push(` ${old[l]}`)
      let text = ''
      let at = chunk.start
      for (const edit of chunk.edits) {
        text += before.slice(at, edit.start) + edit.text
        at = edit.end
      }
      text += before.slice(at, chunk.end)
      const newLines = linesOf(text)
      for (let l = chunk.from; l < chunk.to; l++) body.push(`-${old[l]}`)
      for (const line of newLines) body.push(`+${line}`)
      removed += chunk.to - chunk.from
      added += newLines.length
    }
    for (let line = last.to; line < oldEnd; line++) body.push(` ${old[line]}`)
    const oldCount = oldEnd - oldStart
    const newCount = oldCount - removed + added
    out.push(`@@ -${oldStart + 1},${oldCount} +${oldStart + 1 + delta},${newCount} @@`)
    out.push(...body.map(escapeLine))
    delta += added - removed
    i = j + 1
  }
  return out.join('\n') + '\n'
}
