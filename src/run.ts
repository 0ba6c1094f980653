import * as core from '@actions/core'
import * as github from '@actions/github'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError } from './config/domain-config.js'
import { InputError, list, readInputs, type Inputs } from './action-inputs.js'
import { fileSink, type ReportFile } from './report-file.js'
import { writeJsonReport } from './report/json-stream.js'
import { execute, mergeRun, readReport, RENDERERS, type EngineOptions } from './engine.js'
import { isUserError } from './errors.js'
import { createGitHubClient, withDeadline } from './github/client.js'
import { shouldSyncDriftIssue, syncDriftIssue, type DriftDomain } from './github/drift-issue.js'
import { findPullRequest, mayFindPullRequest } from './github/find-pull-request.js'
import { createGitHubPort } from './github/github-port.js'
import { publishComment, shouldComment, workflowRunUrl } from './github/publish-comment.js'
import { commentErrorHint, commentKey, stickyMarker } from './github/sticky-comment.js'
import {
  moreFindings,
  selectAnnotations,
  type Annotation,
  type CandidateAnnotation
} from './report/annotations.js'
import { warningLedger, type WarningLedger } from './report/warning-ledger.js'
import { escapeMarkdown } from './report/rich.js'
import {
  COMMENT_LIMIT_CHARS,
  renderMarkdown,
  SUMMARY_LIMIT_BYTES,
  utf8Bytes
} from './report/markdown.js'
import { parseShard } from './report/merge.js'
import { EXIT, exitCodeFor, failedDomains, type Report } from './report/report.js'
import { recordLabel } from './records/expected.js'
import { parseDuration } from './wait.js'
import type { PoliteOptions } from './polite-options.js'
import { parseRateLimits } from './dns/rate-cap.js'
import type { QueryMeter } from './dns/types.js'
import { finalLine } from './report/progress.js'
import { isFleet, tuneHeapForFleet } from './fleet-heap.js'

/** What a run ends with: a report, or the error that stopped it, and the exit code. */
type Outcome =
  | {
      report: Report
      exitCode: number
      failOn: string
      reportPath?: string
      /** The report file could not be written (already said as a warning). */
      reportUnwritten?: boolean
    }
  | { error: Error; exitCode: number }

/**
 * The action: inputs → engine → outputs, job summary, annotations, then the pull request
 * comment and the drift issue. The only module that touches @actions/*. Every outcome, an
 * error included, is reported everywhere; outputs are set before anything talks to GitHub, so
 * a slow API cannot lose the verdict.
 */
export async function run(): Promise<void> {
  for (const secret of ['mailtrap-token', 'github-token']) {
    const value = core.getInput(secret)
    if (value) core.setSecret(value)
  }
  let inputs: Inputs
  try {
    inputs = readInputs((name) => core.getInput(name))
  } catch (error) {
    core.setOutput('status', 'error')
    core.setOutput('exit-code', String(EXIT.usage))
    core.setFailed((error as Error).message)
    return
  }
  const warnings = warningLedger({
    warning: (message, properties) => core.warning(message, properties),
    log: (line) => core.info(line)
  })
  const outcome = await produce(inputs, warnings)
  const reportPath =
    'report' in outcome && !outcome.reportUnwritten
      ? (outcome.reportPath ?? (await writeReport(inputs, outcome.report, warnings)))
      : undefined
  setOutputs(outcome, reportPath)
  const markdown =
    'report' in outcome
      ? renderMarkdown(outcome.report, {
          limit: SUMMARY_LIMIT_BYTES - 1024,
          measure: utf8Bytes,
          fullReport: whereFull(inputs, reportPath)
        })
      : errorMarkdown(outcome.error)
  await writeSummary(markdown, warnings)
  const plan = githubPlan(inputs, outcome, warnings)
  const heldBack = annotate(outcome, warnings, plan?.steps ?? 0)
  if (plan) await talkToGitHub(inputs, outcome, reportPath, plan, warnings)
  heldBack()
  conclude(outcome)
}

