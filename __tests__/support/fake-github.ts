import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Who a token acts as: a user (a PAT) may ask `GET /user`; a bot (the workflow token, an app) may not. */
export interface FakeIdentity {
  login: string
  type: 'User' | 'Bot'
}

/** A comment as the fake GitHub keeps it. */
export interface FakeComment {
  id: number
  body: string
  user: { login: string; type: string }
  node_id?: string
  created_at?: string
  /** Hidden through GraphQL's `minimizeComment`. */
  minimized?: { classifier: string }
  /** The issue or pull request it is on; the configured pull request when absent. */
  issue?: number
}

/** An issue as the fake GitHub keeps it. */
export interface FakeIssue {
  number: number
  node_id: string
  title: string
  body: string
  state: 'open' | 'closed'
  labels: { name: string }[]
  user: { login: string; type: string }
  created_at: string
  /** Present on pull requests, which GitHub's issue listing includes. */
  pull_request?: { url: string }
}

/** A pull request, with as much of its head as finding it from a commit needs. */
export interface FakePull {
  number: number
  state: 'open' | 'closed'
  head: { sha: string; ref: string; repo: { full_name: string } | null }
}

export interface FakeGitHub {
  url: string
  comments: FakeComment[]
  issues: FakeIssue[]
  labels: { name: string; color: string; description: string }[]
  pulls: FakePull[]
  /** `GET /repos/{o}/{r}/commits/{sha}/pulls`: the pull request numbers GitHub associates with a SHA. */
  commitPulls: Record<string, number[]>
  requests: { method: string; path: string; headers: IncomingHttpHeaders; body: string }[]
  /** Make every write answer 403 as GitHub does for a fork's read-only token. */
  readOnly: boolean
  /** Every listing offers a next page, forever (a broken proxy or API). */
  endless: boolean
  /** Accept connections and never answer: every request, or those whose path matches. */
  silent: boolean | RegExp
  /** Answer the next N requests with `failStatus` (502 unless set). */
  failNext: number
  failStatus: number
  /** Answer the next N requests with GitHub's secondary rate limit (403, `retry-after`). */
  rateLimitNext: number
  /** Error bodies echo the token, in upper case, as a careless proxy might. */
  echoToken: boolean
  /** Hold comment creations until this many have arrived, then answer them all (parallel runs). */
  createBarrier: number
  close(): Promise<void>
}

const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/

/**
 * A small GitHub REST and GraphQL API on 127.0.0.1: issue and pull request comments (paginated
 * with Link headers), issues and labels, pull requests and the pull requests of a commit,
 * `GET /user` (refused to bot tokens, as on GitHub), GraphQL's `viewer` and
 * `minimizeComment`/`unminimizeComment`; and the faults a client must survive.
 */
