/**
 * The data every DNS source returns, whatever it is: a wire client talking to a server,
 * a DNS-over-HTTPS endpoint, or zone files read offline. Plain data, so the diagnosis
 * can be tested without a socket.
 */

/** Record types the checks ask for or look at. Others are kept as their mnemonic. */
export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'NS' | 'SOA' | 'MX' | (string & {})

/** The response codes we name; anything else is kept as its mnemonic or `RCODE<n>`. */
export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'FORMERR' | (string & {})

/**
 * One resource record as answered.
 * `name` is lower-case, without the trailing dot.
 * `data` is the record's value in a canonical text form:
 * - CNAME, NS, MX exchange: the target, lower-case, without trailing dot (MX: `pref target`);
 * - A, AAAA: the address as text;
 * - TXT: the character-strings joined with nothing between them, as RFC 7208/7489 read them;
 * - SOA: `mname rname serial refresh retry expire minimum`.
 * `strings` keeps the TXT character-strings as they were split on the wire.
 */
export interface DnsRecord {
  name: string
  type: RecordType
  ttl: number
  data: string
  strings?: string[]
}

/** Header flags that matter to the checks. */
export interface DnsFlags {
  /** Authoritative answer. */
  aa: boolean
  /** Truncated. */
  tc: boolean
  /** Recursion desired (echoed). */
  rd: boolean
  /** Recursion available. */
  ra: boolean
}

/** A complete answer: what a server said, as data. */
export interface DnsResponse {
  rcode: Rcode
  flags: DnsFlags
  answers: DnsRecord[]
  authority: DnsRecord[]
  /**
   * A referral's glue: the A/AAAA records of the additional section, present only when the
   * response is a referral that carries some (other additional records are not kept).
   */
  additional?: DnsRecord[]
}

/** One question. `name` may carry a trailing dot and any case; sources normalise it. */
export interface DnsQuestion {
  name: string
  type: RecordType
}

/**
 * The outcome of one question to one source: a response, or an error that says why there is
 * none (timeout, refused connection, garbage), naming the server and the name.
 */
export type QueryOutcome = { ok: true; response: DnsResponse } | { ok: false; error: string }

/** What kind of source a resolver is; the diagnosis weighs authoritative answers above caches. */
export type ResolverKind = 'recursive' | 'system' | 'doh' | 'authoritative' | 'zone-files'

/**
 * A source of DNS answers. `query` never throws: every failure is an outcome with `ok: false`.
 * `close` releases sockets; a closed resolver is not queried again.
 */
export interface Resolver {
  /** The name shown in reports: a preset (`cloudflare`), a user's label, or `zone-files`. */
  readonly name: string
  readonly kind: ResolverKind
  /** Where it points, for messages: `1.1.1.1:53`, a URL, a directory. */
  readonly address: string
  /** True for a server found in the zone's own NS set: not answering makes it a lame delegation. */
  readonly listed?: boolean
  /** Questions started per second at most, when capped (`--rate-limit`, rate-cap.ts). */
  readonly rateLimit?: number
  query(question: DnsQuestion): Promise<QueryOutcome>
  close(): Promise<void>
}

/**
 * A count of the questions put to servers, shared by the resolvers of a run and read by the
 * progress line; each resolver adds one per question it asks (retries not counted).
 */
export interface QueryMeter {
  asked: number
}

export { normalizeName } from '../names/dns-names.js'
