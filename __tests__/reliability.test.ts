/**
 * docs/reliability.md, kept in step: every row of its table of cases is run here, from outside,
 * against the built CLI (dist/cli.js) or action (dist/index.js) on loopback, and every row of
 * its table of limits is checked against the source file it cites. A row without a case, a
 * case without a row, or a limit whose value or source moved fails the test.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { eventEnv, runAction, webhookExample } from './support/action-runner.js'
import { startFakeMailtrap, readMailtrapFixture } from './support/fake-mailtrap.js'
import { startHostilePeer } from './support/hostile-peers.js'
import { startKnot, type KnotServer } from './support/knot.js'
import { root, runCli, type CliRun } from './support/run-bundle.js'
import type { Report } from '../src/report/report.js'

const SOA = '$TTL 300\n@ SOA ns1 hostmaster 1 7200 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n'
const ONE_DOMAIN = 'version: 1\ndomains:\n  - example.com\n'
const MIB = 1024 * 1024

/**
 * Characters that must never reach a terminal or a rendered page raw: C0 controls but tab and
 * newline, DEL, C1 controls, zero-width and bidi controls.
 */
const RAW_UNSAFE =
  // eslint-disable-next-line no-control-regex -- these are exactly what is looked for
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/
// The C0 controls and DEL alone: JSON escapes these itself, so the JSON report never has them raw.
// eslint-disable-next-line no-control-regex -- these are exactly what is looked for
const RAW_C0 = /[\u0000-\u0008\u000b-\u001f\u007f]/

/** Planted in DNS data and API data: a screen clear, a title change, a bell, NUL, bidi override. */
const PLANTED = '\u001b[2J\u001b]0;pwned\u0007\u0000\u202e'

let scratch: string
let knot: Promise<KnotServer> | undefined

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'reliability-'))
})

afterAll(async () => {
  if (knot) await (await knot).stop()
  await rm(scratch, { recursive: true, force: true })
})

/** A fresh directory with `domains.yaml` (text given) and a `zones/` directory of the files given. */
async function fixture(config: string, zones: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'case-'))
  await mkdir(join(dir, 'zones'))
  await writeFile(join(dir, 'domains.yaml'), config)
  for (const [name, text] of Object.entries(zones)) await writeFile(join(dir, 'zones', name), text)
  return dir
}

/** `check` of `dir`'s config against its zone files (no network), plus `args`. */
const checkOffline = (dir: string, args: string[] = [], nodeArgs: string[] = []) =>
  runCli(
    ['check', '--config', join(dir, 'domains.yaml'), '--zone-dir', join(dir, 'zones'), ...args],
    {},
    nodeArgs
  )

/** All a run printed, for "appears nowhere" checks. */
const printed = (run: CliRun) => run.stdout + run.stderr

/** The unsafe characters `text` has raw, with some context, as code points: none, if it is safe. */
function rawUnsafe(text: string, pattern = RAW_UNSAFE): string[] {
  const global = new RegExp(pattern.source, 'gu')
  return [...text.matchAll(global)].map(
    (m) =>
      `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} in ${JSON.stringify(text.slice(Math.max(0, m.index - 30), m.index + 30))}`
  )
}

/** Knot on loopback serving the zones the DNS cases need; started once, on first use. */
function sharedKnot(): Promise<KnotServer> {
  knot ??= startKnot({
    zones: {
      'planted.test': `${SOA}_dmarc TXT "v=DMARC1; p=none\\027[2J\\027]0;pwned\\007\\000 \\226\\128\\174x"\n`,
      // An SPF record of 4,000 octets in 16 strings: far over a UDP answer, so TCP is needed.
      'large.test': `${SOA}@ TXT ${Array.from({ length: 16 }, (_, i) => `"${i === 0 ? 'v=spf1 ' : ''}${String(i).padStart(2, '0')}${'x'.repeat(240)}"`).join(' ')} "end-of-large-txt ~all"\n`
    }
  })
  return knot
}

/** The three report formats of one run each, checked for raw unsafe characters. */
async function everyFormat(run: (format: string) => Promise<CliRun>) {
  const out: Record<string, CliRun> = {}
  for (const format of ['text', 'markdown', 'json']) out[format] = await run(format)
  for (const format of ['text', 'markdown']) {
    expect({ format, raw: rawUnsafe(printed(out[format]!)) }).toEqual({ format, raw: [] })
  }
  expect(rawUnsafe(printed(out.json!), RAW_C0)).toEqual([])
  expect(rawUnsafe(out.json!.stderr)).toEqual([])
  return out as Record<'text' | 'markdown' | 'json', CliRun>
}

