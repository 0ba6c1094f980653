import {
  commentErrorHint,
  commentKey,
  MAX_COMMENT_LENGTH,
  stickyMarker,
  truncateBody,
  upsertStickyComment,
  type PullComment,
  type PullCommentsPort
} from '../../src/github/sticky-comment.js'

function memoryPort(
  comments: PullComment[],
  login?: string
): PullCommentsPort & { writes: string[] } {
  const writes: string[] = []
  return {
    writes,
    login: async () => login,
    list: async () => comments,
    create: async (body) => {
      writes.push('create')
      comments.push({
        id: comments.length + 1,
        body,
        author: login ?? 'github-actions[bot]',
        bot: login === undefined
      })
    },
    update: async (id, body) => {
      writes.push(`update ${id}`)
      comments.find((c) => c.id === id)!.body = body
    }
  }
}

describe('upsertStickyComment', () => {
  const marker = stickyMarker('domains.yaml')

  it('creates one comment, updates it in place, and leaves it alone when nothing changed', async () => {
    const comments: PullComment[] = [
      { id: 1, body: `${marker}\nsomeone else's copy`, author: 'octocat', bot: false }
    ]
    const port = memoryPort(comments)
    expect(await upsertStickyComment(port, marker, 'report 1')).toBe('created')
    expect(await upsertStickyComment(port, marker, 'report 2')).toBe('updated')
    expect(await upsertStickyComment(port, marker, 'report 2')).toBe('unchanged')
    expect(port.writes).toEqual(['create', 'update 2'])
    expect(comments.map((c) => c.body)).toEqual([
      `${marker}\nsomeone else's copy`,
      `${marker}\nreport 2`
    ])
  })

  it("never takes another bot's comment for the workflow token's", async () => {
    const comments: PullComment[] = [
      { id: 9, body: `${marker}\nrenovate's`, author: 'renovate[bot]', bot: true }
    ]
    const port = memoryPort(comments)
    expect(await upsertStickyComment(port, marker, 'ours')).toBe('created')
    expect(comments.map((c) => [c.id, c.author])).toEqual([
      [9, 'renovate[bot]'],
      [2, 'github-actions[bot]']
    ])
    expect(comments[0]!.body).toBe(`${marker}\nrenovate's`)
  })

  it("finds the comment of the token's own login when GitHub says who it is", async () => {
    const comments: PullComment[] = [
      { id: 5, body: `${marker}\nold`, author: 'release-bot', bot: false }
    ]
    const port = memoryPort(comments, 'release-bot')
    expect(await upsertStickyComment(port, marker, 'new')).toBe('updated')
  })

  it('keeps one marker per key, which cannot close the HTML comment early', () => {
    expect(stickyMarker('dns/domains.yaml')).toBe('<!-- mailtrap-dns-verify:dns/domains.yaml -->')
    expect(stickyMarker('a-->b')).toBe('<!-- mailtrap-dns-verify:ab -->')
    expect(stickyMarker('a---->>b')).toBe('<!-- mailtrap-dns-verify:ab -->')
    expect(stickyMarker('a--!>b\n-\u0000->c')).toBe('<!-- mailtrap-dns-verify:abc -->')
    for (const key of ['---->>>', '-->-->>', '--!-->>', '-\u202e->']) {
      expect(stickyMarker(key).slice(4, -4)).not.toMatch(/--!?>/)
    }
  })
})

describe('commentKey', () => {
  it('gives one key for the spellings of one config path', () => {
    expect(commentKey('./x.yaml')).toBe('x.yaml')
    expect(commentKey('x.yaml')).toBe('x.yaml')
    expect(commentKey('././dns//a/../x.yaml')).toBe('dns/x.yaml')
    expect(commentKey('dns\\x.yaml')).toBe('dns/x.yaml')
    expect(commentKey('')).toBe('domains.yaml')
  })
})

describe('truncateBody', () => {
  it("cuts at GitHub's limit with a visible note", () => {
    const long = `<details>\n\n\`\`\`dns\n${'&#95;x\n'.repeat(MAX_COMMENT_LENGTH / 4)}`
    const cut = truncateBody(long)
    expect(cut.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH)
    expect(cut).toMatch(/&#95;x\n```\n<\/details>\n\n…/)
    const body = truncateBody('x'.repeat(MAX_COMMENT_LENGTH + 10))
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH)
    expect(body).toMatch(/The report is cut here.*The workflow run has all of it/)
    expect(truncateBody('y'.repeat(200), 100, 'See report.json.')).toMatch(
      /\*\*See report.json.\*\*\n$/
    )
    expect(truncateBody('short')).toBe('short')
  })
})

describe('commentErrorHint', () => {
  it('explains the errors users meet in one line', () => {
    expect(commentErrorHint(403, 'Resource not accessible by integration')).toContain(
      'pull requests from forks get a read-only token'
    )
    expect(commentErrorHint(401, 'Bad credentials')).toContain('refused the token')
    expect(commentErrorHint(500, 'boom\nstack')).toBe(
      'Could not write the pull request comment: boom. The report is in the job summary.'
    )
  })

  it('says a rate limit or a silent API as such, not as a permission problem', () => {
    const limited = commentErrorHint(
      403,
      "GitHub's secondary rate limit stopped the request (HTTP 403, retry after 60 s)"
    )
    expect(limited).toMatch(
      /^GitHub's rate limit stopped the pull request comment \(not a permission problem\)/
    )
    expect(limited).not.toContain('may not comment')
    expect(commentErrorHint(undefined, 'The step did not finish within 60000 ms')).toMatch(
      /^GitHub did not answer in time/
    )
  })

  it('never repeats the token and cuts long messages', () => {
    const token = 'ghs_hintToken0123456789abcdef'
    const hint = commentErrorHint(
      422,
      `Validation Failed ${token.toUpperCase()} ${'x'.repeat(999)}`,
      [token]
    )
    expect(hint.toLowerCase()).not.toContain(token.toLowerCase())
    expect(hint).toContain('Validation Failed ***')
    expect(hint.length).toBeLessThan(400)
  })
})
