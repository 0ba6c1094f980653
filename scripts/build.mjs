// Builds the two committed bundles with ncc: dist/index.js (the action) and dist/cli.js (the
// CLI, which bundles nothing of GitHub's). ncc always names its output index.js, so each is
// built in its own folder and moved into dist/.
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs'

const bundles = [
  { entry: 'src/index.ts', out: 'dist/index.js', licenses: 'dist/licenses.txt' },
  { entry: 'src/cli-main.ts', out: 'dist/cli.js', licenses: 'dist/licenses-cli.txt' }
]
rmSync('dist', { recursive: true, force: true })
mkdirSync('dist')
for (const { entry, out, licenses } of bundles) {
  const tmp = `.build/${out.replace(/\W/g, '-')}`
  rmSync(tmp, { recursive: true, force: true })
  execFileSync(
    'npx',
    ['ncc', 'build', entry, '-o', tmp, '--minify', '--license', 'licenses.txt', '--quiet'],
    { stdio: 'inherit' }
  )
  copyFileSync(`${tmp}/index.js`, out)
  copyFileSync(`${tmp}/licenses.txt`, licenses)
  chmodSync(out, 0o755)
}
rmSync('.build', { recursive: true, force: true })
