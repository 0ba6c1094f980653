/**
 * What the process printed on stderr while `run` ran. Node prints its own warnings there (a
 * MaxListenersExceededWarning, say), and jest's sandboxed `process` never hears them as events.
 */
export async function stderrDuring(run: () => Promise<void>): Promise<string> {
  const printed: string[] = []
  const write = process.stderr.write
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(String(chunk))
    return (write as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest)
  }) as typeof process.stderr.write
  try {
    await run()
    // Warnings are printed on a later tick than the one that caused them.
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.stderr.write = write
  }
  return printed.join('')
}
