import * as core from '@actions/core'
import * as github from '@actions/github'
import { fetch } from 'undici'
import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { ConfigError } from './config/load-config.js'
import { FAIL_ON } from './config/schema.js'
import { execute, FORMATS, RENDERERS, type EngineOptions } from './engine.js'
import { parseDuration } from './wait.js'
import { EXIT, failedDomains, type Report } from './report/report.js'
import { RECORD_LABELS } from './records/expected.js'
import {
  commentErrorHint,
  stickyMarker,
  upsertStickyComment,
  type PullCommentsPort
} from './github/sticky-comment.js'

/** Every input of action.yml; the compiler rejects one that is read but not declared here. */
const inputsSchema = z.object({
  config: z.string().default('domains.yaml'),
  resolvers: z.string().optional(),
  authoritative: z.string().optional(),
  'zone-dir': z.string().optional(),
  domains: z.string().optional(),
  'fail-on': z.enum(FAIL_ON).optional(),
  format: z.enum(FORMATS).default('text'),
  'report-path': z.string().optional(),
  'query-timeout': z.coerce.number().int().positive().optional(),
  wait: z.string().refine(isDuration, 'wait must be a duration such as 30m, 90s or 1h').optional(),
  'mailtrap-token': z.string().optional(),
  'mailtrap-account': z.coerce.number().int().positive().optional(),
  'mailtrap-url': z.url({ protocol: /^https?$/ }).optional(),
  comment: z.enum(['auto', 'never']).default('auto'),
  'github-token': z.string().optional(),
  'wait-interval': z
    .string()
    .refine(isDuration, 'wait-interval must be a duration such as 30s or 1m')
    .optional()
})

function isDuration(text: string): boolean {
  try {
    return parseDuration(text) > 0
  } catch {
    return false
  }
}
type Inputs = z.input<typeof inputsSchema>

/** The names of the inputs, for the test that keeps action.yml in step. */
export const ACTION_INPUTS = Object.keys(inputsSchema.shape) as (keyof Inputs)[]

