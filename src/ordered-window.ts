/**
 * A bounded, ordered pass over a long list: the fleet's domains are checked many at once, and
 * their reports handed on in the config's order as soon as each and every one before it is
 * done, so a 10,000-domain report is written as it goes and never held whole (issue 12).
 */

/**
 * Runs `fn` over `items` with at most `limit` running at once, and hands each result to
 * `emit` in the items' order (one `emit` at a time, awaited). A result waits for the ones
 * before it; an item starts only while fewer than `2 × limit` are started and not yet emitted,
 * so memory stays bounded however slow one item is. Rejects with the first error of `fn` or
 * `emit`; nothing more is started after it.
 */
export async function eachInOrder<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  emit: (result: R) => void | Promise<void>
): Promise<void> {
  const done = new Map<number, R>()
  let next = 0
  let emitted = 0
  let failure: { error: unknown } | undefined
  let waiting: (() => void)[] = []
  const wake = (): void => {
    const woken = waiting
    waiting = []
    for (const resume of woken) resume()
  }
  // One flush at a time, started by the result it can emit first: a result behind the head
  // waits for the flush already running (or the head's) to reach it.
  let flushing: Promise<void> | undefined
  let active = false
  const flush = async (): Promise<void> => {
    active = true
    try {
      while (!failure && done.has(emitted)) {
        const result = done.get(emitted) as R
        done.delete(emitted)
        await emit(result)
        emitted++
        wake()
      }
    } finally {
      active = false
    }
  }
  const fail = (error: unknown): void => {
    failure ??= { error }
    wake()
  }
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      if (next - emitted >= 2 * limit) {
        await new Promise<void>((resume) => waiting.push(resume))
        continue
      }
      const i = next++
      try {
        done.set(i, await fn(items[i] as T))
      } catch (error) {
        fail(error)
        return
      }
      if (!active && i === emitted) flushing = flush().catch(fail)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  await flushing
  if (failure) throw failure.error
}
