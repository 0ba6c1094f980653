/**
 * Zone files as a DNS source: a directory of `<zone>.zone` files, answered offline the way
 * Knot DNS 3.2 answers a query with RD=0, so a check run against the files sees what the
 * served zone would say before it is deployed.
 */

import {
  normalizeName,
  type DnsQuestion,
  type DnsRecord,
  type DnsResponse,
  type Resolver
} from './types.js'
import { ZoneFileError, ZoneFileParser, type ZoneRecord, type ZoneWarning } from './zone-file.js'
import { readZoneDir, ZONE_SUFFIX } from './zone-dir.js'
import { buildZone, ZoneBuilder, type Zone } from './zone-build.js'
import type { ZoneStore } from './zone-store.js'
import { childName, isAtOrBelow, parentName, splitLabels } from './zone-names.js'
import { encodeName } from './wire-name.js'

export { buildZone, type Zone }

/** The zones of a directory. */
export interface ZoneSet {
  /** The directory they were read from, or a label for zones built in memory. */
  readonly dir: string
  readonly zones: readonly Zone[]
  /**
   * What the files hold that this reader accepts but some servers refuse to load (CRLF line
   * ends, a byte order mark, bytes outside ASCII, `CLASS1`), in file order; see
   * {@link ZoneWarning}. The offline answers stand, but the zone may not load when deployed.
   */
  readonly warnings: readonly ZoneWarning[]
}

/** Bounds a CNAME chain; loops are caught before this, it only caps absurd chains. */
const MAX_CHAIN = 64

/**
 * Reads every `*.zone` file of `dir` (not its subdirectories; hidden files are skipped).
 * The zone name, which is also the initial `$ORIGIN`, is the file name without `.zone`.
 * @throws ZoneFileError when the directory cannot be read, holds no zone file, or a file
 *   is wrong (the message names the file and, where there is one, the line).
 */
export async function loadZoneDir(dir: string): Promise<ZoneSet> {
  const zones: Zone[] = []
  const warnings: ZoneWarning[] = []
  const seen = new Map<string, string>()
  for await (const { file, zone, chunks } of readZoneDir(dir)) {
    const zoneName = normalizeName(zone)
    const earlier = seen.get(zoneName)
    if (earlier !== undefined) {
      throw new ZoneFileError(file, 0, `zone ${zoneName} is already read from ${earlier}`)
    }
    seen.set(zoneName, file)
    // Piece by piece, each record packed as soon as it is read: the file's text and its
    // records are never held whole.
    const builder = new ZoneBuilder(zoneName, file)
    const parser = new ZoneFileParser({ origin: zoneName, file, warnings }, (record) =>
      builder.add(record)
    )
    for await (const text of chunks) parser.write(text)
    parser.end()
    zones.push(builder.finish())
  }
  if (zones.length === 0) {
    throw new ZoneFileError(dir, 0, `no *${ZONE_SUFFIX} files in the directory`)
  }
  return { dir, zones, warnings }
}

/**
 * Answers a question from the zones as Knot DNS 3.2 answers it with RD=0: REFUSED outside
 * every zone, referrals below delegations, CNAME chains followed inside the zone, wildcards
 * (RFC 4592), NXDOMAIN and NODATA with the SOA (TTL capped at its minimum) in authority.
 * Owners come back lower-case; `ANY` returns every RRset at the name.
 */
