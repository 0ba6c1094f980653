import type { GitHubPort, PullHead, RepoRef } from './github-port.js'

/** Where the pull request number came from, for the log. */
export type PullRequestSource = 'input' | 'event' | 'workflow_run' | 'commit' | 'open-pulls'

export interface FoundPullRequest {
  number: number
  source: PullRequestSource
}

/** Events whose payload names the pull request itself. */
const PULL_REQUEST_PAYLOAD_EVENTS = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment'
]

interface WorkflowRunPayload {
  head_sha?: unknown
  head_repository?: { full_name?: unknown } | null
  pull_requests?: { number?: unknown; base?: { repo?: { url?: unknown } } }[] | null
}

/** Whether `findPullRequest` can name a pull request (and so ask GitHub) for this event. */
export function mayFindPullRequest(eventName: string, prNumber: number | undefined): boolean {
  return (
    prNumber !== undefined ||
    PULL_REQUEST_PAYLOAD_EVENTS.includes(eventName) ||
    eventName === 'workflow_run'
  )
}

/**
 * The pull request a run is about, or undefined when it is about none.
 *
 * - `pr-number` given: that one, whatever the event (`mode: comment` after a `workflow_run`);
 * - `pull_request` and `pull_request_target` (and reviews): the payload's `pull_request.number`;
 * - `workflow_run`: the first of `workflow_run.pull_requests` whose base is this repository;
 *   that list is empty for pull requests from forks, so then the pull request is looked up by
 *   the run's head SHA, first with GitHub's pull requests of the commit, then among the open
 *   pull requests, matching the head repository too, so a fork's commit is not taken for
 *   another fork's pull request of the same SHA;
 * - `push`, `schedule`, `workflow_dispatch`, `merge_group` and the rest: none.
 */
export async function findPullRequest(
  eventName: string,
  payload: Record<string, unknown>,
  port: Pick<GitHubPort, 'pullsForCommit' | 'openPulls'>,
  options: { repo: RepoRef; prNumber?: number }
): Promise<FoundPullRequest | undefined> {
  if (options.prNumber !== undefined) return { number: options.prNumber, source: 'input' }
  if (PULL_REQUEST_PAYLOAD_EVENTS.includes(eventName)) {
    const number = (payload.pull_request as { number?: unknown } | undefined)?.number
    return isNumber(number) ? { number, source: 'event' } : undefined
  }
  if (eventName !== 'workflow_run') return undefined
  const run = (payload.workflow_run ?? {}) as WorkflowRunPayload
  const here = `/repos/${options.repo.owner}/${options.repo.repo}`.toLowerCase()
  const listed = (run.pull_requests ?? []).find((pr) => {
    const base = pr?.base?.repo?.url
    return isNumber(pr?.number) && (typeof base !== 'string' || base.toLowerCase().endsWith(here))
  })
  if (listed && isNumber(listed.number)) return { number: listed.number, source: 'workflow_run' }

  const sha = typeof run.head_sha === 'string' ? run.head_sha.toLowerCase() : undefined
  if (!sha) return undefined
  const headRepo =
    typeof run.head_repository?.full_name === 'string' ? run.head_repository.full_name : undefined
  const matches = (p: PullHead) =>
    p.state === 'open' &&
    p.headSha.toLowerCase() === sha &&
    (headRepo === undefined || p.headRepo?.toLowerCase() === headRepo.toLowerCase())
  const byCommit = (await port.pullsForCommit(options.repo, sha)).find(matches)
  if (byCommit) return { number: byCommit.number, source: 'commit' }
  const open = (await port.openPulls(options.repo)).find(matches)
  return open ? { number: open.number, source: 'open-pulls' } : undefined
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0
}
