import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A comment as the fake GitHub keeps it. */
export interface FakeComment {
  id: number
  body: string
  user: { login: string; type: string }
}

export interface FakeGitHub {
  url: string
  comments: FakeComment[]
  requests: { method: string; path: string; headers: IncomingHttpHeaders }[]
  /** Make every write answer 403 as GitHub does for a fork's read-only token. */
  readOnly: boolean
  close(): Promise<void>
}

/**
 * A small GitHub REST API on 127.0.0.1 for one pull request's comments: list (paginated), create,
 * update, and `GET /user`, which a GITHUB_TOKEN may not call (403, as on GitHub).
 */
export async function startFakeGitHub(options: {
  repo: string
  pull: number
  token: string
  comments?: FakeComment[]
}): Promise<FakeGitHub> {
  const state: FakeGitHub = {
    url: '',
    comments: options.comments ?? [],
    requests: [],
    readOnly: false,
    close: async () => {}
  }
  let nextId = 1000
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    state.requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      headers: req.headers
    })
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
        res.end(JSON.stringify(body))
      }
      if (
        req.headers.authorization !== `token ${options.token}` &&
        req.headers.authorization !== `Bearer ${options.token}`
      ) {
        return send(401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest'
        })
      }
      const comments = `/repos/${options.repo}/issues/${options.pull}/comments`
      if (req.method === 'GET' && url.pathname === '/user') {
        return send(403, { message: 'Resource not accessible by integration' })
      }
      if (req.method === 'GET' && url.pathname === comments) {
        const perPage = Number(url.searchParams.get('per_page') ?? 30)
        const page = Number(url.searchParams.get('page') ?? 1)
        const slice = state.comments.slice((page - 1) * perPage, page * perPage)
        const last = Math.max(1, Math.ceil(state.comments.length / perPage))
        const link: Record<string, string> =
          page < last
            ? { link: `<${state.url}${comments}?per_page=${perPage}&page=${page + 1}>; rel="next"` }
            : {}
        return send(200, slice, link)
      }
      if (state.readOnly && req.method !== 'GET') {
        return send(403, { message: 'Resource not accessible by integration' })
      }
      if (req.method === 'POST' && url.pathname === comments) {
        const comment = {
          id: nextId++,
          body: JSON.parse(raw).body,
          user: { login: 'github-actions[bot]', type: 'Bot' }
        }
        state.comments.push(comment)
        return send(201, comment)
      }
      const update = url.pathname.match(
        new RegExp(`^/repos/${options.repo}/issues/comments/(\\d+)$`)
      )
      if (req.method === 'PATCH' && update) {
        const comment = state.comments.find((c) => c.id === Number(update[1]))
        if (!comment) return send(404, { message: 'Not Found' })
        comment.body = JSON.parse(raw).body
        return send(200, comment)
      }
      send(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return state
}
