/**
 * Discovery with no --authoritative, through a small iterative resolver on loopback that walks
 * down from the registry zone `test` (the loopback root) the way a recursive resolver does:
 * referrals with glue, CNAMEs chased across zones, answers with RA and without AA.
 */
import dgram from 'node:dgram'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import dnsPacket, { type Answer, type Packet } from 'dns-packet'
import { main } from '../../src/cli.js'
import type { Report } from '../../src/report/report.js'
import { startKnot, type KnotServer } from '../support/knot.js'

const DMARC =
  'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'

const soa = (ns: string): string => `@ IN SOA ${ns} hostmaster 1 7200 900 1209600 300`

const REGISTRY = [
  '$ORIGIN test.',
  '$TTL 3600',
  soa('a.nic'),
  '@ IN NS a.nic',
  'a.nic IN A 127.0.0.10',
  'shop IN NS ns1.shop',
  'ns1.shop IN A 127.0.0.2',
  'links IN NS ns1.links',
  'ns1.links IN A 127.0.0.6',
  'vendor IN NS ns1.vendor',
  'ns1.vendor IN A 127.0.0.7',
  ''
].join('\n')

const SHOP = [
  '$ORIGIN shop.test.',
  '$TTL 3600',
  soa('ns1'),
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.2',
  '_domainkey IN NS ns-dk',
  'ns-dk IN A 127.0.0.5',
  'mt07 IN CNAME smtp.mailtrap.live.',
  'mt-link IN CNAME shop.links.test.',
  '_dmarc IN CNAME shop-test.dmarc.vendor.test.',
  ''
].join('\n')

const DOMAINKEY = [
  '$ORIGIN _domainkey.shop.test.',
  '$TTL 3600',
  '@ IN SOA ns-dk.shop.test. hostmaster 1 7200 900 1209600 300',
  '@ IN NS ns-dk.shop.test.',
  'rwmt1 IN CNAME rwmt1.dkim.smtp.mailtrap.live.',
  'rwmt2 IN CNAME rwmt2.dkim.smtp.mailtrap.live.',
  ''
].join('\n')

const LINKS = ['$ORIGIN links.test.', '$TTL 3600', soa('ns1'), '@ IN NS ns1', 'ns1 IN A 127.0.0.6']
  .concat(['shop IN CNAME t.mailtrap.live.', ''])
  .join('\n')

const VENDOR = [
  '$ORIGIN vendor.test.',
  '$TTL 3600',
  soa('ns1'),
  '@ IN NS ns1',
  'ns1 IN A 127.0.0.7'
]
  .concat([`shop-test.dmarc IN TXT "${DMARC}"`, ''])
  .join('\n')

/** A decoded reply: dns-packet decodes the rcode, which its types leave out. */
type Reply = Packet & { rcode?: string }

const dataOf = (a: Answer): string => ('data' in a ? String(a.data) : '')

/** One question to one server, RD=0, as a walking resolver asks it. */
function ask(host: string, port: number, name: string, type: string): Promise<Reply | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4')
    const id = Math.floor(Math.random() * 65535)
    const timer = setTimeout(() => finish(undefined), 1000)
    const finish = (p: Reply | undefined): void => {
      clearTimeout(timer)
      socket.close()
      resolve(p)
    }
    socket.on('message', (msg) => finish(dnsPacket.decode(msg) as Reply))
    socket.on('error', () => finish(undefined))
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: 0,
      questions: [{ type: type as 'A', name }]
    })
    socket.send(query, port, host)
  })
}

interface Walked {
  rcode: string
  answers: Answer[]
  authorities: Answer[]
}