export function answerFromZones(zones: ZoneSet, question: DnsQuestion): DnsResponse {
  const qname = normalizeName(question.name)
  const qtype = question.type.toUpperCase()
  // DS lives in the parent: like Knot, pick the zone by the parent name, so a DS at the apex
  // of a child zone is answered from its parent when both are loaded.
  const parentZone =
    qtype === 'DS' && qname !== '' ? closestZone(zones, parentName(qname)) : undefined
  const zone = parentZone ?? closestZone(zones, qname)
  if (!zone) return response('REFUSED', false, [], [])
  const index = zone.store

  const answers: DnsRecord[] = []
  const visitedWildcards = new Set<string>()
  let name = qname
  for (let step = 0; step < MAX_CHAIN; step++) {
    // A CNAME target outside this zone: the answer stops with the CNAMEs, as in Knot.
    if (!isAtOrBelow(name, zone.name)) break

    const cut = delegationFor(index, zone.name, name, qtype)
    // Knot sets AA from the first name only: a CNAME that leads into a delegation stays AA.
    if (cut?.type === 'NS') {
      return response('NOERROR', step > 0, answers, copies(rrset(index, cut.owner, 'NS')))
    }
    if (cut?.type === 'DNAME') {
      // RFC 6672: the DNAME, then a CNAME synthesised from it with its TTL, then on to the target.
      const dname = rrset(index, cut.owner, 'DNAME')[0] as DnsRecord
      if (answers.some((r) => r.type === 'DNAME' && r.name === cut.owner && step > 0)) break
      const target = substitute(name, cut.owner, dname.data)
      answers.push(answerRecord(dname, cut.owner))
      if (target === undefined) return response('YXDOMAIN', true, answers, [])
      answers.push({ name, type: 'CNAME', ttl: dname.ttl, data: target })
      if (qtype === 'CNAME') return response('NOERROR', true, answers, [])
      name = target
      continue
    }

    let node = name
    if (!index.has(name)) {
      const wildcard = childName('*', closestEncloser(index, name))
      if (!index.has(wildcard)) {
        return response('NXDOMAIN', true, answers, [negativeSoa(zone)])
      }
      // An NS at a wildcard makes Knot refer to it as it is, owner `*` and all.
      const wildcardNs = rrset(index, wildcard, 'NS')
      if (wildcardNs.length > 0 && qtype !== 'DS') {
        return response('NOERROR', step > 0, answers, copies(wildcardNs))
      }
      node = wildcard
    }

    if (qtype === 'ANY') {
      const all = rrsetsAt(index, node).flatMap(members)
      answers.push(...all.map((r) => answerRecord(r, name)))
      return all.length > 0
        ? response('NOERROR', true, answers, [])
        : response('NOERROR', true, answers, [negativeSoa(zone)])
    }

    const cname = rrset(index, node, 'CNAME')
    // A CNAME beside other data (RFC 1034 3.6.2) makes Knot refuse the zone; a file under
    // review can still hold one, so the answer shows the other data too and the checks say
    // `conflict` instead of guessing which record the server would keep.
    const besides = step === 0 && cname.length > 0 ? otherData(index, node, name) : []
    if (cname.length > 0 && qtype !== 'CNAME' && qtype !== 'RRSIG' && qtype !== 'NSEC') {
      // The same CNAME twice means a loop; Knot stops there without an error.
      if (answers.some((r) => r.type === 'CNAME' && r.name === name)) break
      answers.push(...cname.map((r) => answerRecord(r, name)), ...besides)
      if (node !== name) {
        if (visitedWildcards.has(node)) break
        visitedWildcards.add(node)
      }
      name = (cname[0] as DnsRecord).data
      continue
    }

    const found = rrset(index, node, qtype)
    if (found.length === 0) return response('NOERROR', true, answers, [negativeSoa(zone)])
    answers.push(...found.map((r) => answerRecord(r, name)), ...besides)
    return response('NOERROR', true, answers, [])
  }
  return response('NOERROR', true, answers, [])
}

/** Everything but the CNAME (and DNSSEC records) at a name that also has a CNAME. */
function otherData(index: ZoneStore, node: string, owner: string): DnsRecord[] {
  return rrsetsAt(index, node)
    .filter(({ type }) => type !== 'CNAME' && type !== 'RRSIG' && type !== 'NSEC')
    .flatMap((set) => members(set).map((r) => answerRecord(r, owner)))
}

/** A resolver over zone files, which can also say whether any of its files holds a name. */
export interface ZoneFileResolver extends Resolver {
  holds(name: string): boolean
  /** The files' {@link ZoneSet.warnings}: what some servers would refuse to load. */
  readonly warnings: readonly ZoneWarning[]
}

/**
 * A resolver over the zone files of `dir`, read once now. Its `query` never throws.
 * @throws ZoneFileError if the directory or a zone file is wrong.
 */
export async function createZoneFileResolver(dir: string): Promise<ZoneFileResolver> {
  const zones = await loadZoneDir(dir)
  return {
    holds: (name) => closestZone(zones, normalizeName(name)) !== undefined,
    warnings: zones.warnings,
    name: 'zone-files',
    kind: 'zone-files',
    address: dir,
    async query(question) {
      try {
        const response = answerFromZones(zones, question)
        if (response.rcode === 'REFUSED') {
          // An authoritative server refuses names outside its zones; here that means a file is missing.
          return {
            ok: false,
            error: `zone files in ${dir}: no zone file holds ${normalizeName(question.name)} (add ${dir}/<zone>.zone)`
          }
        }
        return { ok: true, response }
      } catch (error) {
        return {
          ok: false,
          error: `zone files in ${dir}: ${question.name} ${question.type}: ${messageOf(error)}`
        }
      }
    },
    async close() {
      // Nothing to release: the zones are plain data.
    }
  }
}

/** One RRset: its records as read (identical ones once), with the TTL the server gives them all. */
interface RRset {
  type: string
  ttl: number
  records: ZoneRecord[]
}

/**
 * The RRsets at a name, in the order their types first appear. Knot keeps one copy of identical
 * records and gives the RRset the TTL read last.
 */
