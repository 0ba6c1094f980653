#!/usr/bin/env node
import { main } from './cli.js'

const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  color
}).then((code) => {
  process.exitCode = code
})
