/**
 * A tiny RFC 8484 endpoint on loopback for tests: it takes POSTed DNS messages and relays
 * them over UDP to a real DNS server (Knot, from startKnot), so the DoH client is tested
 * against real answers, and it can be switched into the ways real endpoints fail.
 */
import dgram from 'node:dgram'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import dnsPacket from 'dns-packet'

/**
 * How the relay answers a request:
 * - `relay`: relays to the upstream and answers with its reply;
 * - `http-503`, `http-400`: that status, with a text body;
 * - `http-429`: 429 with `Retry-After: 2`, as a rate-limiting endpoint answers;
 * - `text-html`: 200 with an HTML page, as a captive portal or a wrong URL does;
 * - `garbage`: 200 `application/dns-message` with bytes that are not a DNS message;
 * - `wrong-question`: relays a question for another name and answers with that reply;
 * - `silent`: reads the request and never answers.
 */
export type DohRelayMode =
  | 'relay'
  | 'http-503'
  | 'http-429'
  | 'http-400'
  | 'text-html'
  | 'garbage'
  | 'wrong-question'
  | 'silent'

/** A running relay; `mode`, `next`, `delayMs` and `contentType` may be changed at any time. */
export interface DohRelay {
  /** `http://127.0.0.1:<port>/dns-query` */
  url: string
  port: number
  /** How requests are answered once `next` is empty. */
  mode: DohRelayMode
  /** Modes for the next requests, one each, taken before `mode`. */
  next: DohRelayMode[]
  /** Waits this long before answering a relayed request, to hold requests in flight. */
  delayMs: number
  /** The content type relayed answers are sent with. */
  contentType: string
  /** HTTP requests received, whatever they were. */
  requests(): number
  /** The most requests that were being handled at once. */
  maxConcurrent(): number
  /** The headers of the last request. */
  lastHeaders(): http.IncomingHttpHeaders | undefined
  /** Closes the server, dropping connections held open (keep-alive, `silent`). */
  close(): Promise<void>
}

const UPSTREAM_TIMEOUT_MS = 2000

/** Starts a relay on 127.0.0.1 and a free port, relaying to `upstream` over UDP. */
export async function startDohRelay(upstream: { host: string; port: number }): Promise<DohRelay> {
  if (!upstream.host.startsWith('127.') && upstream.host !== '::1') {
    throw new Error(`startDohRelay: ${upstream.host} is not a loopback address`)
  }
  let requests = 0
  let concurrent = 0
  let most = 0
  let lastHeaders: http.IncomingHttpHeaders | undefined

  const server = http.createServer((req, res) => {
    requests++
    concurrent++
    most = Math.max(most, concurrent)
    lastHeaders = req.headers
    res.on('close', () => concurrent--)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      handle(relay.next.shift() ?? relay.mode, req, Buffer.concat(chunks), res).catch(
        (err: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
          res.end(`relay failed: ${err instanceof Error ? err.message : String(err)}\n`)
        }
      )
    })
  })

  async function handle(
    mode: DohRelayMode,
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse
  ): Promise<void> {
    const text = (status: number, message: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(`${message}\n`)
    }
    if (mode === 'silent') return
    if (mode === 'http-503') return text(503, 'service unavailable')
    if (mode === 'http-400') return text(400, 'bad request')
    if (mode === 'http-429') {
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '2' })
      res.end('slow down\n')
      return
    }
    if (mode === 'text-html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><title>Sign in to the network</title>\n')
      return
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/dns-message' })
      res.end(Buffer.from('this is certainly not a DNS message'))
      return
    }
    // Checked as a real endpoint would, so the client is seen to send what RFC 8484 asks.
    if (req.url !== '/dns-query') return text(404, 'not found')
    if (req.method !== 'POST') return text(405, 'method not allowed')
    if (req.headers['content-type'] !== 'application/dns-message') {
      return text(415, 'unsupported media type')
    }
    let query = body
    if (mode === 'wrong-question') {
      const packet = dnsPacket.decode(body)
      const questions = (packet.questions ?? []).map((q) => ({ ...q, name: `other.${q.name}` }))
      query = dnsPacket.encode({ ...packet, questions })
    }
    const reply = await askUpstream(query)
    if (reply === undefined) return text(502, 'no answer from upstream')
    if (relay.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, relay.delayMs))
    res.writeHead(200, { 'content-type': relay.contentType, 'cache-control': 'max-age=0' })
    res.end(reply)
  }

  function askUpstream(query: Buffer): Promise<Buffer | undefined> {
    const socket = dgram.createSocket(upstream.host.includes(':') ? 'udp6' : 'udp4')
    return new Promise((resolve) => {
      const done = (reply: Buffer | undefined): void => {
        clearTimeout(timer)
        socket.close()
        resolve(reply)
      }
      const timer = setTimeout(() => done(undefined), UPSTREAM_TIMEOUT_MS)
      socket.on('message', (msg) => done(msg))
      socket.on('error', () => done(undefined))
      socket.send(query, upstream.port, upstream.host)
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  let closed: Promise<void> | undefined
  const relay: DohRelay = {
    url: `http://127.0.0.1:${port}/dns-query`,
    port,
    mode: 'relay',
    next: [],
    delayMs: 0,
    contentType: 'application/dns-message',
    requests: () => requests,
    maxConcurrent: () => most,
    lastHeaders: () => lastHeaders,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    }
  }
  return relay
}