function readInputs(): z.output<typeof inputsSchema> {
  // '' means "not given": map it to undefined so the schema's defaults apply.
  const raw = Object.fromEntries(
    ACTION_INPUTS.map((name) => [name, core.getInput(name) || undefined])
  )
  const parsed = inputsSchema.safeParse(raw)
  if (!parsed.success) throw new Error(`Invalid action inputs: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** A list input: one item per line or comma. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/**
 * The action: inputs → engine → job summary, annotations, outputs. The only module that
 * touches @actions/*; one try/catch, one setFailed.
 */
export async function run(): Promise<void> {
  try {
    for (const secret of ['mailtrap-token', 'github-token']) {
      const value = core.getInput(secret)
      if (value) core.setSecret(value)
    }
    const inputs = readInputs()
    const options: EngineOptions = {
      config: inputs.config,
      resolvers: list(inputs.resolvers),
      authoritative: list(inputs.authoritative),
      zoneDir: inputs['zone-dir'],
      domains: list(inputs.domains),
      failOn: inputs['fail-on'],
      timeoutMs: inputs['query-timeout'],
      mailtrap: inputs['mailtrap-token']
        ? {
            token: inputs['mailtrap-token'],
            baseUrl: inputs['mailtrap-url'],
            accountId: inputs['mailtrap-account']
          }
        : undefined
    }
    const {
      report,
      exitCode: code,
      failOn
    } = await core.group('Checking DNS records', () =>
      execute(
        {
          ...options,
          command: inputs.wait ? 'wait' : 'check',
          wait: {
            timeoutMs: inputs.wait ? parseDuration(inputs.wait) : undefined,
            intervalMs: inputs['wait-interval'] ? parseDuration(inputs['wait-interval']) : undefined
          }
        },
        { now: () => new Date(), sleep: (ms) => sleep(ms), progress: (line) => core.info(line) }
      )
    )
    printUntrusted(RENDERERS[inputs.format](report, { color: true }))
    const reportPath =
      inputs['report-path'] ??
      join(process.env.RUNNER_TEMP || tmpdir(), 'mailtrap-dns-verify-report.json')
    await writeFile(reportPath, RENDERERS.json(report))
    const markdown = RENDERERS.markdown(report)
    await core.summary.addRaw(markdown).write()
    annotate(report)
    if (inputs.comment === 'auto')
      await commentOnPullRequest(inputs['github-token'], report.config, markdown)

    core.setOutput('status', overallStatus(report))
    core.setOutput('report', reportPath)
    core.setOutput('failed-domains', JSON.stringify(failedDomains(report)))
    core.setOutput('exit-code', String(code))
    if (code === EXIT.findings) {
      const failed = failedDomains(report).length
      core.setFailed(
        failed > 0
          ? `${failed} domain(s) have findings at or above "${failOn}".`
          : `Some records have not settled (still propagating or inconsistent) at the deadline.`
      )
    } else if (code === EXIT.inconclusive) {
      core.setFailed('Inconclusive: some records got no conclusive answer from any resolver.')
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const p of error.problems)
        core.error(p.message, { file: p.file, startLine: p.line, startColumn: p.column })
    }
    core.setOutput('exit-code', String(EXIT.usage))
    core.setFailed((error as Error)?.message ?? String(error))
  }
}

/**
 * Keep one report comment on the pull request that triggered the run. Anything GitHub refuses
 * becomes a one-line warning: the comment is a convenience, the check's verdict stands.
 */
async function commentOnPullRequest(
  token: string | undefined,
  config: string,
  markdown: string
): Promise<void> {
  const number = github.context.payload.pull_request?.number
  if (!token || typeof number !== 'number') return
  const octokit = github.getOctokit(token, { request: { fetch } })
  const { owner, repo } = github.context.repo
  const port: PullCommentsPort = {
    async login() {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login
      } catch {
        return undefined // a GITHUB_TOKEN may not ask who it is; it comments as github-actions[bot]
      }
    },
    async list() {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: number,
        per_page: 100
      })
      return comments.map((c) => ({
        id: c.id,
        body: c.body ?? '',
        author: c.user?.login,
        bot: c.user?.type === 'Bot'
      }))
    },
    async create(body) {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body })
    },
    async update(id, body) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body })
    }
  }
  try {
    const result = await upsertStickyComment(port, stickyMarker(config), markdown)
    core.info(`Pull request comment: ${result}.`)
  } catch (error) {
    const e = error as { status?: number; message?: string }
    core.warning(commentErrorHint(e.status, String(e.message ?? error)))
  }
}

/**
 * Print text that carries DNS answers with workflow commands switched off, so a TXT record
 * cannot smuggle `::set-output` or `::add-mask` into the runner.
 */
function printUntrusted(text: string): void {
  const token = randomUUID()
  core.info(`::stop-commands::${token}`)
  core.info(text)
  core.info(`::${token}::`)
}

/** The worst domain status, or `pass` when there is no domain. */
function overallStatus(report: Report): string {
  const s = report.summary
  return s.fail ? 'fail' : s.unknown ? 'unknown' : s.warn ? 'warn' : 'pass'
}

/** One annotation per failing or warning domain, on its line of domains.yaml. */
function annotate(report: Report): void {
  for (const d of report.domains) {
    if (d.status !== 'fail' && d.status !== 'warn') continue
    const labelled = [
      ...d.findings.map((f) => ({ label: 'Domain', f })),
      ...d.records.flatMap((r) => r.findings.map((f) => ({ label: RECORD_LABELS[r.key], f })))
    ]
    const lines = labelled
      .filter(({ f }) => f.severity !== 'notice')
      .map(({ label, f }) => `${label}: ${f.code}: ${f.message}${f.hint ? ` Fix: ${f.hint}` : ''}`)
    const properties = { file: report.config, startLine: d.line, title: `${d.domain}: ${d.status}` }
    if (d.status === 'fail') core.error(lines.join('\n'), properties)
    else core.warning(lines.join('\n'), properties)
  }
}