/** Check, wait, merge the shards' reports, or read an earlier run's report. */
async function produce(inputs: Inputs, warnings: WarningLedger): Promise<Outcome> {
  let file: ReportFile | undefined
  try {
    if (inputs.mode === 'comment' || inputs.mode === 'merge') {
      if (!inputs.report) throw new InputError(`mode: ${inputs.mode} needs the report input`)
      const { report, exitCode } =
        inputs.mode === 'merge'
          ? await mergeRun(list(inputs.report))
          : await readReport(inputs.report).then((report) => ({
              report,
              exitCode: exitCodeFor(report, report.failOn ?? 'error')
            }))
      printUntrusted(await RENDERERS[inputs.format](report, { color: true }))
      return { report, exitCode, failOn: report.failOn ?? 'error' }
    }
    // A fleet's run keeps V8's heap small, as the CLI's does (src/fleet-heap.ts).
    if (isFleet(inputs.config, inputs['zone-dir'])) await tuneHeapForFleet()
    const started = performance.now()
    const meter: QueryMeter = { asked: 0 }
    let rounds = 0
    const options: EngineOptions & PoliteOptions = {
      config: inputs.config,
      resolvers: list(inputs.resolvers),
      authoritative: list(inputs.authoritative),
      zoneDir: inputs['zone-dir'],
      domains: list(inputs.domains),
      shard: inputs.shard ? parseShard(inputs.shard) : undefined,
      failOn: inputs['fail-on'],
      timeoutMs: inputs['query-timeout'],
      rateLimits: inputs['rate-limit']
        ? parseRateLimits(list(inputs['rate-limit']), 'rate-limit')
        : undefined,
      meter,
      onRound: () => rounds++,
      mailtrap: inputs['mailtrap-token']
        ? {
            token: inputs['mailtrap-token'],
            baseUrl: inputs['mailtrap-url'],
            accountId: inputs['mailtrap-account']
          }
        : undefined,
      requireVerified: inputs['require-verified'] === 'true',
      deadlineMs: inputs.deadline ? parseDuration(inputs.deadline) : undefined,
      create: inputs.create === 'true',
      // Creating a sending domain from a pull request is refused unless asked for explicitly.
      createAllowed:
        !(github.context.eventName ?? '').startsWith('pull_request') ||
        inputs['allow-create-on-pr'] === 'true',
      debug: (line) => core.debug(line)
    }
    // A check's JSON report is written domain by domain as it runs, never held whole; the log
    // then shows plain passing domains without each resolver's answer, so not when it is JSON.
    file = !inputs.wait && inputs.format !== 'json' ? fileSink(reportPathOf(inputs)) : undefined
    // A report file that cannot be written costs the file, not the check: said as a warning.
    let unwritten: unknown
    const sink = file?.sink
    const jsonSink = sink
      ? async (chunk: string) => {
          if (unwritten === undefined) await sink(chunk).catch((e: unknown) => (unwritten = e))
        }
      : undefined
    const result = await core.group('Checking DNS records', () =>
      execute(
        {
          ...options,
          jsonSink,
          command: inputs.wait ? 'wait' : 'check',
          wait: {
            timeoutMs: inputs.wait ? parseDuration(inputs.wait) : undefined,
            intervalMs: inputs['wait-interval'] ? parseDuration(inputs['wait-interval']) : undefined
          }
        },
        { now: () => new Date(), sleep: (ms) => sleep(ms), progress: (line) => core.info(line) }
      )
    )
    // The one progress line a log gets: the counts and the time taken, outside the group.
    core.info(
      finalLine({
        summary: result.report.summary,
        rounds: Math.max(rounds, 1),
        elapsedMs: performance.now() - started,
        asked: meter.asked
      })
    )
    if (file && unwritten === undefined) await file.close().catch((e: unknown) => (unwritten = e))
    if (unwritten !== undefined) {
      await file?.abort()
      warnings.warn(`${(unwritten as Error).message}; the check itself is complete`)
    }
    printUntrusted(await RENDERERS[inputs.format](result.report, { color: true }))
    if (!file) return { ...result }
    return unwritten === undefined
      ? { ...result, reportPath: reportPathOf(inputs) }
      : { ...result, reportUnwritten: true }
  } catch (error) {
    await file?.abort()
    const known = isUserError(error) || error instanceof InputError
    const e = error instanceof Error ? error : new Error(String(error))
    if (!known) e.message = `unexpected error: ${e.message}`
    return { error: e, exitCode: EXIT.usage }
  }
}

function reportPathOf(inputs: Inputs): string {
  return (
    inputs['report-path'] ??
    join(process.env.RUNNER_TEMP || tmpdir(), 'mailtrap-dns-verify-report.json')
  )
}

