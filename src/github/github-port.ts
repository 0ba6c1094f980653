import type { GitHubClient } from './client.js'

/** A repository on GitHub. */
export interface RepoRef {
  owner: string
  repo: string
}

/** One comment on an issue or pull request, as much as this action needs of it. */
export interface IssueComment {
  id: number
  /** GraphQL's id, for `minimizeComment`. */
  nodeId: string
  body: string
  /** The REST login of its author (`github-actions[bot]`, `my-app[bot]`, `octocat`). */
  author: string | undefined
  createdAt: string
}

/** An issue, as the drift issue needs it. */
export interface Issue {
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  author: string | undefined
  labels: string[]
  createdAt: string
}

/** A pull request's head, as finding the pull request of a commit needs it. */
export interface PullHead {
  number: number
  state: string
  headSha: string
  /** `owner/name` of the head repository; a fork's differs from the base. */
  headRepo: string | undefined
}

/**
 * Everything the action does on GitHub, as one narrow port: the action builds it over octokit
 * ({@link createGitHubPort}), tests over the loopback stand-in. Listings are capped by the client.
 */
export interface GitHubPort {
  /**
   * The login the token writes as, in REST's spelling: the user for a PAT, `<app>[bot]` for an
   * app's installation token, `github-actions[bot]` for the workflow token; undefined when
   * GitHub would not say.
   */
  identity(): Promise<string | undefined>
  listComments(repo: RepoRef, issue: number): Promise<IssueComment[]>
  createComment(repo: RepoRef, issue: number, body: string): Promise<IssueComment>
  updateComment(repo: RepoRef, id: number, body: string): Promise<void>
  /** Delete a comment; one already gone (a parallel run deleted it) is not an error. */
  deleteComment(repo: RepoRef, id: number): Promise<void>
  minimizeComment(nodeId: string, classifier: 'RESOLVED' | 'OUTDATED'): Promise<void>
  unminimizeComment(nodeId: string): Promise<void>
  listIssues(repo: RepoRef, query: { label: string; state: 'open' | 'all' }): Promise<Issue[]>
  createIssue(
    repo: RepoRef,
    issue: { title: string; body: string; labels: string[] }
  ): Promise<Issue>
  updateIssue(
    repo: RepoRef,
    number: number,
    change: { title?: string; body?: string; state?: 'open' | 'closed' }
  ): Promise<void>
  /** Create the label unless it exists. */
  ensureLabel(
    repo: RepoRef,
    label: { name: string; color: string; description: string }
  ): Promise<void>
  /** Pull requests GitHub associates with a commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`). */
  pullsForCommit(repo: RepoRef, sha: string): Promise<PullHead[]>
  /** The open pull requests of the repository. */
  openPulls(repo: RepoRef): Promise<PullHead[]>
}

interface RestComment {
  id: number
  node_id: string
  body?: string | null
  user?: { login?: string } | null
  created_at: string
}

interface RestIssue {
  number: number
  title: string
  body?: string | null
  state: string
  user?: { login?: string } | null
  labels?: (string | { name?: string })[]
  created_at: string
  pull_request?: unknown
}

interface RestPull {
  number: number
  state: string
  head: { sha: string; repo?: { full_name?: string } | null }
}

const toComment = (c: RestComment): IssueComment => ({
  id: c.id,
  nodeId: c.node_id,
  body: c.body ?? '',
  author: c.user?.login ?? undefined,
  createdAt: c.created_at
})

const toPull = (p: RestPull): PullHead => ({
  number: p.number,
  state: p.state,
  headSha: p.head.sha,
  headRepo: p.head.repo?.full_name ?? undefined
})

