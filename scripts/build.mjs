// Builds the committed bundle with ncc: one build of src/bundle.ts, so the action and the CLI
// share one copy of the engine (issue 12: dist/ at most 2 MB). ncc emits the entry and, for each
// dynamic import, chunk files that share the modules both sides use: the action's chunks (with
// GitHub's code) are loaded only by the action, the CLI's only by the CLI, and `--help` and
// `--version` load neither. Then:
// - dist/bundle.js is ncc's entry, and the chunks (N.index.js) sit beside it, where it loads them;
// - dist/index.js (action.yml's main) and dist/cli.js (package.json's bin) are two-line files
//   that call the entry's action() or cli();
// - ncc minifies only its entry, so each chunk is minified here with esbuild (names kept, as ncc
//   keeps them), which gives the same bytes for the same input: CI rebuilds dist/ and diffs it;
// - before that, each module's factory in a chunk becomes a parenthesised `function` (see
//   eagerFactories), which V8 compiles with the chunk rather than parsing twice.
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { writeFileSync } from 'node:fs'
import { transformSync } from 'esbuild'

// webpack writes the factory of each module in a chunk as a parenthesised arrow,
// `((module, exports, require) => { ... })`. V8 compiles a function lazily, preparsing it with
// its file and parsing it again at its first call, unless it looks immediately called:
// `(function` (the PIFE heuristic), which an arrow never matches. Nearly every module of the
// chunks a run loads is required, so each factory becomes `(function(module, exports, require)
// { ... })`, compiled once with its chunk: 90 M of the 500 M instructions a one-domain check
// adds to bare Node (callgrind, issue 12); on Node 22+ they are then in the compile cache too.
// The code does the same: webpack writes an arrow only for a module that does not use `this` at
// its top level, and none reads a factory's `arguments` (in an arrow, in a module chunk, that
// would throw a ReferenceError).
function eagerFactories(source, file) {
  const arrows = /\n\/\*\*\*\/ \(\(([\w$, ]*)\) => \{\n/g
  const converted = source.replace(arrows, '\n/***/ (function($1) {\n')
  const left = converted.match(/\n\/\*\*\*\/ \(\(/g)
  if (left)
    throw new Error(`build: ${left.length} module factories of ${file} are not of a known form`)
  return converted
}

const tmp = '.build/bundle'
rmSync('dist', { recursive: true, force: true })
rmSync(tmp, { recursive: true, force: true })
mkdirSync('dist')
execFileSync(
  'npx',
  ['ncc', 'build', 'src/bundle.ts', '-o', tmp, '--minify', '--license', 'licenses.txt', '--quiet'],
  { stdio: 'inherit' }
)
for (const file of readdirSync(tmp).sort()) {
  if (file === 'index.js') copyFileSync(`${tmp}/${file}`, 'dist/bundle.js')
  else if (file === 'licenses.txt') copyFileSync(`${tmp}/${file}`, 'dist/licenses.txt')
  else if (/^\d+\.index\.js$/.test(file)) {
    const { code } = transformSync(eagerFactories(readFileSync(`${tmp}/${file}`, 'utf8'), file), {
      loader: 'js',
      format: 'esm',
      target: 'node20',
      minify: true,
      keepNames: true,
      legalComments: 'none'
    })
    writeFileSync(`dist/${file}`, code)
  } else if (file !== 'package.json') {
    throw new Error(`build: ncc wrote ${file}, which this script does not know where to put`)
  }
}
writeFileSync(
  'dist/index.js',
  "// The action (action.yml's main): see src/bundle.ts.\nimport { action } from './bundle.js'\nawait action()\n"
)
writeFileSync(
  'dist/cli.js',
  "#!/usr/bin/env node\n// The CLI (package.json's bin): see src/bundle.ts.\nimport { cli } from './bundle.js'\nawait cli()\n"
)
chmodSync('dist/cli.js', 0o755)
rmSync('.build', { recursive: true, force: true })
