// The CLI's entry point, which dist/cli.js runs through the bundle (src/bundle.ts). `--help` and
// `--version` are answered here, before anything else is loaded: the CLI pulls in zod, yaml and
// undici, which cost more start-up time than Node itself (issue 12). Every other command loads
// cli.js on demand.
import { USAGE } from './usage.js'
import { TOOL } from './version.js'

const argv = process.argv.slice(2)

// A reader that goes away (`check … | head`) ends the output, not the run: the rest is dropped,
// the exit code still gives the verdict, and Node prints no stack trace for the broken pipe.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
}

/** The four flags answered without the CLI; cli.ts answers them the same way. */
const QUICK = new Set(['-h', '--help', '-v', '--version'])

// Only when every argument is one of them: anything else (a command, an unknown flag that
// makes it a usage error) goes through the CLI's own parsing. Help wins over version there too.
if (argv.length > 0 && argv.every((arg) => QUICK.has(arg))) {
  const help = argv.some((arg) => arg === '-h' || arg === '--help')
  process.stdout.write(help ? USAGE : `${TOOL.version}\n`)
} else {
  // A chunk of its own in the bundle (src/bundle.ts): --help and --version never load it.
  const { main } = await import('./cli.js')
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
  const stderr = (text: string) => process.stderr.write(text)
  process.exitCode = await main(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr,
    env: process.env,
    color,
    progress: {
      tty: Boolean(process.stderr.isTTY),
      columns: process.stderr.columns,
      // A monotonic clock in ms; `performance` would load node:perf_hooks (about 1 ms).
      now: () => Number(process.hrtime.bigint()) / 1e6,
      write: stderr,
      every: (ms, tick) => {
        // Unref'd: the line never keeps the process alive.
        const timer = setInterval(tick, ms).unref()
        return () => clearInterval(timer)
      }
    },
    // V8's heap tuned for a fleet (src/fleet-heap.ts); cli.ts decides what is one.
    fleet: async () => (await import('./fleet-heap.js')).tuneHeapForFleet()
  })
}
