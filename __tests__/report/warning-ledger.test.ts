import { warningLedger } from '../../src/report/warning-ledger.js'

describe('warningLedger', () => {
  function ledger() {
    const warnings: string[] = []
    const log: string[] = []
    const l = warningLedger({ warning: (m) => warnings.push(m), log: (line) => log.push(line) })
    return { l, warnings, log }
  }

  it('counts the warnings printed and the room left of the 10 a step shows', () => {
    const { l, warnings } = ledger()
    expect([l.printed, l.room]).toEqual([0, 10])
    for (let i = 0; i < 12; i++) l.warn(`w${i}`)
    expect([l.printed, l.room]).toEqual([12, 0])
    expect(warnings).toHaveLength(12)
  })

  it('prints a warning that may wait only while it leaves the kept slots free, else logs it', () => {
    const { l, warnings, log } = ledger()
    for (let i = 0; i < 7; i++) l.warn(`finding ${i}`)
    // Two slots kept for the comment and the drift issue: one more fits (7 + 1 + 2 = 10).
    l.warnIfRoom('rate limit: waiting 3 s', 2)
    l.warnIfRoom('rate limit: waiting 6 s', 2)
    expect(warnings.at(-1)).toBe('rate limit: waiting 3 s')
    expect(log).toEqual(['Warning: rate limit: waiting 6 s'])
    // Once the kept slots are not needed, the room is the client's too.
    for (const what of ['comments', 'issues', 'labels']) l.warnIfRoom(`stopped listing ${what}`, 0)
    expect(warnings).toHaveLength(10)
    expect(warnings.slice(-2)).toEqual(['stopped listing comments', 'stopped listing issues'])
    expect(log).toEqual(['Warning: rate limit: waiting 6 s', 'Warning: stopped listing labels'])
    expect(l.room).toBe(0)
  })
})