/** Walks from the registry server down to `name`/`type`, chasing CNAMEs across zones. */
async function walk(port: number, name: string, type: string, depth = 0): Promise<Walked> {
  const servfail = (answers: Answer[] = []): Walked => ({
    rcode: 'SERVFAIL',
    answers,
    authorities: []
  })
  if (depth > 6) return servfail()
  let server = '127.0.0.10'
  for (let hop = 0; hop < 8; hop++) {
    const reply = await ask(server, port, name, type)
    if (!reply || reply.rcode === 'REFUSED' || reply.rcode === 'SERVFAIL') return servfail()
    const answers = reply.answers ?? []
    const authorities = reply.authorities ?? []
    if (
      answers.length > 0 ||
      reply.rcode === 'NXDOMAIN' ||
      reply.flags! & dnsPacket.AUTHORITATIVE_ANSWER
    ) {
      const last = answers[answers.length - 1]
      const chase =
        last?.type === 'CNAME' && type !== 'CNAME' && !answers.some((a) => a.type === type)
      if (!chase) return { rcode: reply.rcode ?? 'NOERROR', answers, authorities }
      const rest = await walk(port, dataOf(last), type, depth + 1)
      return { ...rest, answers: [...answers, ...rest.answers] }
    }
    const ns = authorities.filter((a) => a.type === 'NS').map(dataOf)
    const glue = (reply.additionals ?? []).find((a) => a.type === 'A' && ns.includes(a.name))
    let next = glue ? dataOf(glue) : undefined
    if (!next && ns[0]) {
      const found = await walk(port, ns[0], 'A', depth + 1)
      const address = found.answers.find((a) => a.type === 'A')
      next = address ? dataOf(address) : undefined
    }
    if (!next) return servfail()
    server = next
  }
  return servfail()
}

/** A recursive resolver on 127.0.0.1 that walks from the loopback root for every question. */
async function startWalker(port: number): Promise<{ address: string; close: () => void }> {
  const socket = dgram.createSocket('udp4')
  socket.on('message', (msg, peer) => {
    const query = dnsPacket.decode(msg)
    const q = query.questions![0]!
    void walk(port, q.name, q.type).then((walked) => {
      const response = dnsPacket.encode({
        type: 'response',
        id: query.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        rcode: walked.rcode as 'NOERROR',
        questions: [q],
        answers: walked.answers,
        authorities: walked.authorities
      } as Packet)
      socket.send(response, peer.port, peer.address)
    })
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return { address: `127.0.0.1:${socket.address().port}`, close: () => socket.close() }
}

describe('discovery through a resolver walking from the loopback root', () => {
  const servers: KnotServer[] = []
  afterAll(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  it('finds the servers of each zone and judges delegated and cross-zone records right', async () => {
    const registry = await startKnot({ zones: { test: REGISTRY } }, { host: '127.0.0.10' })
    servers.push(registry)
    const { port } = registry
    const zones: [string, Record<string, string>][] = [
      ['127.0.0.2', { 'shop.test': SHOP }],
      ['127.0.0.5', { '_domainkey.shop.test': DOMAINKEY }],
      ['127.0.0.6', { 'links.test': LINKS }],
      ['127.0.0.7', { 'vendor.test': VENDOR }]
    ]
    for (const [host, z] of zones) servers.push(await startKnot({ zones: z }, { host, port }))
    const walker = await startWalker(port)
    try {
      const dir = await mkdtemp(join(tmpdir(), 'walk-'))
      const config = join(dir, 'domains.yaml')
      await writeFile(config, 'version: 1\ndomains:\n  - name: shop.test\n    verification: mt07\n')
      let stdout = ''
      const code = await main(
        [
          'check',
          '--config',
          config,
          '--format',
          'json',
          '--resolver',
          'authoritative',
          '--resolver',
          `walker=${walker.address}`,
          '--authoritative-port',
          String(port)
        ],
        {
          stdout: (t) => (stdout += t),
          stderr: () => undefined,
          color: false,
          now: () => new Date('2026-11-26T09:00:00Z')
        }
      )
      const report = JSON.parse(stdout) as Report
      expect(report.domains[0]!.authoritative).toEqual({
        zone: 'shop.test',
        servers: ['ns1.shop.test']
      })
      const verdicts = report.domains[0]!.records.map(
        (r) =>
          `${r.key} ${r.status} ${r.findings.map((f) => `${f.code}[${f.resolvers}]`).join(',')}`
      )
      expect(verdicts).toEqual([
        'verification pass ',
        'dkim1 pass ',
        'dkim2 pass ',
        'link_verification warn cname-chain[ns1.shop.test,walker]',
        'dmarc warn cname-chain[ns1.shop.test,walker]'
      ])
      expect(code).toBe(0)
    } finally {
      walker.close()
    }
  })
})
