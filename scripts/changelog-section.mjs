#!/usr/bin/env node
// Prints the notes of one version from CHANGELOG.md (Keep a Changelog): the lines under its
// "## [X.Y.Z]" heading, up to the next "## " heading, without the link definitions at the end.
// The release workflow publishes them as the GitHub release's notes; a version with no section,
// or an empty one, is an error, so no release goes out without notes.
//
//   node scripts/changelog-section.mjs 1.2.3 [CHANGELOG.md]
//   node scripts/changelog-section.mjs v1.2.3        (a tag works too)
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The notes of `version` in the changelog `text`, trimmed; throws when there are none.
 * @param {string} text
 * @param {string} version
 * @returns {string}
 */
export function changelogSection(text, version) {
  const wanted = version.replace(/^v/, '')
  const lines = text.split(/\r?\n/)
  const heading = (line) => /^## \[?([^\]\s]+)\]?/.exec(line)?.[1]
  const start = lines.findIndex((line) => heading(line) === wanted)
  if (start < 0) throw new Error(`CHANGELOG.md has no section "## [${wanted}]"`)
  let end = lines.findIndex((line, i) => i > start && line.startsWith('## '))
  if (end < 0) end = lines.length
  const notes = lines
    .slice(start + 1, end)
    .filter((line) => !/^\[[^\]]+\]:\s/.test(line))
    .join('\n')
    .trim()
  if (notes === '') throw new Error(`CHANGELOG.md's section for ${wanted} is empty`)
  return notes
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [version, file = 'CHANGELOG.md'] = process.argv.slice(2)
  if (!version) {
    console.error('usage: node scripts/changelog-section.mjs VERSION [CHANGELOG.md]')
    process.exit(2)
  }
  try {
    process.stdout.write(`${changelogSection(readFileSync(file, 'utf8'), version)}\n`)
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
