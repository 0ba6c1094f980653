import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { ConfigError } from './config/load-config.js'
import { FAIL_ON } from './config/schema.js'
import { runEngine } from './engine.js'
import { renderMarkdown } from './report/markdown.js'
import { EXIT, exitCodeFor, failedDomains, type Report } from './report/report.js'
import { renderJson, renderText } from './report/text.js'
import { RECORD_LABELS } from './records/expected.js'

/** Every input of action.yml; the compiler rejects one that is read but not declared here. */
const inputsSchema = z.object({
  config: z.string().default('domains.yaml'),
  resolvers: z.string().optional(),
  authoritative: z.string().optional(),
  'zone-dir': z.string().optional(),
  domains: z.string().optional(),
  'fail-on': z.enum(FAIL_ON).optional(),
  format: z.enum(['text', 'json', 'markdown']).default('text'),
  'report-path': z.string().optional(),
  timeout: z.coerce.number().int().positive().optional()
})
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
    const inputs = readInputs()
    const { report, failOn } = await core.group('Checking DNS records', () =>
      runEngine({
        config: inputs.config,
        resolvers: list(inputs.resolvers),
        authoritative: list(inputs.authoritative),
        zoneDir: inputs['zone-dir'],
        domains: list(inputs.domains),
        failOn: inputs['fail-on'],
        timeoutMs: inputs.timeout
      })
    )
    printUntrusted(
      inputs.format === 'json'
        ? renderJson(report)
        : inputs.format === 'markdown'
          ? renderMarkdown(report)
          : renderText(report, { color: true })
    )
    const reportPath =
      inputs['report-path'] ??
      join(process.env.RUNNER_TEMP ?? '.', 'mailtrap-dns-verify-report.json')
    await writeFile(reportPath, renderJson(report))
    await core.summary.addRaw(renderMarkdown(report)).write()
    annotate(report)

    const code = exitCodeFor(report, failOn)
    core.setOutput('status', overallStatus(report))
    core.setOutput('report', reportPath)
    core.setOutput('failed-domains', JSON.stringify(failedDomains(report)))
    core.setOutput('exit-code', String(code))
    if (code === EXIT.findings) {
      core.setFailed(
        `${failedDomains(report).length || 'Some'} domain(s) have findings at or above "${failOn}".`
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
    const lines = d.records.flatMap((r) =>
      r.findings
        .filter((f) => f.severity !== 'notice')
        .map(
          (f) =>
            `${RECORD_LABELS[r.key]}: ${f.code}: ${f.message}${f.hint ? ` Fix: ${f.hint}` : ''}`
        )
    )
    const properties = { file: report.config, startLine: d.line, title: `${d.domain}: ${d.status}` }
    if (d.status === 'fail') core.error(lines.join('\n'), properties)
    else core.warning(lines.join('\n'), properties)
  }
}
