import { selectAnnotations, type CandidateAnnotation } from '../../src/report/annotations.js'

const finding = (
  level: 'error' | 'warning',
  line: number,
  severityRank: number,
  message = `finding on line ${line}`
): CandidateAnnotation => ({
  level,
  severityRank,
  file: 'domains.yaml',
  line,
  title: `d${line}.example: ${level === 'error' ? 'fail' : 'warn'}`,
  message
})

describe('selectAnnotations', () => {
  it('keeps the worst 10 errors and 10 warnings of 300 failing domains, then one notice with the rest', () => {
    const candidates = [
      ...Array.from({ length: 300 }, (_, i) => finding('error', i + 1, i % 7)),
      ...Array.from({ length: 30 }, (_, i) => finding('warning', 400 + i, i))
    ]
    const out = selectAnnotations(candidates)
    const errors = out.filter((a) => a.level === 'error')
    const warnings = out.filter((a) => a.level === 'warning')
    expect(errors).toHaveLength(10)
    expect(warnings).toHaveLength(10)
    // Rank 6 is the worst; the first ten of rank 6 in input order.
    expect(errors.map((a) => a.line)).toEqual([7, 14, 21, 28, 35, 42, 49, 56, 63, 70])
    expect(warnings.map((a) => a.line)).toEqual([429, 428, 427, 426, 425, 424, 423, 422, 421, 420])
    expect(out.at(-1)).toEqual({
      level: 'notice',
      file: 'domains.yaml',
      title: 'More findings',
      message: '310 more findings: see the job summary and the JSON report.'
    })
    expect(out).toHaveLength(21)
  })

  it('puts each annotation on its own line, merging the findings of one line', () => {
    const out = selectAnnotations([
      finding('error', 5, 1, 'DKIM 1: missing'),
      finding('error', 5, 3, 'DMARC: wrong value'),
      finding('error', 9, 2, 'SPF: missing'),
      finding('warning', 5, 1, 'cached answer')
    ])
    expect(out).toEqual([
      {
        level: 'error',
        file: 'domains.yaml',
        line: 5,
        title: 'd5.example: fail',
        message: 'DMARC: wrong value\nDKIM 1: missing',
        findings: 2
      },
      {
        level: 'error',
        file: 'domains.yaml',
        line: 9,
        title: 'd9.example: fail',
        message: 'SPF: missing',
        findings: 1
      },
      {
        level: 'warning',
        file: 'domains.yaml',
        line: 5,
        title: 'd5.example: warn',
        message: 'cached answer',
        findings: 1
      }
    ])
  })

  it('gives no notice when everything fits, and says where the rest is', () => {
    expect(selectAnnotations([finding('error', 1, 1)]).map((a) => a.level)).toEqual(['error'])
    expect(selectAnnotations([])).toEqual([])
    const out = selectAnnotations(
      Array.from({ length: 3 }, (_, i) => finding('warning', i + 1, 0)),
      { perLevel: 2, where: 'the artifact dns-report' }
    )
    expect(out.at(-1)!.message).toBe('1 more finding: see the artifact dns-report.')
  })

  it('leaves the slots reserved for the step of each level, counting the findings not shown', () => {
    const findings = [
      ...Array.from({ length: 12 }, (_, i) => finding('error', i + 1, 1)),
      ...Array.from({ length: 12 }, (_, i) => finding('warning', i + 20, 1))
    ]
    const out = selectAnnotations(findings, { reserved: { error: 1 } })
    expect(out.filter((a) => a.level === 'error')).toHaveLength(9)
    expect(out.filter((a) => a.level === 'warning')).toHaveLength(10)
    expect(out.at(-1)!.message).toBe('5 more findings: see the job summary and the JSON report.')
  })

  it('makes messages plain and short: no backticks, no control or bidi characters', () => {
    const [a] = selectAnnotations([
      {
        level: 'error',
        severityRank: 1,
        file: 'domains.yaml',
        line: 3,
        title: 'x\u001b[2J.example\n: fail',
        message: `TXT \`v=spf1\u0007 -all\`\u202e reversed\r\nnext\u0000 line ${'z'.repeat(2000)}`
      }
    ])
    expect(a!.title).toBe('x\\x1b[2J.example : fail')
    expect(
      a!.message.startsWith("TXT 'v=spf1\\x07 -all'\\u{202e} reversed\nnext\\x00 line zzz")
    ).toBe(true)
    expect(a!.message).toHaveLength(500)
    expect(a!.message.endsWith('z…')).toBe(true)
    expect(
      [...a!.message].filter((c) => c === '`' || c === '\u202e' || (c < ' ' && c !== '\n'))
    ).toEqual([])
  })

  it('keeps annotations without a line (a config error with no position) at file level', () => {
    const [a] = selectAnnotations([
      { level: 'error', severityRank: 9, file: 'domains.yaml', title: 'Config', message: 'bad' }
    ])
    expect(a).toEqual({
      level: 'error',
      file: 'domains.yaml',
      title: 'Config',
      message: 'bad',
      findings: 1
    })
  })
})
