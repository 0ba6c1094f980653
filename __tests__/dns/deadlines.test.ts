/**
 * The deadline queue both DNS clients time their tries with (src/dns/deadlines.ts): one timer,
 * tries given up in the order sent and never early, answered ones let go, no timer left behind.
 */
import { describe, expect, it } from '@jest/globals'
import { Deadlines } from '../../src/dns/deadlines.js'

interface Try {
  name: string
  due: number
  answered: boolean
  expiredAt?: number
  armedAt: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A queue of `timeoutMs` whose tries count as busy until answered or expired. */
function setUp(timeoutMs: number) {
  const live = new Set<Try>()
  const expired: Try[] = []
  const deadlines = new Deadlines<Try>(timeoutMs, {
    waits: (t) => !t.answered,
    expire: (t) => {
      t.expiredAt = performance.now()
      live.delete(t)
      expired.push(t)
    },
    busy: () => live.size > 0
  })
  const send = (name: string): Try => {
    const t: Try = { name, due: 0, answered: false, armedAt: performance.now() }
    live.add(t)
    deadlines.arm(t)
    return t
  }
  const answer = (t: Try): void => {
    t.answered = true
    live.delete(t)
    deadlines.settled()
  }
  return { deadlines, expired, send, answer }
}

describe('Deadlines', () => {
  it('gives up the unanswered tries in the order sent, none before its timeout', async () => {
    const { expired, send, answer } = setUp(60)
    const a = send('a')
    await sleep(20)
    const b = send('b')
    const c = send('c')
    answer(b)
    await sleep(150)
    expect(expired.map((t) => t.name)).toEqual(['a', 'c'])
    for (const t of [a, c]) {
      expect(t.expiredAt as number).toBeGreaterThanOrEqual(t.armedAt + 60)
    }
    expect(b.expiredAt).toBeUndefined()
  })

  it('lets the timer go when nothing is left unsettled, and times out a try armed again', async () => {
    const { expired, send, answer } = setUp(40)
    answer(send('a'))
    answer(send('b'))
    await sleep(100)
    expect(expired).toEqual([])
    // After the stop, a new try arms a new timer.
    send('c')
    await sleep(100)
    expect(expired.map((t) => t.name)).toEqual(['c'])
  })

  it('forgets cleared tries, and times out what is armed after', async () => {
    const { deadlines, expired, send } = setUp(40)
    send('a')
    send('b')
    deadlines.clear()
    const c = send('c')
    await sleep(150)
    expect(expired).toEqual([c])
  })

  it('a try armed from expire waits its own full timeout', async () => {
    const timeoutMs = 40
    const expired: string[] = []
    let retried = false
    const live = new Set<Try>()
    const deadlines: Deadlines<Try> = new Deadlines<Try>(timeoutMs, {
      waits: (t) => !t.answered,
      expire: (t) => {
        expired.push(`${t.name}@${Math.round(performance.now() - t.armedAt)}`)
        if (!retried) {
          retried = true
          t.armedAt = performance.now()
          deadlines.arm(t)
        } else live.delete(t)
      },
      busy: () => live.size > 0
    })
    const t: Try = { name: 'a', due: 0, answered: false, armedAt: performance.now() }
    live.add(t)
    deadlines.arm(t)
    await sleep(200)
    expect(expired).toHaveLength(2)
    for (const e of expired) expect(Number(e.split('@')[1])).toBeGreaterThanOrEqual(timeoutMs - 1)
  })
})
