import { systemClock, type Clock } from './clock.js'

/** A deadline on one try of a request; see {@link abortAfter}. */
export interface Deadline {
  /** True once the deadline fired and aborted the request. */
  readonly timedOut: boolean
  clear(): void
}

/**
 * Abort `controller` after `ms`: one deadline for the whole try, connect to last byte, so a
 * server that trickles its answer cannot hold a try longer than `ms`.
 */
export function abortAfter(
  controller: AbortController,
  ms: number,
  clock: Clock = systemClock
): Deadline {
  let timedOut = false
  const cancel = clock.timer(ms, () => {
    timedOut = true
    controller.abort(new Error(`no answer within ${ms} ms`))
  })
  return {
    get timedOut() {
      return timedOut
    },
    clear: cancel
  }
}