/** The report file of a run that did not stream it; a path it cannot be written to is a warning. */
async function writeReport(
  inputs: Inputs,
  report: Report,
  warnings: WarningLedger
): Promise<string | undefined> {
  const path = reportPathOf(inputs)
  // As a check writes it: domain by domain, beside its path, renamed into place whole.
  const file = fileSink(path)
  try {
    await writeJsonReport(report, file.sink)
    await file.close()
    return path
  } catch (error) {
    await file.abort()
    warnings.warn((error as Error).message)
    return undefined
  }
}

/** Where the whole report can be read when the summary or the comment is cut. */
function whereFull(inputs: Inputs, reportPath: string | undefined): string {
  return inputs.artifact
    ? `The JSON report in the workflow artifact \`${escapeMarkdown(inputs.artifact)}\` has all of it.`
    : `The log of this workflow run has the whole report (the JSON report, ${escapeMarkdown(reportPath ?? 'not written')}, lives only as long as the runner: upload it as an artifact and name it in the input \`artifact\` to keep it).`
}

function overallStatus(outcome: Outcome): string {
  if (!('report' in outcome)) return 'error'
  const s = outcome.report.summary
  return s.fail ? 'fail' : s.unknown ? 'unknown' : s.warn ? 'warn' : 'pass'
}

/** One line: "12 domains: 10 pass, 1 warn, 1 fail". */
function summaryLine(outcome: Outcome): string {
  if (!('report' in outcome)) return `error: ${firstLine(outcome.error.message)}`
  const s = outcome.report.summary
  const parts = [`${s.pass} pass`, `${s.warn} warn`, `${s.fail} fail`]
  if (s.unknown) parts.push(`${s.unknown} unknown`)
  return `${s.domains} domain${s.domains === 1 ? '' : 's'}: ${parts.join(', ')}`
}

const firstLine = (text: string): string => text.split('\n')[0] ?? ''

function setOutputs(outcome: Outcome, reportPath: string | undefined): void {
  core.setOutput('status', overallStatus(outcome))
  core.setOutput('exit-code', String(outcome.exitCode))
  core.setOutput('summary', summaryLine(outcome))
  core.setOutput(
    'failed-domains',
    JSON.stringify('report' in outcome ? failedDomains(outcome.report) : [])
  )
  if (reportPath) core.setOutput('report', reportPath)
  if ('verified' in outcome && outcome.verified !== undefined)
    core.setOutput('verified', String(outcome.verified))
}

/** What went wrong, for the job summary and the comment, when no report was made. */
function errorMarkdown(error: Error): string {
  const lines = error.message.split('\n').map((l) => escapeMarkdown(l))
  return [
    '## ❗ Mailtrap DNS check: could not run',
    '',
    ...lines.map((l) => `> ${l}`),
    '',
    'Nothing was checked. Fix the problem above and run the check again.',
    ''
  ].join('\n')
}

async function writeSummary(markdown: string, warnings: WarningLedger): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    warnings.warn('GITHUB_STEP_SUMMARY is not set: the job summary is not written.')
    return
  }
  try {
    await core.summary.addRaw(markdown).write({ overwrite: false })
  } catch (error) {
    warnings.warn(`The job summary could not be written: ${(error as Error).message}`)
  }
}

const RANK = { error: 2, warning: 1, notice: 0 } as const

/**
 * The worst errors (10, or 9 when the step fails: its failure is the tenth) and warnings (10,
 * less those printed already) on their lines of domains.yaml, and a count of the rest. The
 * warnings that would take the slots of the `later` ones the GitHub steps may print are held
 * back: the function returned prints them into the room those steps left, then the count.
 */