/** The {@link GitHubPort} over the bounded client. */
export function createGitHubPort(client: GitHubClient): GitHubPort {
  const { octokit } = client
  let who: Promise<string | undefined> | undefined
  return {
    identity: () => (who ??= resolveIdentity(client)),
    async listComments({ owner, repo }, issue) {
      const comments = await client.list<RestComment>(
        'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
        { owner, repo, issue_number: issue },
        `the comments of #${issue}`
      )
      return comments.map(toComment)
    },
    async createComment({ owner, repo }, issue, body) {
      const { data } = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issue,
        body
      })
      return toComment(data as RestComment)
    },
    async updateComment({ owner, repo }, id, body) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body })
    },
    async deleteComment({ owner, repo }, id) {
      try {
        await octokit.rest.issues.deleteComment({ owner, repo, comment_id: id })
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error
      }
    },
    async minimizeComment(subjectId, classifier) {
      await client.graphql(
        'mutation($input: MinimizeCommentInput!) { minimizeComment(input: $input) { minimizedComment { isMinimized } } }',
        { input: { subjectId, classifier } }
      )
    },
    async unminimizeComment(subjectId) {
      await client.graphql(
        'mutation($input: UnminimizeCommentInput!) { unminimizeComment(input: $input) { unminimizedComment { isMinimized } } }',
        { input: { subjectId } }
      )
    },
    async listIssues({ owner, repo }, { label, state }) {
      const issues = await client.list<RestIssue>(
        'GET /repos/{owner}/{repo}/issues',
        { owner, repo, labels: label, state },
        `the issues labelled ${label}`
      )
      return issues
        .filter((i) => !i.pull_request)
        .map((i) => ({
          number: i.number,
          title: i.title,
          body: i.body ?? '',
          state: i.state === 'closed' ? 'closed' : 'open',
          author: i.user?.login ?? undefined,
          labels: (i.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
          createdAt: i.created_at
        }))
    },
    async createIssue({ owner, repo }, issue) {
      const { data } = await octokit.rest.issues.create({ owner, repo, ...issue })
      return {
        number: data.number,
        title: data.title,
        body: data.body ?? '',
        state: 'open',
        author: data.user?.login,
        labels: issue.labels,
        createdAt: data.created_at
      }
    },
    async updateIssue({ owner, repo }, number, change) {
      await octokit.rest.issues.update({ owner, repo, issue_number: number, ...change })
    },
    async ensureLabel({ owner, repo }, label) {
      try {
        await octokit.rest.issues.getLabel({ owner, repo, name: label.name })
        return
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error
      }
      try {
        await octokit.rest.issues.createLabel({ owner, repo, ...label })
      } catch (error) {
        // 422: another run created it in between.
        if ((error as { status?: number }).status !== 422) throw error
      }
    },
    async pullsForCommit({ owner, repo }, sha) {
      const pulls = await client.list<RestPull>(
        'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
        { owner, repo, commit_sha: sha },
        `the pull requests of ${sha.slice(0, 12)}`
      )
      return pulls.map(toPull)
    },
    async openPulls({ owner, repo }) {
      const pulls = await client.list<RestPull>(
        'GET /repos/{owner}/{repo}/pulls',
        { owner, repo, state: 'open' },
        'the open pull requests'
      )
      return pulls.map(toPull)
    }
  }
}

/**
 * Who the token is. A PAT may ask `GET /user`. The workflow token and an app's installation
 * token may not (GitHub answers 403, some proxies 401) and cannot ask `GET /app` either; GraphQL's
 * `viewer` answers them with the bot's login, as marocchino/sticky-pull-request-comment relies
 * on. REST spells bot logins with `[bot]`, so it is added where GraphQL leaves it out.
 */
export async function resolveIdentity(client: GitHubClient): Promise<string | undefined> {
  try {
    return (await client.octokit.rest.users.getAuthenticated()).data.login
  } catch (error) {
    const status = (error as { status?: number }).status
    if (status !== 401 && status !== 403) return undefined
  }
  try {
    const data = await client.graphql<{ viewer?: { login?: string } }>('query { viewer { login } }')
    const login = data?.viewer?.login
    if (!login) return undefined
    return /\[bot\]$/i.test(login) ? login : `${login}[bot]`
  } catch {
    return undefined
  }
}
