#!/usr/bin/env node
// The README's tables of the action's inputs and outputs, generated from action.yml, so the two
// cannot drift apart. Each table sits between markers in README.md:
//
//   <!-- inputs:start -->  ...  <!-- inputs:end -->
//   <!-- outputs:start --> ...  <!-- outputs:end -->
//
//   node scripts/inputs-table.mjs            print both tables
//   node scripts/inputs-table.mjs --write    rewrite them in README.md
//   node scripts/inputs-table.mjs --check    exit 1 when README.md's tables are not these
//   (--readme FILE and --action FILE read other files than README.md and action.yml)
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/**
 * Text of action.yml made safe for one cell of a Markdown table: one line, `|` escaped, and
 * outside code spans `&`, `<` and `>` as entities (`<zone>.zone` is no HTML tag).
 * @param {unknown} text
 * @returns {string}
 */
function cell(text) {
  return String(text ?? '')
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    )
    .join('')
    .replace(/\|/g, '\\|')
}

/** A default as a code span, long enough to hold the backticks inside it. */
function code(value) {
  const text = String(value)
  const ticks = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((t) => t.length)) + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${ticks}${pad}${text.replace(/\|/g, '\\|')}${pad}${ticks}`
}

/**
 * The Markdown tables of the inputs and outputs of an action.yml.
 * @param {string} actionYml the text of action.yml
 * @returns {{ inputs: string, outputs: string }}
 */
export function actionTables(actionYml) {
  const action = parse(actionYml) ?? {}
  const inputs = Object.entries(action.inputs ?? {}).map(([name, input]) => {
    const fallback = input?.default
    const shown = fallback === undefined || fallback === '' ? '' : code(fallback)
    const required = input?.required === true || input?.required === 'true' ? '**required**. ' : ''
    return `| \`${name}\` | ${shown} | ${required}${cell(input?.description)} |`
  })
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output?.description)} |`
  )
  return {
    inputs: ['| input | default | description |', '|---|---|---|', ...inputs].join('\n'),
    outputs: ['| output | description |', '|---|---|', ...outputs].join('\n')
  }
}

/**
 * README text with the text between each pair of markers replaced by its table. A missing or
 * doubled marker is an error that names it.
 * @param {string} readme
 * @param {{ inputs: string, outputs: string }} tables
 * @returns {string}
 */
export function withTables(readme, tables) {
  let text = readme
  for (const [name, table] of Object.entries(tables)) {
    const start = `<!-- ${name}:start -->`
    const end = `<!-- ${name}:end -->`
    const from = text.indexOf(start)
    const to = text.indexOf(end)
    if (from < 0 || to < from || text.indexOf(start, from + 1) >= 0) {
      throw new Error(`README.md needs one "${start}" followed by one "${end}"`)
    }
    text = `${text.slice(0, from + start.length)}\n\n${table}\n\n${text.slice(to)}`
  }
  return text
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const option = (flag, fallback) => {
    const i = args.indexOf(flag)
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback
  }
  const readmePath = option('--readme', 'README.md')
  const tables = actionTables(readFileSync(option('--action', 'action.yml'), 'utf8'))
  try {
    if (args.includes('--write') || args.includes('--check')) {
      const readme = readFileSync(readmePath, 'utf8')
      const wanted = withTables(readme, tables)
      if (args.includes('--write')) {
        if (wanted !== readme) writeFileSync(readmePath, wanted)
      } else if (wanted !== readme) {
        console.error(
          `${readmePath}: the tables of inputs and outputs are not those of action.yml: ` +
            'run `node scripts/inputs-table.mjs --write`'
        )
        process.exit(1)
      }
    } else {
      process.stdout.write(`${tables.inputs}\n\n${tables.outputs}\n`)
    }
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