/** The sending domains of the fixture account, the first one's records changed by `change`. */
async function mailtrapDomains(
  change: (records: Record<string, unknown>[]) => void
): Promise<unknown[]> {
  const list = (await readMailtrapFixture('domains-list.json')) as {
    data: { domain_name: string; dns_records: Record<string, unknown>[] }[]
  }
  const acme = list.data.find((d) => d.domain_name === 'acme-mail.test')!
  change(acme.dns_records)
  return list.data
}

const ACME_CONFIG = 'version: 1\ndomains:\n  - acme-mail.test\n'
const ACME_ZONE = `${SOA}mt42 CNAME smtp.mailtrap.live.\n`

/** `check` of acme-mail.test against a fake Mailtrap holding `domains`, plus `args`. */
async function checkWithApi(
  domains: unknown[] | undefined,
  args: string[],
  stage?: (api: Awaited<ReturnType<typeof startFakeMailtrap>>) => void,
  token = 'mt-reliability-0123456789abcdef'
): Promise<CliRun> {
  const dir = await fixture(ACME_CONFIG, { 'acme-mail.test.zone': ACME_ZONE })
  const api = await startFakeMailtrap({ token, ...(domains ? { domains } : {}) })
  try {
    stage?.(api)
    return await runCli(
      [
        'check',
        '--config',
        join(dir, 'domains.yaml'),
        '--zone-dir',
        join(dir, 'zones'),
        '--mailtrap-url',
        api.url,
        '--mailtrap-account',
        '1001',
        ...args
      ],
      { env: { MAILTRAP_API_TOKEN: token } }
    )
  } finally {
    await api.close()
  }
}

/** A deterministic pseudo-random sequence (a linear congruential generator), for mutations. */
function lcg(seed: number) {
  let state = seed >>> 0
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state % n
  }
}

/** Runs `tasks` two at a time (the machine has two cores). */
async function twoAtATime<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = []
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
    }
  }
  await Promise.all([worker(), worker()])
  return results
}

