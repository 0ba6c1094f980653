// The entry of the one bundle scripts/build.mjs makes. dist/index.js (the action) and dist/cli.js
// (the CLI) are two-line files that import it and call one of these; each loads its own code on
// demand, as chunks that share the modules both use, so dist/ holds one copy of the engine and
// the CLI loads nothing of GitHub's.

/** Runs the action (src/index.ts). */
export async function action(): Promise<void> {
  await import('./index.js')
}

/** Runs the CLI on process.argv (src/cli-main.ts). */
export async function cli(): Promise<void> {
  await import('./cli-main.js')
}