export async function startFakeGitHub(options: {
  repo: string
  pull: number
  token: string
  comments?: FakeComment[]
  /** Who `token` acts as; the workflow token (`github-actions[bot]`) unless said. */
  identity?: FakeIdentity
  /** More tokens and who they act as (an app's installation token, a PAT). */
  tokens?: Record<string, FakeIdentity>
  /** What `GET /user` answers a bot token: 403 as on GitHub, or 401. */
  userStatus?: 401 | 403
}): Promise<FakeGitHub> {
  const identities: Record<string, FakeIdentity> = {
    [options.token]: options.identity ?? { login: 'github-actions[bot]', type: 'Bot' },
    ...options.tokens
  }
  const state: FakeGitHub = {
    url: '',
    comments: options.comments ?? [],
    issues: [],
    labels: [],
    pulls: [],
    commitPulls: {},
    requests: [],
    readOnly: false,
    endless: false,
    silent: false,
    failNext: 0,
    failStatus: 502,
    rateLimitNext: 0,
    echoToken: false,
    createBarrier: 0,
    close: async () => {}
  }
  let nextId = 1000
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const stamp = () => new Date((clock += 1000)).toISOString()
  const held: (() => void)[] = []

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      state.requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        headers: req.headers,
        body: raw
      })
      const silent = state.silent
      if (silent === true || (silent instanceof RegExp && silent.test(url.pathname))) return // never answer; close() ends the socket
      const auth = String(req.headers.authorization ?? '').replace(/^(token|Bearer) /, '')
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        if (status >= 400 && state.echoToken && typeof body === 'object' && body !== null) {
          const b = body as { message: string }
          b.message = `${b.message} (token ${auth.toUpperCase()})`
        }
        reply(res, status, body, headers)
      }
      const who = identities[auth]
      if (!who) {
        return send(401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest'
        })
      }
      if (state.failNext > 0) {
        state.failNext--
        return send(state.failStatus, { message: 'Server Error' })
      }
      if (state.rateLimitNext > 0) {
        state.rateLimitNext--
        return send(
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'
          },
          { 'retry-after': '2' }
        )
      }
      const json = () => (raw ? (JSON.parse(raw) as Record<string, unknown>) : {})
      if (req.method === 'GET' && url.pathname === '/user') {
        if (who.type === 'Bot') {
          return send(options.userStatus ?? 403, {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user'
          })
        }
        return send(200, { login: who.login, type: 'User' })
      }
      if (req.method === 'POST' && url.pathname === '/graphql') return graphql(json(), who, send)
      const m = url.pathname.match(REPO_PATH)
      if (!m || `${m[1]}/${m[2]}` !== options.repo) return send(404, { message: 'Not Found' })
      const rest = m[3]!
      const list = <T>(items: T[]) => {
        const perPage = Number(url.searchParams.get('per_page') ?? 30)
        const page = Number(url.searchParams.get('page') ?? 1)
        if (state.endless) {
          const fake = Array.from({ length: perPage }, (_, i) => ({
            id: page * perPage + i,
            number: page * perPage + i,
            body: `page ${page}`,
            user: { login: 'octocat', type: 'User' },
            created_at: stamp(),
            labels: [],
            state: 'open',
            head: { sha: '0', ref: 'x', repo: null }
          }))
          return send(200, fake, { link: nextLink(url, page + 1) })
        }
        const slice = items.slice((page - 1) * perPage, page * perPage)
        const last = Math.max(1, Math.ceil(items.length / perPage))
        return send(200, slice, page < last ? { link: nextLink(url, page + 1) } : {})
      }
      if (state.readOnly && req.method !== 'GET') {
        return send(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest'
        })
      }

      const issueComments = rest.match(/^\/issues\/(\d+)\/comments$/)
      if (issueComments) {
        const issue = Number(issueComments[1])
        const on = (c: FakeComment) => (c.issue ?? options.pull) === issue
        if (req.method === 'GET') return list(state.comments.filter(on).map(restComment))
        if (req.method === 'POST') {
          const create = () => {
            const id = nextId++
            const comment: FakeComment = {
              id,
              node_id: `IC_${id}`,
              body: String(json().body),
              user: { ...who },
              created_at: stamp(),
              issue: issue === options.pull ? undefined : issue
            }
            state.comments.push(comment)
            send(201, restComment(comment))
          }
          if (state.createBarrier > 0) {
            held.push(create)
            if (held.length >= state.createBarrier) {
              state.createBarrier = 0
              for (const go of held.splice(0)) go()
            }
            return
          }
          return create()
        }
      }
      const oneComment = rest.match(/^\/issues\/comments\/(\d+)$/)
      if (oneComment) {
        const index = state.comments.findIndex((c) => c.id === Number(oneComment[1]))
        if (index < 0) return send(404, { message: 'Not Found' })
        const comment = state.comments[index]!
        if (req.method === 'GET') return send(200, restComment(comment))
        if (comment.user.login !== who.login && req.method !== 'GET') {
          return send(403, { message: 'Resource not accessible by integration' })
        }
        if (req.method === 'PATCH') {
          comment.body = String(json().body)
          return send(200, restComment(comment))
        }
        if (req.method === 'DELETE') {
          state.comments.splice(index, 1)
          res.writeHead(204).end()
          return
        }
      }
      if (rest === '/issues' && req.method === 'GET') {
        const wanted = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean)
        const st = url.searchParams.get('state') ?? 'open'
        return list(
          state.issues.filter(
            (i) =>
              (st === 'all' || i.state === st) &&
              wanted.every((l) => i.labels.some((x) => x.name === l))
          )
        )
      }
      if (rest === '/issues' && req.method === 'POST') {
        const body = json()
        const number = state.issues.length + 1
        const names = ((body.labels as string[] | undefined) ?? []).map((name) => ({ name }))
        for (const { name } of names) {
          if (!state.labels.some((l) => l.name === name))
            state.labels.push({ name, color: 'ededed', description: '' })
        }
        const issue: FakeIssue = {
          number,
          node_id: `I_${number}`,
          title: String(body.title),
          body: String(body.body ?? ''),
          state: 'open',
          labels: names,
          user: { ...who },
          created_at: stamp()
        }
        state.issues.push(issue)
        return send(201, issue)
      }
      const oneIssue = rest.match(/^\/issues\/(\d+)$/)
      if (oneIssue) {
        const issue = state.issues.find((i) => i.number === Number(oneIssue[1]))
        if (!issue) return send(404, { message: 'Not Found' })
        if (req.method === 'GET') return send(200, issue)
        if (req.method === 'PATCH') {
          const body = json()
          if (typeof body.title === 'string') issue.title = body.title
          if (typeof body.body === 'string') issue.body = body.body
          if (body.state === 'open' || body.state === 'closed') issue.state = body.state
          return send(200, issue)
        }
      }
      const label = rest.match(/^\/labels\/([^/]+)$/)
      if (label && req.method === 'GET') {
        const found = state.labels.find((l) => l.name === decodeURIComponent(label[1]!))
        return found ? send(200, found) : send(404, { message: 'Not Found' })
      }
      if (rest === '/labels' && req.method === 'POST') {
        const body = json()
        if (state.labels.some((l) => l.name === body.name)) {
          return send(422, { message: 'Validation Failed', errors: [{ code: 'already_exists' }] })
        }
        const created = {
          name: String(body.name),
          color: String(body.color ?? 'ededed'),
          description: String(body.description ?? '')
        }
        state.labels.push(created)
        return send(201, created)
      }
      const commitPulls = rest.match(/^\/commits\/([0-9a-f]+)\/pulls$/)
      if (commitPulls && req.method === 'GET') {
        const numbers = state.commitPulls[commitPulls[1]!] ?? []
        return list(state.pulls.filter((p) => numbers.includes(p.number)))
      }
      if (rest === '/pulls' && req.method === 'GET') {
        const st = url.searchParams.get('state') ?? 'open'
        return list(state.pulls.filter((p) => st === 'all' || p.state === st))
      }
      send(404, { message: 'Not Found' })
    })
  })

  /** GraphQL: `viewer { login }`, `minimizeComment` and `unminimizeComment`, by their names. */
  function graphql(
    body: Record<string, unknown>,
    who: FakeIdentity,
    send: (status: number, body: unknown) => void
  ): void {
    const query = String(body.query ?? '')
    const variables = (body.variables ?? {}) as Record<string, unknown>
    if (/\bviewer\b/.test(query)) return send(200, { data: { viewer: { login: who.login } } })
    const mutation = query.match(/\b(minimizeComment|unminimizeComment)\s*\(/)
    if (mutation) {
      const input = (variables.input ?? {}) as { subjectId?: string; classifier?: string }
      const comment = state.comments.find((c) => (c.node_id ?? `IC_${c.id}`) === input.subjectId)
      if (!comment) {
        return send(200, {
          data: { [mutation[1]!]: null },
          errors: [
            {
              type: 'NOT_FOUND',
              message: `Could not resolve to a node with the global id of '${input.subjectId}'`
            }
          ]
        })
      }
      if (state.readOnly) {
        return send(200, {
          data: { [mutation[1]!]: null },
          errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }]
        })
      }
      if (mutation[1] === 'minimizeComment') {
        if (
          !['RESOLVED', 'OUTDATED', 'OFF_TOPIC', 'DUPLICATE', 'SPAM', 'ABUSE'].includes(
            String(input.classifier)
          )
        ) {
          return send(200, {
            errors: [
              {
                message: `Variable $input of type MinimizeCommentInput! was provided invalid value for classifier`
              }
            ]
          })
        }
        comment.minimized = { classifier: String(input.classifier) }
      } else delete comment.minimized
      return send(200, {
        data: { [mutation[1]!]: { minimizedComment: { isMinimized: !!comment.minimized } } }
      })
    }
    send(200, { errors: [{ message: 'The fake GitHub does not know this query' }] })
  }

  function nextLink(url: URL, page: number): string {
    const next = new URL(url.pathname + url.search, state.url)
    next.searchParams.set('page', String(page))
    return `<${next.toString()}>; rel="next"`
  }

  function restComment(c: FakeComment) {
    return {
      id: c.id,
      node_id: c.node_id ?? `IC_${c.id}`,
      body: c.body,
      user: c.user,
      created_at: c.created_at ?? '2025-12-31T00:00:00Z',
      updated_at: c.created_at ?? '2025-12-31T00:00:00Z'
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return state
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}