function annotate(outcome: Outcome, warnings: WarningLedger, later: number): () => void {
  const candidates: CandidateAnnotation[] = []
  if ('error' in outcome) {
    const { error } = outcome
    if (error instanceof ConfigError) {
      for (const p of error.problems)
        candidates.push({
          level: 'error',
          severityRank: 2,
          file: p.file,
          line: p.line,
          title: 'Invalid config',
          message: p.message
        })
    }
  } else {
    const { report } = outcome
    for (const d of report.domains) {
      if (d.status !== 'fail' && d.status !== 'warn') continue
      const labelled = [
        ...d.findings.map((f) => ({ label: 'Domain', f })),
        ...d.records.flatMap((r) => r.findings.map((f) => ({ label: recordLabel(r.key), f })))
      ]
      for (const { label, f } of labelled) {
        if (f.severity === 'notice') continue
        candidates.push({
          level: f.severity,
          severityRank: RANK[f.severity],
          file: report.config,
          line: d.line,
          title: `${d.domain}: ${d.status}`,
          message: `${label}: ${f.code}: ${f.message}${f.hint ? ` Fix: ${f.hint}` : ''}`
        })
      }
    }
  }
  // The step's failure is an error annotation of its own: the findings get one error fewer, so
  // GitHub's 10 a step shows hold it too.
  const reserved = {
    error: failureOf(outcome) === undefined ? 0 : 1,
    warning: warnings.printed
  }
  let shown = 0
  const print = (a: Annotation): void => {
    const properties = { file: a.file, startLine: a.line, title: a.title }
    if (a.level === 'error') core.error(a.message, properties)
    else warnings.warn(a.message, properties)
    shown += a.findings ?? 1
  }
  const held: Annotation[] = []
  for (const a of selectAnnotations(candidates, { reserved })) {
    if (a.level === 'notice') continue
    if (a.level === 'warning' && warnings.room <= later) held.push(a)
    else print(a)
  }
  return () => {
    for (const a of held) if (warnings.room > 0) print(a)
    const notice = moreFindings(candidates.length - shown, candidates[0]?.file)
    if (notice) core.notice(notice.message, { file: notice.file, title: notice.title })
  }
}

/** What the run will ask of GitHub: the comment, the drift issue, or nothing (no token). */
interface GitHubPlan {
  token: string
  wantsComment: boolean
  wantsDrift: boolean
  /** The steps, each of which may end in one warning. */
  steps: number
}

function githubPlan(
  inputs: Inputs,
  outcome: Outcome,
  warnings: WarningLedger
): GitHubPlan | undefined {
  const token = inputs['github-token']
  if (!token) return undefined
  const wantsComment = shouldComment(
    inputs.comment,
    github.context.eventName,
    overallStatus(outcome) === 'pass',
    inputs['pr-number'] !== undefined
  )
  const wantsDrift =
    shouldSyncDriftIssue(inputs['drift-issue'] === 'true', github.context.eventName) &&
    'report' in outcome
  if (!wantsComment && !wantsDrift) return undefined
  try {
    void github.context.repo
  } catch {
    // Outside a runner (a local run without GITHUB_REPOSITORY) there is no repository to talk to.
    warnings.warn('GITHUB_REPOSITORY is not set: no pull request comment and no drift issue.')
    return undefined
  }
  // A comment step that finds no pull request (a push, a schedule) asks nothing and cannot warn.
  const comments = wantsComment && mayFindPullRequest(github.context.eventName, inputs['pr-number'])
  return { token, wantsComment, wantsDrift, steps: Number(comments) + Number(wantsDrift) }
}

