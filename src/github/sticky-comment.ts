import { posix } from 'node:path'
import { oneLine } from './redact.js'

/** GitHub's limit on a comment body, in characters. */
export const MAX_COMMENT_LENGTH = 65_536

/** One comment on a pull request, as much as the sticky comment needs. */
export interface PullComment {
  id: number
  body: string
  author: string | undefined
  /** The author is an app or a bot (GitHub's `user.type` is `Bot`). */
  bot: boolean
}

/**
 * The pull request's comments as a narrow port: the action passes one over octokit, tests one
 * over a fake GitHub REST API on loopback.
 */
export interface PullCommentsPort {
  /** The login the token acts as, when GitHub says (an app's token cannot ask: undefined). */
  login(): Promise<string | undefined>
  list(): Promise<PullComment[]>
  create(body: string): Promise<void>
  update(id: number, body: string): Promise<void>
}

export type StickyResult = 'created' | 'updated' | 'unchanged'

/**
 * The comment's key from a config path: `./x.yaml`, `x.yaml` and `a/../x.yaml` are one key, so
 * one config keeps one comment however the workflow spells its path.
 */
export function commentKey(configPath: string): string {
  const path = configPath.trim().replace(/\\/g, '/')
  const normal = path === '' ? '' : posix.normalize(path).replace(/^(\.\/)+/, '')
  return normal === '' || normal === '.' ? 'domains.yaml' : normal
}

/**
 * The hidden marker that finds our comment again; one per key, so jobs do not clash. The key
 * cannot end the HTML comment early: `-->` and `--!>` are removed until none is left (one pass
 * would turn `a---->>b` into `a-->b`), and control characters go too.
 */
export function stickyMarker(key: string): string {
  let safe = key.replace(/[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu, '')
  for (let before = ''; before !== safe;) {
    before = safe
    safe = safe.replace(/--!?>/g, '')
  }
  return `<!-- mailtrap-dns-verify:${safe} -->`
}

/** The default note at a cut: only the run itself is sure to have the rest. */
export const CUT_NOTE =
  'The report is cut here: it is longer than a comment may be. The workflow run has all of it.'

/** Cut a body to GitHub's limit, saying so visibly, keeping the marker at the top. */
export function truncateBody(body: string, max = MAX_COMMENT_LENGTH, note = CUT_NOTE): string {
  if (body.length <= max) return body
  const shown = `\n\n…\n\n**${note}**\n`
  const closers = '\n```\n</details>'
  // Cut at a line end, so no entity, tag or character is cut in half; then close what is open.
  let cut = body.slice(0, Math.max(0, max - shown.length - closers.length))
  cut = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0))
  const fenceOpen = (cut.match(/^```/gm) ?? []).length % 2 === 1
  const detailsOpen =
    (cut.match(/<details>/g) ?? []).length > (cut.match(/<\/details>/g) ?? []).length
  return cut + (fenceOpen ? '\n```' : '') + (detailsOpen ? '\n</details>' : '') + shown
}

/**
 * @deprecated The first sticky comment, kept while run.ts still calls it: use `publishComment`
 * (keyed, own identity only, no duplicates, comment modes).
 *
 * Keep exactly one report comment on the pull request: update ours in place (found by its
 * marker and, when GitHub says who the token is, by its author), leave it alone when nothing
 * changed, or create it.
 */
export async function upsertStickyComment(
  port: PullCommentsPort,
  marker: string,
  report: string
): Promise<StickyResult> {
  const body = truncateBody(`${marker}\n${report}`)
  // A user's token says who it is; the workflow token cannot, and comments as
  // github-actions[bot]: never another bot's comment (renovate's) nor a person's quote.
  const login = await port.login()
  const ours = (await port.list()).find(
    (c) => c.body.startsWith(marker) && c.author === (login ?? 'github-actions[bot]')
  )
  if (!ours) {
    await port.create(body)
    return 'created'
  }
  if (ours.body === body) return 'unchanged'
  await port.update(ours.id, body)
  return 'updated'
}

/**
 * A one-line hint for GitHub errors users meet, instead of a stack trace: fork pull requests
 * get a read-only token, and `permissions:` may lack `pull-requests: write`; a rate limit or a
 * silent API is said as such, never as a permission problem. `message` is best the client's
 * `describe(error)`; it is redacted of `secrets` and cut short either way.
 */
export function commentErrorHint(
  status: number | undefined,
  message: string,
  secrets: readonly string[] = []
): string {
  const line = oneLine(message.split('\n')[0] ?? '', secrets, 300)
  const where = 'The report is in the job summary.'
  if (/rate limit/i.test(line)) {
    return `GitHub's rate limit stopped the pull request comment (not a permission problem): ${line}. ${where}`
  }
  if (/no complete answer|did not finish|ran out of time/i.test(line)) {
    return `GitHub did not answer in time, so the pull request comment was not written: ${line}. ${where}`
  }
  if (/Resource not accessible by integration/i.test(line) || status === 403) {
    return `The token may not comment on this pull request (pull requests from forks get a read-only token; else add \`permissions: pull-requests: write\`). ${where}`
  }
  if (status === 401) return `GitHub refused the token given as \`github-token\`. ${where}`
  if (status === 404) return `GitHub found no such pull request for this token. ${where}`
  return `Could not write the pull request comment: ${line}. ${where}`
}
