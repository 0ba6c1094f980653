import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { ACTION_INPUTS } from '../src/action-inputs.js'

describe('action.yml', () => {
  it('declares exactly the inputs run.ts reads, and runs dist/index.js on node24', async () => {
    const action = parse(await readFile(new URL('../action.yml', import.meta.url), 'utf8'))
    expect(Object.keys(action.inputs).sort()).toEqual([...ACTION_INPUTS].sort())
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(Object.keys(action.outputs).sort()).toEqual([
      'drift-issue',
      'exit-code',
      'failed-domains',
      'report',
      'status',
      'summary',
      'verified'
    ])
  })
})
