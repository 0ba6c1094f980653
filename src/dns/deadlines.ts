/**
 * The tries a DNS client has on the wire, in the order they were sent, each with the time it
 * gives up (the UDP client, wire-client.ts, and the TCP one, tcp-client.ts). Every try waits the
 * same `timeoutMs`, so that is also the order their deadlines fall: one timer armed for the
 * oldest stands in for a timer per try (150,000 set and cleared in a 10,000-domain run, issue
 * 12). A try answered meanwhile is dropped once it reaches the front.
 */
import { Fifo } from './fifo.js'

/** A try as the queue sees it: when it gives up, set by {@link Deadlines.arm}. */
export interface Timed {
  due: number
}

export interface DeadlineHooks<T extends Timed> {
  /** Whether the try still waits for its answer; one that does not leaves the queue. */
  waits(t: T): boolean
  /** The try's deadline came without an answer: it has left the queue. */
  expire(t: T): void
  /** Whether any question is still unsettled: when none is, the timer is let go. */
  busy(): boolean
}

export class Deadlines<T extends Timed> {
  private readonly waiting = new Fifo<T>()
  /** Armed whenever a try waits (it keeps the process alive, as a timer per try did). */
  private timer: NodeJS.Timeout | undefined
  /** Set while {@link onDeadline} runs: it arms the timer itself when it is done. */
  private expiring = false

  constructor(
    private readonly timeoutMs: number,
    private readonly hooks: DeadlineHooks<T>
  ) {}

  /** A try sent: it gives up `timeoutMs` from now unless answered. */
  arm(t: T): void {
    t.due = performance.now() + this.timeoutMs
    this.waiting.push(t)
    if (this.timer === undefined && !this.expiring) {
      this.timer = setTimeout(this.onDeadline, this.timeoutMs)
    }
  }

  /**
   * A question settled. When none is left, nothing is on the wire: no timer holds the process.
   * Otherwise the answered tries at the front leave, so the queue holds about the questions in
   * flight rather than every try of the last `timeoutMs`, each holding its question and outcome.
   */
  settled(): void {
    if (!this.hooks.busy()) {
      this.stop()
      return
    }
    for (let t = this.waiting.peek(); t !== undefined; t = this.waiting.peek()) {
      if (this.hooks.waits(t)) return
      this.waiting.shift()
    }
  }

  /** Forgets every try, the timer left armed: a closed connection's tries are armed again. */
  clear(): void {
    this.waiting.drain()
  }

  /** Nothing on the wire: nothing to time out, and no timer holding the process. */
  private stop(): void {
    if (this.expiring) return
    clearTimeout(this.timer)
    this.timer = undefined
    this.waiting.drain()
  }

  /** Times out the tries whose deadline has come, then arms the timer for the next one. */
  private readonly onDeadline = (): void => {
    this.timer = undefined
    this.expiring = true
    const now = performance.now()
    try {
      for (let t = this.waiting.peek(); t !== undefined; t = this.waiting.peek()) {
        if (this.hooks.waits(t)) {
          // Never early: libuv's clock, which armed the timer, may run ahead of this one.
          if (t.due > now) break
          this.waiting.shift()
          this.hooks.expire(t)
        } else this.waiting.shift()
      }
    } finally {
      this.expiring = false
    }
    if (!this.hooks.busy()) {
      this.stop()
      return
    }
    const next = this.waiting.peek()
    if (next !== undefined && this.timer === undefined) {
      this.timer = setTimeout(this.onDeadline, Math.max(1, Math.ceil(next.due - now)))
    }
  }
}