function rrsetsAt(index: ZoneStore, name: string): RRset[] {
  const sets: RRset[] = []
  const seen = new Map<string, Set<string>>()
  for (const record of index.records(name)) {
    let set = sets.find((s) => s.type === record.type)
    if (!set) {
      set = { type: record.type, ttl: record.ttl, records: [] }
      sets.push(set)
      seen.set(record.type, new Set())
    }
    set.ttl = record.ttl
    const key = record.strings
      ? `S${JSON.stringify(record.strings)}${record.data}`
      : `D${record.data}`
    const keys = seen.get(record.type) as Set<string>
    if (!keys.has(key)) {
      keys.add(key)
      set.records.push(record)
    }
  }
  return sets
}

/** The records of an RRset as answered: copies, with the RRset's TTL. */
function members(set: RRset): DnsRecord[] {
  return set.records.map((r) => ({ ...plainRecord(r), ttl: set.ttl }))
}

function rrset(index: ZoneStore, name: string, type: string): DnsRecord[] {
  const set = rrsetsAt(index, name).find((s) => s.type === type)
  return set ? members(set) : []
}

/** The zone with the longest apex that is `name` or one of its ancestors. */
function closestZone(zones: ZoneSet, name: string): Zone | undefined {
  // Walk up the name's labels to the first apex: a lookup per label, whatever the zone count.
  let byName = zonesByName.get(zones)
  if (!byName) {
    byName = new Map(zones.zones.map((zone) => [zone.name, zone]))
    zonesByName.set(zones, byName)
  }
  for (let n = name; ; n = parentName(n)) {
    const zone = byName.get(n)
    if (zone) return zone
    if (n === '') return undefined
  }
}

const zonesByName = new WeakMap<ZoneSet, Map<string, Zone>>()

/**
 * What takes over a name before its own records: a zone cut (the name closest to the apex that
 * owns NS records, below the apex; at the cut itself a DS query is answered from this, the
 * parent, zone, as RFC 4035 says), or a DNAME at the apex or below, above the name itself.
 */
function delegationFor(
  index: ZoneStore,
  apex: string,
  name: string,
  qtype: string
): { type: 'NS' | 'DNAME'; owner: string } | undefined {
  const labels = splitLabels(name)
  const apexDepth = splitLabels(apex).length
  for (let depth = apexDepth; depth <= labels.length; depth++) {
    const candidate = labels.slice(labels.length - depth).join('.')
    if (depth > apexDepth && !(candidate === name && qtype === 'DS')) {
      if (rrset(index, candidate, 'NS').length > 0) return { type: 'NS', owner: candidate }
    }
    if (candidate !== name && rrset(index, candidate, 'DNAME').length > 0) {
      return { type: 'DNAME', owner: candidate }
    }
  }
  return undefined
}

/**
 * `name` with its `owner` suffix replaced by `target` (RFC 6672 section 2.2), or undefined
 * when the result is longer than a name may be (the server then answers YXDOMAIN).
 */
function substitute(name: string, owner: string, target: string): string | undefined {
  const prefix = splitLabels(name).slice(0, splitLabels(name).length - splitLabels(owner).length)
  const result = [...prefix, ...splitLabels(target)].join('.')
  try {
    encodeName(result)
  } catch {
    return undefined
  }
  return result
}

/** The longest existing ancestor of a name that does not exist (RFC 4592 closest encloser). */
function closestEncloser(index: ZoneStore, name: string): string {
  let n = parentName(name)
  while (!index.has(n) && n !== '') n = parentName(n)
  return n
}

/** The apex SOA for a negative answer; its TTL is capped at the SOA minimum (RFC 2308). */
function negativeSoa(zone: Zone): DnsRecord {
  const soa = plainRecord(zone.soa)
  const minimum = Number(soa.data.split(' ')[6])
  return { ...soa, ttl: Math.min(soa.ttl, minimum) }
}

/** A record as answered: without the file line, its strings not shared with the zone. */
function plainRecord(record: ZoneRecord): DnsRecord {
  const plain: DnsRecord = {
    name: record.name,
    type: record.type,
    ttl: record.ttl,
    data: record.data
  }
  if (record.strings) plain.strings = [...record.strings]
  return plain
}

/** A copy of an RRset member under `owner` (the qname when a wildcard made it). */
function answerRecord(record: DnsRecord, owner: string): DnsRecord {
  const copy: DnsRecord = { ...record, name: owner }
  if (record.strings) copy.strings = [...record.strings]
  return copy
}

function copies(records: DnsRecord[]): DnsRecord[] {
  return records.map((r) => answerRecord(r, r.name))
}

function response(
  rcode: string,
  aa: boolean,
  answers: DnsRecord[],
  authority: DnsRecord[]
): DnsResponse {
  return { rcode, flags: { aa, tc: false, rd: false, ra: false }, answers, authority }
}

function messageOf(error: unknown): string {
  // By shape, not instanceof: Node's errors may come from another realm (a test VM context).
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message : String(error)
}