/** Every case of docs/reliability.md's table, by its id. */
const CASES: Record<string, () => Promise<void>> = {
  'zone-link-outside': async () => {
    const dir = await fixture(ONE_DOMAIN)
    const secret = join(dir, 'environ')
    await writeFile(secret, 'GITHUB_TOKEN=ghs_reliabilitysecretvalue\n')
    await symlink(secret, join(dir, 'zones', 'example.com.zone'))
    const run = await checkOffline(dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('example.com.zone: is a symbolic link')
    expect(printed(run)).not.toContain('reliabilitysecret')
    expect(printed(run)).not.toContain('environ')
  },

  'zone-link-device': async () => {
    const dir = await fixture(ONE_DOMAIN)
    await symlink('/dev/zero', join(dir, 'zones', 'example.com.zone'))
    const run = await checkOffline(dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('example.com.zone: is a symbolic link')
  },

  'zone-fifo': async () => {
    const dir = await fixture(ONE_DOMAIN)
    await promisify(execFile)('mkfifo', [join(dir, 'zones', 'example.com.zone')])
    const run = await checkOffline(dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('example.com.zone: is a FIFO, not a regular file')
    // Waiting for a writer would hang until the runner's timeout kills it.
    expect(run.ms).toBeLessThan(20_000)
  },

  'zone-file-too-large': async () => {
    const dir = await fixture(ONE_DOMAIN, { 'example.com.zone': SOA })
    // Sparse: 257 MiB long, no disk used, and no byte of it may be read.
    await truncate(join(dir, 'zones', 'example.com.zone'), 257 * MIB)
    const run = await checkOffline(dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      `example.com.zone: is ${257 * MIB} bytes, more than the ${256 * MIB} a zone file may have`
    )
    expect(run.maxRssBytes).toBeLessThan(200 * MIB)
  },

  'zone-huge-name': async () => {
    // One 40 MB owner name of 20 million labels: once 65 s, 4.7 GB and a V8 crash (exit 134).
    const dir = await fixture(ONE_DOMAIN, {
      'example.com.zone': `${SOA}${'a.'.repeat(20_000_000)} A 192.0.2.1\n`
    })
    const run = await checkOffline(dir, [], ['--max-old-space-size=256'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/example\.com\.zone:5: line longer than 524288 characters/)
    expect(run.stderr.length).toBeLessThan(2000)
    expect(run.maxRssBytes).toBeLessThan(400 * MIB)
    expect(run.ms).toBeLessThan(20_000)
  },

  'zone-txt-flood': async () => {
    // 12.5 million TXT strings on one line: once 6.1 GB.
    const dir = await fixture(ONE_DOMAIN, {
      'example.com.zone': `${SOA}x TXT ${'"a" '.repeat(12_500_000)}\n`
    })
    const run = await checkOffline(dir, [], ['--max-old-space-size=256'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/example\.com\.zone:5: line longer than 524288 characters/)
    expect(run.maxRssBytes).toBeLessThan(400 * MIB)
  },

  'zone-unrelated-records': async () => {
    // 6 MB of other hosts' records beside the five Mailtrap expects. Read into a JS object per
    // record, such a zone needed ten times its size in heap: under a 24 MB heap cap it crashed V8.
    const mailtrap = [
      'mt07 CNAME smtp.mailtrap.live.',
      'rwmt1._domainkey CNAME rwmt1.dkim.smtp.mailtrap.live.',
      'rwmt2._domainkey CNAME rwmt2.dkim.smtp.mailtrap.live.',
      'mt-link CNAME t.mailtrap.live.',
      '_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100"',
      ''
    ].join('\n')
    const config = 'version: 1\ndomains:\n  - name: example.com\n    verification: mt07\n'
    const hosts: string[] = []
    for (let i = 0, size = 0; size < 6_000_000; i++) {
      const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
      const text =
        `h${i} A ${a}\nh${i} AAAA 2001:db8::${i.toString(16)}\nh${i} MX 10 mx${i % 97}\n` +
        `h${i} TXT "v=spf1 ip4:${a} -all"\nwww${i} CNAME h${i}\n`
      hosts.push(text)
      size += text.length
    }
    const alone = await fixture(config, { 'example.com.zone': SOA + mailtrap })
    const crowded = await fixture(config, { 'example.com.zone': SOA + mailtrap + hosts.join('') })
    const cap = ['--max-old-space-size=24']
    const expected = await checkOffline(alone, ['--format', 'json', '--no-progress'], cap)
    const run = await checkOffline(crowded, ['--format', 'json', '--no-progress'], cap)
    expect(run.stderr).toBe('')
    expect([run.code, expected.code]).toEqual([0, 0])
    const verdicts = (r: CliRun) =>
      (JSON.parse(r.stdout) as Report).domains.map((d) => [d.status, d.records])
    expect(verdicts(run)).toEqual(verdicts(expected))
    expect(verdicts(run)[0]?.[0]).toBe('pass')
    expect(run.maxRssBytes).toBeLessThan(250 * MIB)
  },

  'zone-name-flood': async () => {
    // 8,000 owners of 120 labels each: 950,000 names between them and the apex, each once a
    // string of its own (about 150 MB of heap for a 2 MB file).
    const deep = Array.from({ length: 8000 }, (_, i) => `${'l.'.repeat(118)}t${i} A 192.0.2.1\n`)
    const dir = await fixture(
      'version: 1\ndomains:\n  - name: example.com\n    verification: mt07\n',
      {
        'example.com.zone': `${SOA}mt07 CNAME smtp.mailtrap.live.\n${deep.join('')}`
      }
    )
    const run = await checkOffline(
      dir,
      ['--format', 'json', '--no-progress'],
      ['--max-old-space-size=64']
    )
    expect(run.stderr).toBe('')
    const report = JSON.parse(run.stdout) as Report
    const verification = report.domains[0]?.records.find((r) => r.key === 'verification')
    expect(verification?.status).toBe('pass')
    expect(run.maxRssBytes).toBeLessThan(300 * MIB)
  },

  'zone-label-64': async () => {
    const dir = await fixture(ONE_DOMAIN, {
      'example.com.zone': `${SOA}${'l'.repeat(64)} A 192.0.2.1\n${'k'.repeat(63)} A 192.0.2.1\n`
    })
    const run = await checkOffline(dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      `example.com.zone:5: bad owner name '${'l'.repeat(40)}…': label longer than 63 octets`
    )
  },

  'zone-name-256': async () => {
    // 'a.' × 124 + 'example.com.' is 261 octets on the wire.
    const dir = await fixture(ONE_DOMAIN, {
      'example.com.zone': `${SOA}${'a.'.repeat(124)}example.com. A 192.0.2.1\n`
    })
    const run = await checkOffline(dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`:5: bad owner name '${'a.'.repeat(20)}…': longer than 255 octets`)
  },

  'zone-rdata-65536': async () => {
    // 257 strings of 255 octets on the wire hold 65,535; one more octet is over.
    const ok = Array.from({ length: 257 }, () => `"${'y'.repeat(254)}"`).join(' ')
    const dir = await fixture(ONE_DOMAIN, {
      'example.com.zone': `${SOA}fits TXT ${ok}\nover TXT ${ok} ""\n`
    })
    const run = await checkOffline(dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'example.com.zone:6: record data longer than 65535 octets, the most a record can hold'
    )
  },

  'zone-control-chars': async () => {
    const dir = await fixture(ONE_DOMAIN, {
      'example.com.zone': `${SOA}_dmarc TXT "v=DMARC1; p=none\\027[2J\\027]0;pwned\\007\\000 ${'\u202e'}x"\n@ TXT "v=spf1 \\027[31m ~all"\n`
    })
    const out = await everyFormat((format) => checkOffline(dir, ['--format', format]))
    for (const run of Object.values(out)) expect(run.code).toBe(1)
    expect(out.text.stdout).toContain('\\x1b[2J')
    expect(out.markdown.stdout).toContain('&#92;x1b&#91;2J')
    expect(out.markdown.stdout).toContain('&#92;u&#123;202e&#125;')
    // The JSON report keeps the data exact: it parses back to the planted characters.
    expect(out.json.stdout).toContain('\\u001b[2J\\u001b]0;pwned\\u0007\\u0000')
  },

  'dns-control-chars': async () => {
    const server = await sharedKnot()
    const config = await fixture('version: 1\ndomains:\n  - planted.test\n')
    const out = await everyFormat((format) =>
      runCli([
        'check',
        '--config',
        join(config, 'domains.yaml'),
        '--resolver',
        `knot=${server.address}`,
        '--format',
        format
      ])
    )
    for (const run of Object.values(out)) expect(run.code).toBe(1)
    expect(out.text.stdout).toContain('\\x1b[2J')
    expect(out.markdown.stdout).toContain('&#92;x1b&#91;2J')
  },

  'api-control-chars': async () => {
    const domains = await mailtrapDomains((records) => {
      const dkim1 = records.find((r) => r.key === 'dkim1')!
      dkim1.value = `rwmt1.dkim.smtp.mailtrap.live${PLANTED}`
      const verification = records.find((r) => r.key === 'verification')!
      verification.name = `mt42${PLANTED}`
    })
    const out = await everyFormat((format) => checkWithApi(domains, ['--format', format]))
    for (const run of Object.values(out)) {
      expect([0, 1, 3]).toContain(run.code)
      // Names and targets that are not host names are not believed, so nothing of them is
      // offered to type; nothing unsafe reaches any format raw.
      expect(rawUnsafe(printed(run))).toEqual([])
    }
    expect(out.text.stdout).toContain('Domain verification not known')
    expect(out.text.stdout).toContain(
      'rwmt1._domainkey 3600 IN CNAME rwmt1.dkim.smtp.mailtrap.live.'
    )
  },

  'api-error-control-chars': async () => {
    const run = await checkWithApi(undefined, ['--require-verified'], (api) =>
      api.failNext(403, { errors: `Forbidden${PLANTED}\u009b31m and then some` })
    )
    expect(run.code).toBe(2)
    // An API's message is quoted with each run of controls turned into one space.
    expect(run.stderr).toContain(
      '(403 on GET /api/domains): Forbidden [2J ]0;pwned 31m and then some'
    )
    expect(rawUnsafe(printed(run))).toEqual([])
  },

  'api-host-not-hostname': async () => {
    const bad = ['a b', 'a..b', `${'l'.repeat(300)}.x`, '*']
    const domains = await mailtrapDomains((records) => {
      for (const [i, key] of ['verification', 'dkim1', 'dkim2', 'link_verification'].entries()) {
        records.find((r) => r.key === key)!.name = bad[i]
      }
    })
    const run = await checkWithApi(domains, [])
    expect(run.code).toBe(1)
    // The verification host is not known rather than `a b`; DKIM falls back to Mailtrap's
    // usual hosts; no fix or zone line offers to create a name that is not a host name.
    expect(run.stdout).toContain('Domain verification not known CNAME (name not known)')
    expect(run.stdout).toContain('rwmt1._domainkey 3600 IN CNAME rwmt1.dkim.smtp.mailtrap.live.')
    expect(run.stdout).toContain('rwmt2._domainkey 3600 IN CNAME rwmt2.dkim.smtp.mailtrap.live.')
    const offered = run.stdout.split('\n').filter((l) => /fix:| IN /.test(l))
    expect(offered.length).toBeGreaterThan(3)
    for (const line of offered) {
      expect(line).not.toMatch(/\ba b\b|a\.\.b|l{64}|(^|\s)\*(\.|\s)/)
    }
  },

  'api-token-echo': async () => {
    const token = 'mt-Reliability-Secret-0123456789abcdef'
    const zeroWidth = `${token.slice(0, 12)}\u200b${token.slice(12)}`
    const run = await checkWithApi(
      undefined,
      ['--require-verified', '--verbose'],
      (api) =>
        api.failNext(403, (sent: string) => ({
          errors: `bad token ${sent.toUpperCase()} / ${Buffer.from(sent).toString('base64')} / ${zeroWidth} / ${sent.toLowerCase()}`
        })),
      token
    )
    expect(run.code).toBe(2)
    const all = printed(run)
    for (const form of [token, token.toUpperCase(), token.toLowerCase(), zeroWidth]) {
      expect(all).not.toContain(form)
    }
    expect(all).not.toContain(Buffer.from(token).toString('base64'))
    expect(all.toLowerCase()).not.toContain('0123456789abcdef')
    expect(all).toContain('bad token')
  },

  'api-down-fail-on-warning': async () => {
    // A port nothing listens on: take one, then free it.
    const api = await startFakeMailtrap()
    const url = api.url
    await api.close()
    const dir = await fixture(ACME_CONFIG, { 'acme-mail.test.zone': ACME_ZONE })
    const args = ['check', '--config', join(dir, 'domains.yaml'), '--zone-dir', join(dir, 'zones')]
    const env = { env: { MAILTRAP_API_TOKEN: 'mt-reliability-0123456789abcdef' } }
    const url2 = ['--mailtrap-url', url, '--mailtrap-account', '1001', '--fail-on']
    const [strict, lax] = await Promise.all([
      runCli([...args, ...url2, 'warning'], env),
      runCli([...args, ...url2, 'never'], env)
    ])
    expect(strict.code).toBe(1)
    expect(lax.code).toBe(0)
  },

  'dns-half-answer-500': async () => {
    const peer = await startHostilePeer({ kind: 'half-answer', answered: 5 })
    try {
      const names = Array.from({ length: 500 }, (_, i) => `  - d${i}.half.test`).join('\n')
      const dir = await fixture(`version: 1\ndomains:\n${names}\n`)
      const run = await runCli([
        'check',
        '--config',
        join(dir, 'domains.yaml'),
        '--resolver',
        `limited=127.0.0.1:${peer.port}`,
        '--format',
        'json'
      ])
      // The five answered questions may settle a record or two (1); the rest are unknown (3).
      expect([1, 3]).toContain(run.code)
      // One unanswered question costs 4 s (2 tries of 2 s): asking all of them, 64 at a time,
      // took over 180 s; giving up after 8 in a row costs a few rounds of timeouts.
      expect(run.ms).toBeLessThan(40_000)
      expect(run.stdout).toContain('gave up on the server after 8 unanswered questions in a row')
      expect(peer.received).toBeLessThan(1000)
    } finally {
      await peer.close()
    }
  },

  'dns-silent-deadline': async () => {
    const peer = await startHostilePeer({ kind: 'half-answer', answered: 0 })
    try {
      const dir = await fixture(ONE_DOMAIN)
      const run = await runCli([
        'check',
        '--config',
        join(dir, 'domains.yaml'),
        '--resolver',
        `silent=127.0.0.1:${peer.port}`,
        '--query-timeout',
        '20000',
        '--tries',
        '3',
        '--deadline',
        '1s'
      ])
      expect(run.code).toBe(3)
      expect(run.stdout).toContain('The deadline passed')
      // Without the deadline: 60 s (3 tries of 20 s).
      expect(run.ms).toBeLessThan(20_000)
    } finally {
      await peer.close()
    }
  },

  'dns-garbage-peer': async () => {
    const peer = await startHostilePeer({ kind: 'garbage' })
    try {
      const dir = await fixture(ONE_DOMAIN)
      const run = await runCli([
        'check',
        '--config',
        join(dir, 'domains.yaml'),
        '--resolver',
        `garbage=127.0.0.1:${peer.port}`,
        '--query-timeout',
        '300'
      ])
      expect(run.code).toBe(3)
      expect(run.ms).toBeLessThan(20_000)
      expect(rawUnsafe(printed(run))).toEqual([])
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
    } finally {
      await peer.close()
    }
  },

  'dns-wrong-id-peer': async () => {
    const peer = await startHostilePeer({ kind: 'wrong-id' })
    try {
      const dir = await fixture(ONE_DOMAIN)
      const run = await runCli([
        'check',
        '--config',
        join(dir, 'domains.yaml'),
        '--resolver',
        `spoof=127.0.0.1:${peer.port}`,
        '--query-timeout',
        '300',
        '--format',
        'json'
      ])
      expect(run.code).toBe(3)
      expect(run.ms).toBeLessThan(20_000)
      // The spoofed 192.0.2.7 was never taken for an answer.
      expect(run.stdout).not.toContain('192.0.2.7')
    } finally {
      await peer.close()
    }
  },

  'dns-large-txt-tcp': async () => {
    const server = await sharedKnot()
    const config = await fixture('version: 1\ndomains:\n  - large.test\n')
    const run = await runCli([
      'check',
      '--config',
      join(config, 'domains.yaml'),
      '--resolver',
      `knot=${server.address}`,
      '--format',
      'json'
    ])
    expect(run.code).toBe(1)
    // The whole record came back (over TCP, as it does not fit UDP), its last string included.
    expect(run.stdout).toContain('end-of-large-txt ~all')
    expect(run.stdout).toContain(`15${'x'.repeat(240)}`)
  },

  'wait-interval-600h': async () => {
    const dir = await fixture(ONE_DOMAIN, { 'example.com.zone': SOA })
    const run = await runCli([
      'wait',
      '--config',
      join(dir, 'domains.yaml'),
      '--zone-dir',
      join(dir, 'zones'),
      '--interval',
      '600h'
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      '--interval: "600h" is longer than a timer can hold (at most 24 days, e.g. 576h)'
    )
    expect(run.ms).toBeLessThan(20_000)
  },

  'yaml-aliases-150': async () => {
    const entries = Array.from({ length: 150 }, (_, i) =>
      i === 0
        ? '  - { name: d0.example.com, zone: &z example.com }'
        : `  - { name: d${i}.example.com, zone: *z }`
    ).join('\n')
    const dir = await fixture(`version: 1\ndomains:\n${entries}\n`, { 'example.com.zone': SOA })
    const run = await checkOffline(dir, ['--format', 'json', '--fail-on', 'never'])
    expect(run.code).toBe(0)
    expect((JSON.parse(run.stdout) as { domains: unknown[] }).domains).toHaveLength(150)
  },

  'yaml-alias-bomb': async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`)
    }
    const dir = await fixture(
      `version: 1\nbomb:\n${levels.map((l) => `  ${l}`).join('\n')}\ndomains:\n  - example.com\n`
    )
    const run = await checkOffline(dir, [], ['--max-old-space-size=256'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/domains\.yaml:\d+(:\d+)?: .*\(at most 10000 aliases\)/)
    expect(run.ms).toBeLessThan(20_000)
  },

  'action-control-chars': async () => {
    const dir = await fixture(ONE_DOMAIN, {
      'example.com.zone': `${SOA}_dmarc TXT "v=DMARC1; p=none\\027[2J\\007\\000 ${'\u202e'}x"\n@ TXT "v=spf1 \\027[2K ~all"\n`
    })
    const run = await runAction({
      config: join(dir, 'domains.yaml'),
      'zone-dir': join(dir, 'zones')
    })
    expect(run.code).toBe(1)
    // Log lines, annotations (`::error`), outputs and the job summary alike.
    expect(run.stdout).toMatch(/^::(error|warning)/m)
    expect(run.summary).toContain('&#92;x1b&#91;2J')
    // The log is coloured on purpose: its own SGR sequences aside, nothing raw remains. (None
    // was planted: the planted sequences clear the screen and lines, set a title, ring.)
    // eslint-disable-next-line no-control-regex -- the SGR sequences the log is coloured with
    const log = run.stdout.replace(/\u001b\[[0-9;]*m/g, '')
    for (const text of [log, run.stderr, run.summary, ...Object.values(run.outputs)]) {
      expect(rawUnsafe(text)).toEqual([])
    }
  },

  'github-token-echo': async () => {
    const token = 'ghs_ReliabilityEchoToken0123456789abcdef'
    const forms = [
      token.toUpperCase(),
      token.toLowerCase(),
      Buffer.from(token).toString('base64'),
      `${token.slice(0, 10)}\u200b${token.slice(10)}`
    ]
    // A GitHub (or a proxy before it) that answers everything with a 422 echoing the token.
    const github = http.createServer((req, res) => {
      req.resume()
      res.writeHead(422, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: `Validation Failed for ${forms.join(' / ')}` }))
    })
    await new Promise<void>((done) => github.listen(0, '127.0.0.1', done))
    try {
      const port = (github.address() as AddressInfo).port
      const env = await eventEnv({
        name: 'pull_request',
        payload: webhookExample('pull_request', 0),
        repository: 'Codertocat/Hello-World',
        apiUrl: `http://127.0.0.1:${port}`
      })
      const run = await runAction(
        {
          config: join(root, 'examples/domains.yaml'),
          'zone-dir': join(root, 'examples/zones'),
          'github-token': token
        },
        { ...env, MAILTRAP_DNS_VERIFY_GITHUB_DEADLINE_MS: '10000' },
        { timeoutMs: 50_000 }
      )
      expect(run.code).toBe(1)
      expect(run.stdout).toMatch(/^::warning::.*422/m)
      const all = [run.stdout, run.stderr, run.summary, ...Object.values(run.outputs)]
        .join('\n')
        .replace(`::add-mask::${token}`, '')
      const leaks = (needle: string) => all.split('\n').filter((l) => l.includes(needle))
      for (const form of [token, ...forms]) expect(leaks(form)).toEqual([])
      expect(leaks('0123456789abcdef')).toEqual([])
    } finally {
      await new Promise<void>((done) => github.close(() => done()))
    }
  },

  'config-mutated': async () => {
    const base = await readFile(join(root, 'examples/domains.yaml'), 'utf8')
    const pick = lcg(13)
    const noise = ':-[]{}&*!|>\'"\n\t#%@`,?~\u0000\u001b\u202e'
    const mutants = Array.from({ length: 16 }, () => {
      let text = base
      for (let edits = 1 + pick(4); edits > 0; edits--) {
        const at = pick(text.length)
        const op = pick(3)
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1 + pick(20))
        else if (op === 1) text = text.slice(0, at) + noise[pick(noise.length)]! + text.slice(at)
        else text = text.slice(0, at) + text.slice(pick(text.length)).slice(0, 60) + text.slice(at)
      }
      return text
    })
    const runs = await twoAtATime(
      mutants.map((text) => async () => {
        const dir = await fixture(text)
        return runCli([
          'check',
          '--config',
          join(dir, 'domains.yaml'),
          '--zone-dir',
          join(root, 'examples/zones'),
          '--fail-on',
          'never'
        ])
      })
    )
    for (const run of runs) {
      expect([0, 2, 3]).toContain(run.code)
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
      expect(rawUnsafe(printed(run))).toEqual([])
    }
  }
}

/**
 * Every limit of docs/reliability.md's table of limits: where it is defined, and the definition
 * the source must still contain for the documented value to hold.
 */
const LIMITS: Record<string, { source: string; definition: RegExp }> = {
  'limit-label': { source: 'src/dns/wire-name.ts', definition: /const MAX_LABEL = 63\b/ },
  'limit-name': { source: 'src/dns/wire-name.ts', definition: /const MAX_NAME = 255\b/ },
  'limit-rdata': { source: 'src/dns/zone-rdata.ts', definition: /const MAX_RDATA = 65535\b/ },
  'limit-zone-line': {
    source: 'src/dns/zone-lexer.ts',
    definition: /const MAX_LINE_CHARS = 512 \* 1024\b/
  },
  'limit-zone-file': {
    source: 'src/dns/zone-dir.ts',
    definition: /const MAX_ZONE_FILE_BYTES = 256 \* 1024 \* 1024\b/
  },
  'limit-zone-names': {
    source: 'src/dns/zone-store.ts',
    definition: /const MAX_ZONE_NAMES = 16_777_216\b/
  },
  'limit-give-up': { source: 'src/dns/query-gate.ts', definition: /const GIVE_UP_AFTER = 8\b/ },
  'limit-deadline': {
    source: 'src/engine.ts',
    definition: /return 60_000 \+ 250 \* config\.domains\.length/
  },
  'limit-aliases': {
    source: 'src/config/load-config.ts',
    definition: /const MAX_ALIASES = 10_000\b/
  },
  'limit-duration': {
    source: 'src/wait.ts',
    definition: /const MAX_DURATION_MS = 2 \*\* 31 - 1\b/
  },
  'limit-excerpt': { source: 'src/dns/excerpt.ts', definition: /const EXCERPT_CHARS = 40\b/ },
  'limit-api-message': { source: 'src/net/text.ts', definition: /const MAX_QUOTED = 200\b/ },
  'limit-mailtrap-rate': {
    source: 'src/mailtrap/client.ts',
    definition: /MAILTRAP_RATE_LIMIT: RateLimitOptions = \{ requests: 150, windowMs: 10_000 \}/
  },
  'limit-mailtrap-timeout': {
    source: 'src/mailtrap/client.ts',
    definition: /const timeoutMs = options\.timeoutMs \?\? 10_000/
  },
  'limit-mailtrap-body': {
    source: 'src/mailtrap/client.ts',
    definition: /const MAX_BODY = 10 \* 1024 \* 1024\b/
  },
  'limit-github-pages': {
    source: 'src/github/client.ts',
    definition: /const maxPages = options\.maxPages \?\? 30\b/
  },
  'limit-github-timeout': {
    source: 'src/github/client.ts',
    definition: /const timeoutMs = options\.timeoutMs \?\? 10_000\b/
  },
  'limit-github-step': { source: 'src/run.ts', definition: /: 120_000\n/ },
  'limit-github-error': {
    source: 'src/github/client.ts',
    definition: /const MAX_ERROR_LENGTH = 300\b/
  },
  'limit-summary': {
    source: 'src/report/markdown.ts',
    definition: /const SUMMARY_LIMIT_BYTES = 1024 \* 1024\b/
  },
  'limit-comment': {
    source: 'src/report/markdown.ts',
    definition: /const COMMENT_LIMIT_CHARS = 65_536\b/
  },
  'limit-annotations': {
    source: 'src/report/annotations.ts',
    definition: /const ANNOTATIONS_PER_LEVEL = 10\b/
  }
}

/** The ids of the doc's table rows (`| \`id\` | ...`), in order. */
async function docRows(): Promise<Map<string, string>> {
  const doc = await readFile(join(root, 'docs/reliability.md'), 'utf8')
  const rows = new Map<string, string>()
  for (const match of doc.matchAll(/^\| `([a-z0-9-]+)` *\|(.*)$/gm)) {
    expect(rows.has(match[1]!)).toBe(false)
    rows.set(match[1]!, match[2]!)
  }
  return rows
}

describe('docs/reliability.md is kept in step', () => {
  it('has a row for every case and a case for every row', async () => {
    const rows = [...(await docRows()).keys()].filter((id) => !id.startsWith('limit-'))
    expect(rows.sort()).toEqual(Object.keys(CASES).sort())
  })

  it('has a row for every limit, citing the source file that still defines it', async () => {
    const rows = await docRows()
    const limits = [...rows.keys()].filter((id) => id.startsWith('limit-'))
    expect(limits.sort()).toEqual(Object.keys(LIMITS).sort())
    for (const [id, { source, definition }] of Object.entries(LIMITS)) {
      expect(rows.get(id)).toContain(`[${source}](../${source})`)
      expect(await readFile(join(root, source), 'utf8')).toMatch(definition)
    }
  })
})

describe('every case, run from outside against the built bundles on loopback', () => {
  for (const [id, run] of Object.entries(CASES)) it(id, run)
})
