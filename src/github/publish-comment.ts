import type { GitHubPort, IssueComment, RepoRef } from './github-port.js'
import { CUT_NOTE, MAX_COMMENT_LENGTH, stickyMarker, truncateBody } from './sticky-comment.js'

/** Input `comment`: when to comment at all. */
export const COMMENT_MODES = ['auto', 'always', 'on-failure', 'never'] as const
export type CommentMode = (typeof COMMENT_MODES)[number]

/** Input `comment-on-pass`: what becomes of our comment once everything passes. */
export const ON_PASS = ['update', 'delete', 'minimize'] as const
export type OnPass = (typeof ON_PASS)[number]

export type PublishResult =
  'created' | 'updated' | 'unchanged' | 'deleted' | 'minimized' | 'skipped'

/** Events that concern one pull request, for `comment: auto`. */
export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target', 'workflow_run']

/**
 * Whether the comment step runs at all. `auto` comments on pull request events (and on a
 * `workflow_run` that carries one, or when `pr-number` names one); `on-failure` still runs on a
 * pass, because an earlier failing comment must then be updated, deleted or minimized (it never
 * creates one on a pass: see {@link publishComment}).
 */
export function shouldComment(
  mode: CommentMode,
  eventName: string,
  _passed: boolean,
  prNumberGiven = false
): boolean {
  if (mode === 'never') return false
  if (mode === 'auto') return prNumberGiven || PULL_REQUEST_EVENTS.includes(eventName)
  return true
}

/** The workflow run's page: `${serverUrl}/${owner/repo}/actions/runs/${runId}`. */
export function workflowRunUrl(
  serverUrl: string,
  repository: string,
  runId: string | number
): string {
  return `${serverUrl.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`
}

/** The last line of every comment: which commit was checked, in which run. */
export function commentFooter(run: { url: string; sha: string }): string {
  const sha = /^[0-9a-f]{7,64}$/i.test(run.sha) ? run.sha.slice(0, 7) : 'unknown'
  const url = /^https?:\/\/[^\s()<>]+$/.test(run.url) ? run.url : undefined
  return `\n\n---\n<sub>Checked commit \`${sha}\`${url ? ` in [workflow run](${url})` : ''}.</sub>\n`
}

/** Written into a comment that a pass will minimize, so a later failure knows to unhide it. */
const MINIMIZED_FLAG = '<!-- mailtrap-dns-verify:minimized -->'

export interface PublishOptions {
  port: GitHubPort
  target: RepoRef & { number: number }
  /** The comment's key (see `commentKey`): one comment per key on a pull request. */
  key: string
  /** The report as Markdown, already escaped. */
  markdown: string
  /** Everything passed: `onPass` decides what becomes of the comment. */
  passed: boolean
  mode: CommentMode
  onPass: OnPass
  run: { url: string; sha: string }
  /** Said where a body too long for a comment is cut. */
  cutNote?: string
}

/**
 * Keep one report comment per key on a pull request, written by the token's own identity and
 * no one else's (a person's quote or another bot's comment that starts with the marker is left
 * alone). A failing report is created or updated (and unhidden); a pass updates, deletes or
 * minimizes the comment (`onPass`), and creates none unless `onPass` is `update` and `mode` is
 * not `on-failure`. Parallel first runs each create one: after creating, the list is read
 * again, the oldest of ours is kept and the rest deleted; any run also deletes duplicates left
 * by earlier ones. Nothing is written when only the run link would change.
 */
export async function publishComment(options: PublishOptions): Promise<PublishResult> {
  const { port, target, passed, onPass, mode } = options
  if (mode === 'never') return 'skipped'
  const marker = stickyMarker(options.key)
  const minimizing = passed && onPass === 'minimize'
  const head = `${marker}\n${minimizing ? `${MINIMIZED_FLAG}\n` : ''}`
  const footer = commentFooter(options.run)
  const room = MAX_COMMENT_LENGTH - head.length - footer.length
  const body = head + truncateBody(options.markdown, room, options.cutNote ?? CUT_NOTE) + footer

  let me = (await port.identity()) ?? 'github-actions[bot]'
  const ours = async () => oldestFirst(await port.listComments(target, target.number), marker, me)
  const [keeper, ...duplicates] = await ours()
  for (const d of duplicates) await port.deleteComment(target, d.id)

  if (passed && onPass === 'delete') {
    if (keeper) await port.deleteComment(target, keeper.id)
    return keeper ? 'deleted' : 'skipped'
  }
  if (!keeper) {
    if (passed && (onPass !== 'update' || mode === 'on-failure')) return 'skipped'
    const created = await port.createComment(target, target.number, body)
    me = created.author ?? me
    // Another run may have created one at the same time: the oldest stays, for both runs.
    const [first, ...rest] = await ours()
    for (const d of rest) await port.deleteComment(target, d.id)
    if (!first || first.id === created.id) return 'created'
    return (await write(port, target, first, body, !minimizing)) ? 'updated' : 'unchanged'
  }
  const changed = await write(port, target, keeper, body, !minimizing)
  if (minimizing) {
    await port.minimizeComment(keeper.nodeId, 'RESOLVED')
    return 'minimized'
  }
  return changed ? 'updated' : 'unchanged'
}

/** Our comments of this key, oldest first. */
function oldestFirst(comments: IssueComment[], marker: string, me: string): IssueComment[] {
  return comments
    .filter((c) => c.author === me && c.body.startsWith(marker))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
}

/** Update `comment` unless only the run link would change; unhide it when it is to be shown. */
async function write(
  port: GitHubPort,
  target: RepoRef,
  comment: IssueComment,
  body: string,
  shown: boolean
): Promise<boolean> {
  if (shown && comment.body.includes(MINIMIZED_FLAG)) await port.unminimizeComment(comment.nodeId)
  if (withoutRunLink(comment.body) === withoutRunLink(body)) return false
  await port.updateComment(target, comment.id, body)
  return true
}

function withoutRunLink(body: string): string {
  return body.replace(/ in \[workflow run\]\([^)]*\)\.<\/sub>\n$/, '.</sub>\n')
}
