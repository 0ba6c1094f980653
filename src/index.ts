import * as core from '@actions/core'
import { run } from './run.js'

// A failure run() did not foresee still fails the step in one line: an unhandled rejection would
// print a stack trace and a line of the minified bundle.
await run().catch((error: unknown) => {
  core.setFailed(`unexpected error: ${error instanceof Error ? error.message : String(error)}`)
})
