/** The words for a delegation that does not send resolvers (or not only) where the records are. */
import { describe as group, expect, it } from '@jest/globals'
import type { Delegation } from '../../src/diagnose/types.js'
import { FixWords } from '../../src/report/fix-words.js'
import { toPlain } from '../../src/report/rich.js'
import { describe, fixText } from '../../src/report/wording.js'

const words = new FixWords('shop.test', undefined)
const groups = [
  {
    resolvers: ['cache'],
    code: 'missing' as const,
    detail: { kind: 'missing' as const, name: 'a.shop.test', rcode: 'NXDOMAIN' }
  }
]
const said = (delegation: Delegation) => ({
  message: toPlain(describe({ kind: 'not-delegated', name: 'a.shop.test', delegation, groups })),
  hint: toPlain(fixText([{ action: 'fix-delegation', delegation }], words))
})

group('delegation words', () => {
  it('sends the user to the registrar when the parent delegates elsewhere altogether', () => {
    const { message, hint } = said({
      zone: 'shop.test',
      delegatedTo: ['ns1.oldhost.test'],
      heldBy: ['ns1.newhost.test']
    })
    expect(message).toContain('the parent zone delegates shop.test to ns1.oldhost.test')
    expect(hint).toContain(
      'change the name servers of shop.test at your registrar to ns1.newhost.test'
    )
  })

  it('names what is left of the old host on each side of a move half done', () => {
    const { message, hint } = said({
      zone: 'shop.test',
      delegatedTo: ['ns1.newhost.test', 'ns1.oldhost.test'],
      heldBy: ['ns1.newhost.test', 'ns2.oldhost.test']
    })
    expect(message).toBe(
      'a.shop.test is right on the server asked, whose copy of shop.test lists ns1.newhost.test, ns2.oldhost.test, but the parent zone still delegates shop.test to ns1.oldhost.test as well, and the NS records of shop.test also list ns2.oldhost.test, which the parent zone does not delegate to; resolvers get another answer (cache: missing (a.shop.test does not exist (NXDOMAIN).)): a move between DNS hosts, half done. This will not propagate.'
    )
    expect(hint).toBe(
      'Finish the move: set the name servers of shop.test at your registrar to ns1.newhost.test only, and remove ns2.oldhost.test from the NS records of shop.test; or add the records at the host of ns1.oldhost.test, ns2.oldhost.test too.'
    )
  })
})
