/**
 * The action's side of issue 12, from the built bundle (dist/index.js): the `rate-limit` input
 * is read and its mistakes fail the step, and the log gets one line with the counts and the
 * time taken, outside the folded group.
 */
import { describe, expect, it } from '@jest/globals'
import { runAction } from '../support/action-runner.js'

const offline = {
  config: 'examples/domains.yaml',
  'zone-dir': 'examples/zones',
  'fail-on': 'never'
}

describe('dist/index.js', () => {
  it('logs one final line with the counts and the time taken, after the group', async () => {
    const run = await runAction(offline)
    expect(run.code).toBe(0)
    const line = run.stdout.match(/^checked 11 domains in \d+\.\ds: 1 pass, 3 warn, 7 fail$/m)
    expect(line).not.toBeNull()
    expect(run.stdout.indexOf('::endgroup::')).toBeLessThan(line!.index!)
  })

  it('fails the step on a rate-limit it cannot read, saying how to write one', async () => {
    const run = await runAction({
      ...offline,
      'zone-dir': '',
      resolvers: 'google',
      'rate-limit': 'google=fast'
    })
    expect(run.code).toBe(1)
    expect(run.outputs['exit-code']).toBe('2')
    expect(run.stdout).toContain('rate-limit google=fast: give [NAME=]QPS')
  })
})
