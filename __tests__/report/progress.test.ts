/**
 * The progress line on a clock and a timer the test drives: what a terminal and a log each get,
 * and the words of the line and of the final line.
 */
import { describe, expect, it } from '@jest/globals'
import {
  createProgress,
  duration,
  finalLine,
  progressLine,
  type ProgressPorts
} from '../../src/report/progress.js'

const CLEAR = '\r\u001b[K'

/** Ports on a fake clock: `advance(ms)` moves it and fires the timer as often as it is due. */
function fakePorts(tty: boolean, extra: Partial<ProgressPorts> = {}) {
  let now = 0
  const written: string[] = []
  let timer: { every: number; next: number; tick: () => void } | undefined
  const ports: ProgressPorts = {
    tty,
    now: () => now,
    write: (text) => written.push(text),
    every: (ms, tick) => {
      timer = { every: ms, next: now + ms, tick }
      return () => {
        timer = undefined
      }
    },
    ...extra
  }
  const advance = (ms: number) => {
    const end = now + ms
    while (timer && timer.next <= end) {
      now = timer.next
      timer.next += timer.every
      timer.tick()
    }
    now = end
  }
  return { ports, written, advance, ticking: () => timer !== undefined }
}

const summary = { domains: 3, pass: 2, warn: 0, fail: 1, unknown: 0 }

describe('createProgress on a terminal', () => {
  it('draws nothing in the first second, then redraws in place four times a second', () => {
    let asked = 0
    const { ports, written, advance } = fakePorts(true, { asked: () => asked })
    const progress = createProgress(ports)
    progress.round(4)
    advance(999)
    expect(written).toEqual([])
    progress.domain()
    asked = 20
    advance(1)
    expect(written).toEqual([`${CLEAR}checking 1/4 domains · 20 q/s · about 3.0s left`])
    progress.domain()
    asked = 30
    advance(250)
    expect(written.at(-1)).toBe(`${CLEAR}checking 2/4 domains · 24 q/s · about 1.3s left`)
    advance(1000)
    expect(written).toHaveLength(6)
  })

  it('clears the line for other text, and ends with the final line in its place', () => {
    const { ports, written, advance, ticking } = fakePorts(true, { asked: () => 90 })
    const progress = createProgress(ports)
    progress.round(3)
    advance(1000)
    progress.print('a line of the run\n')
    expect(written.slice(-2)).toEqual([CLEAR, 'a line of the run\n'])
    // The line is not drawn again until the next tick: nothing to clear before the next text.
    progress.print('another\n')
    expect(written.slice(-2)).toEqual(['a line of the run\n', 'another\n'])
    advance(250)
    expect(written.at(-1)).toBe(`${CLEAR}checking 0/3 domains`)
    progress.finish(summary)
    expect(written.slice(-2)).toEqual([
      CLEAR,
      'checked 3 domains in 1.3s: 2 pass, 1 fail; 90 questions, 72 q/s\n'
    ])
    expect(ticking()).toBe(false)
    progress.finish(summary)
    expect(written.at(-1)).toBe('checked 3 domains in 1.3s: 2 pass, 1 fail; 90 questions, 72 q/s\n')
  })

  it('cuts the line to the width of the terminal, one column short', () => {
    const { ports, written, advance } = fakePorts(true, { columns: 12 })
    createProgress(ports).round(10_000)
    advance(1000)
    expect(written).toEqual([`${CLEAR}checking 0/`])
  })

  it('says nothing at all for a run under a second, and stops the timer', () => {
    const { ports, written, advance, ticking } = fakePorts(true)
    const progress = createProgress(ports)
    advance(900)
    progress.finish(summary)
    expect(written).toEqual([])
    expect(ticking()).toBe(false)
  })

  it('clears the line and writes nothing more when the run fails', () => {
    const { ports, written, advance, ticking } = fakePorts(true)
    const progress = createProgress(ports)
    advance(1500)
    progress.stop()
    expect(written.at(-1)).toBe(CLEAR)
    expect(ticking()).toBe(false)
  })
})

describe('createProgress in a log', () => {
  it('starts no timer and writes one final line, counting every round of wait', () => {
    let asked = 0
    const { ports, written, advance, ticking } = fakePorts(false, { asked: () => asked })
    const progress = createProgress(ports)
    expect(ticking()).toBe(false)
    for (let round = 0; round < 3; round++) {
      progress.round(2)
      progress.domain()
      progress.domain()
      asked += 10
      advance(40_000)
    }
    progress.print('a line of the run\n')
    progress.finish({ domains: 2, pass: 2, warn: 0, fail: 0, unknown: 0 })
    expect(written).toEqual([
      'a line of the run\n',
      'checked 2 domains 3 times in 2m 00s: 2 pass; 30 questions, 0 q/s\n'
    ])
  })

  it('leaves the questions out when none were counted', () => {
    const { ports, written, advance } = fakePorts(false)
    const progress = createProgress(ports)
    advance(1200)
    progress.finish({ domains: 1, pass: 0, warn: 0, fail: 0, unknown: 1 })
    expect(written).toEqual(['checked 1 domain in 1.2s: 1 unknown\n'])
  })
})

describe('the words', () => {
  it('shows what it knows: the total and the time left once the engine says, the rate once counted', () => {
    expect(progressLine({ done: 0, elapsedMs: 1000 })).toBe('checking: 0 domains done')
    expect(progressLine({ done: 1, elapsedMs: 1000, asked: 0 })).toBe('checking: 1 domain done')
    expect(progressLine({ done: 0, total: 10_000, elapsedMs: 1000, asked: 2500 })).toBe(
      'checking 0/10,000 domains · 2,500 q/s'
    )
    expect(progressLine({ done: 2500, total: 10_000, elapsedMs: 100_000, asked: 12_500 })).toBe(
      'checking 2,500/10,000 domains · 125 q/s · about 5m 00s left'
    )
    expect(progressLine({ done: 1, total: 1, elapsedMs: 5000 })).toBe('checking 1/1 domain')
  })

  it('writes durations for people', () => {
    expect([0, 400, 12_340, 59_949, 59_950, 185_000, 3_600_000, 3_720_000].map(duration)).toEqual([
      '0.0s',
      '0.4s',
      '12.3s',
      '59.9s',
      '1m 00s',
      '3m 05s',
      '1h 00m',
      '1h 02m'
    ])
  })

  it('counts with thousands separators in the final line', () => {
    expect(
      finalLine({
        summary: { domains: 10_000, pass: 9990, warn: 0, fail: 10, unknown: 0 },
        rounds: 1,
        elapsedMs: 500_000,
        asked: 150_000
      })
    ).toBe('checked 10,000 domains in 8m 20s: 9,990 pass, 10 fail; 150,000 questions, 300 q/s')
  })
})