/** The sticky pull request comment and the drift issue, bounded in time, never fatal. */
async function talkToGitHub(
  inputs: Inputs,
  outcome: Outcome,
  reportPath: string | undefined,
  { token, wantsComment, wantsDrift, steps }: GitHubPlan,
  warnings: WarningLedger
): Promise<void> {
  const { eventName, payload } = github.context
  const passed = overallStatus(outcome) === 'pass'
  // The steps still to end: each keeps its warning's slot from the clients' own lines.
  let pending = steps
  // A client a step: one that runs out of time is aborted for good, and the next step starts anew.
  const connect = () => {
    const client = createGitHubClient({
      token,
      baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
      warn: (line) => warnings.warnIfRoom(line, pending)
    })
    return { client, port: createGitHubPort(client) }
  }
  const { owner, repo } = github.context.repo
  // mode comment and merge: the config the report checked, so the comment is the one a check
  // run of that config keeps, not a second one under the default key.
  const config =
    inputs.mode !== 'check' && 'report' in outcome ? outcome.report.config : inputs.config
  const key = inputs['comment-key'] ?? commentKey(config)
  const run = {
    url:
      eventName === 'workflow_run' && typeof payload.workflow_run?.html_url === 'string'
        ? payload.workflow_run.html_url
        : workflowRunUrl(github.context.serverUrl, `${owner}/${repo}`, github.context.runId),
    sha: String(
      payload.pull_request?.head?.sha ?? payload.workflow_run?.head_sha ?? github.context.sha ?? ''
    )
  }
  if (wantsComment) {
    const { client, port } = connect()
    try {
      const result = await withDeadline(
        (async () => {
          const pr = await findPullRequest(eventName, payload, port, {
            repo: { owner, repo },
            prNumber: inputs['pr-number']
          })
          if (!pr) return 'skipped (no pull request for this event)'
          const markdown =
            'report' in outcome
              ? renderMarkdown(outcome.report, {
                  limit: COMMENT_LIMIT_CHARS - stickyMarker(key).length - 512,
                  fullReport: whereFull(inputs, reportPath)
                })
              : errorMarkdown(outcome.error)
          return publishComment({
            port,
            target: { owner, repo, number: pr.number },
            key,
            markdown,
            passed,
            mode: inputs.comment,
            onPass: inputs['comment-on-pass'],
            run,
            cutNote: `The report is cut here. ${whereFull(inputs, reportPath)}`
          })
        })(),
        githubDeadlineMs(),
        { what: 'The pull request comment', onExpire: () => client.abort() }
      )
      core.info(`Pull request comment: ${result}.`)
    } catch (error) {
      warnings.warn(
        commentErrorHint((error as { status?: number }).status, client.describe(error), [token])
      )
    }
    pending = Number(wantsDrift)
  }
  if (wantsDrift && 'report' in outcome) {
    const { client, port } = connect()
    try {
      const { number, action } = await withDeadline(
        syncDriftIssue({
          port,
          repo: { owner, repo },
          label: inputs['drift-label'],
          key,
          input: {
            failing: driftDomains(outcome.report),
            passedAll: passed,
            runUrl: run.url,
            now: new Date()
          }
        }),
        githubDeadlineMs(),
        { what: 'The drift issue', onExpire: () => client.abort() }
      )
      core.info(`Drift issue: ${action}${number ? ` (#${number})` : ''}.`)
      if (number) core.setOutput('drift-issue', String(number))
    } catch (error) {
      warnings.warn(`Could not update the drift issue: ${client.describe(error)}`)
    }
  }
}

/**
 * How long the comment step and the drift issue step may each take: 120 s, or
 * MAILTRAP_DNS_VERIFY_GITHUB_DEADLINE_MS (tests of a silent API, impatient workflows).
 */
function githubDeadlineMs(): number {
  const ms = Number(process.env.MAILTRAP_DNS_VERIFY_GITHUB_DEADLINE_MS)
  return Number.isInteger(ms) && ms > 0 ? ms : 120_000
}

/** The failing domains as the drift issue lists them: what fails, and what to change. */
function driftDomains(report: Report): DriftDomain[] {
  return report.domains
    .filter((d) => d.status === 'fail')
    .map((d) => {
      const failing = d.records.filter((r) => r.status === 'fail')
      const findings = [...d.findings, ...failing.flatMap((r) => r.findings)].filter(
        (f) => f.severity === 'error'
      )
      return {
        domain: d.domain,
        summaryLine: [
          ...d.findings.filter((f) => f.severity === 'error').map((f) => `Domain: ${f.code}`),
          ...failing.map(
            (r) =>
              `${recordLabel(r.key)}: ${[...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.code))].join(', ')}`
          )
        ].join('; '),
        fixes: [...new Set(findings.map((f) => f.hint).filter(Boolean))]
      }
    })
}

function conclude(outcome: Outcome): void {
  const failure = failureOf(outcome)
  if (failure !== undefined) core.setFailed(failure)
}

/** Why the step fails, or undefined when it passes: `core.setFailed` prints it as an error. */
function failureOf(outcome: Outcome): string | undefined {
  if ('error' in outcome) return outcome.error.message
  const { report, exitCode, failOn } = outcome
  if (exitCode === EXIT.findings) {
    const failed = failedDomains(report).length
    return failed > 0
      ? `${failed} domain(s) have findings at or above "${failOn}".`
      : `Some records have not settled (still propagating or inconsistent) at the deadline.`
  }
  if (exitCode === EXIT.inconclusive) {
    return 'Inconclusive: some records got no conclusive answer from any resolver.'
  }
  return undefined
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
