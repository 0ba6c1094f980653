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
import { parseZoneFile, ZoneFileError, type ZoneRecord, type ZoneWarning } from './zone-file.js'
import { readZoneDir, ZONE_SUFFIX } from './zone-dir.js'
import { encodeName } from './wire-name.js'
import { excerpt } from './excerpt.js'

/** One zone read from a file. */
export interface Zone {
  /** The apex: lower-case, without the trailing dot. */
  readonly name: string
  /** The file it was read from (for messages). */
  readonly file: string
  /** Every record as written, in file order (duplicates and all, for the checks to diagnose). */
  readonly records: readonly ZoneRecord[]
  /** The apex SOA. */
  readonly soa: ZoneRecord
}

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
 * Checks that the records make a zone with apex `name`: every owner inside the zone and
 * exactly one SOA, at the apex. A CNAME beside other data is kept (the checks diagnose it).
 * @throws ZoneFileError naming the file, and the line where there is one.
 */
export function buildZone(name: string, file: string, records: readonly ZoneRecord[]): Zone {
  const apex = normalizeName(name)
  let soa: ZoneRecord | undefined
  const cnames = new Map<string, ZoneRecord>()
  const dnames = new Set<string>()
  for (const record of records) {
    if (record.type === 'DNAME') dnames.add(record.name)
    if (record.type === 'CNAME' && record.name === apex) {
      // The apex always holds the SOA and NS records, so a CNAME there is beside other data.
      throw new ZoneFileError(
        file,
        record.line,
        `a CNAME at the zone apex ${show(apex)}, beside its SOA and NS records: servers refuse such a zone`
      )
    }
    if (record.type === 'CNAME') {
      // Two different CNAMEs at one name make every server refuse the whole zone (RFC 2181
      // 10.1); checking such a file offline must not pass what would take the zone down.
      const first = cnames.get(record.name)
      if (first && first.data !== record.data) {
        throw new ZoneFileError(
          file,
          record.line,
          `a second CNAME at ${show(record.name)} (the first is on line ${first.line}): a name holds one CNAME at most, and servers refuse the zone`
        )
      }
      if (!first) cnames.set(record.name, record)
    }
    if (!isAtOrBelow(record.name, apex)) {
      // Knot skips such records with a warning; here they are almost surely a missing
      // trailing dot or a record pasted into the wrong file, so say so.
      throw new ZoneFileError(
        file,
        record.line,
        `${show(record.name)} is outside the zone ${show(apex)}`
      )
    }
    if (record.type !== 'SOA') continue
    if (record.name !== apex) {
      throw new ZoneFileError(
        file,
        record.line,
        `SOA record at ${show(record.name)}, not at the zone apex ${show(apex)}`
      )
    }
    if (soa) {
      throw new ZoneFileError(
        file,
        record.line,
        `second SOA record at the zone apex (the first is on line ${soa.line})`
      )
    }
    soa = record
  }
  if (!soa) throw new ZoneFileError(file, 0, `no SOA record at the zone apex ${show(apex)}`)
  if (dnames.size > 0) checkBelowDnames(file, apex, records, dnames)
  return { name: apex, file, records, soa }
}

/**
 * Refuses records below a DNAME: a server never answers them (RFC 6672 section 2.3), and Knot
 * refuses to load such a zone.
 */
function checkBelowDnames(
  file: string,
  apex: string,
  records: readonly ZoneRecord[],
  dnames: ReadonlySet<string>
): void {
  for (const record of records) {
    for (let n = record.name; n !== apex && n !== '';) {
      n = parentName(n)
      if (dnames.has(n)) {
        throw new ZoneFileError(
          file,
          record.line,
          `${show(record.name)} is below the DNAME at ${show(n)}: servers never answer it and refuse such a zone`
        )
      }
    }
  }
}

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
  for await (const { file, zone, text } of readZoneDir(dir)) {
    const zoneName = normalizeName(zone)
    const earlier = seen.get(zoneName)
    if (earlier !== undefined) {
      throw new ZoneFileError(file, 0, `zone ${zoneName} is already read from ${earlier}`)
    }
    seen.set(zoneName, file)
    const records = parseZoneFile(text, { origin: zoneName, file, warnings })
    zones.push(buildZone(zoneName, file, records))
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
  const index = indexOf(zone)

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
    if (!index.names.has(name)) {
      const wildcard = childName('*', closestEncloser(index, name))
      if (!index.names.has(wildcard)) {
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
      const all = (index.rrsets.get(node) ?? []).flatMap(members)
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
function otherData(index: ReturnType<typeof indexOf>, node: string, owner: string): DnsRecord[] {
  return (index.rrsets.get(node) ?? [])
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

/**
 * One RRset: its records as read (identical ones once), with the TTL the server gives them
 * all. The records are the zone's own, not copies, so the index costs little beside them.
 */
interface RRset {
  type: string
  ttl: number
  records: ZoneRecord[]
}

interface ZoneIndex {
  /** owner → its RRsets, in the order their types first appear. */
  rrsets: Map<string, RRset[]>
  /** Every owner and every name between it and the apex (empty non-terminals exist too). */
  names: Set<string>
}

const indexes = new WeakMap<Zone, ZoneIndex>()

function indexOf(zone: Zone): ZoneIndex {
  const cached = indexes.get(zone)
  if (cached) return cached
  const rrsets = new Map<string, RRset[]>()
  const names = new Set<string>([zone.name])
  for (const record of zone.records) {
    // Arrays made as literals of one: a pushed-to empty array reserves room for 17, which
    // for a zone of millions of names is most of the index.
    const sets = rrsets.get(record.name)
    const set = sets?.find((s) => s.type === record.type)
    if (!sets) {
      rrsets.set(record.name, [{ type: record.type, ttl: record.ttl, records: [record] }])
    } else if (!set) {
      sets.push({ type: record.type, ttl: record.ttl, records: [record] })
    } else {
      // Knot keeps one copy of identical records and gives the RRset the TTL read last.
      set.ttl = record.ttl
      if (!set.records.some((r) => sameData(r, record))) set.records.push(record)
    }
    for (let n = record.name; n !== zone.name && n !== '' && !names.has(n); n = parentName(n))
      names.add(n)
  }
  const index = { rrsets, names }
  indexes.set(zone, index)
  return index
}

function sameData(a: DnsRecord, b: DnsRecord): boolean {
  if (a.data !== b.data) return false
  if (a.strings === undefined || b.strings === undefined) return a.strings === b.strings
  return a.strings.length === b.strings.length && a.strings.every((x, i) => x === b.strings?.[i])
}

/** The records of an RRset as answered: copies, with the RRset's TTL. */
function members(set: RRset): DnsRecord[] {
  return set.records.map((r) => ({ ...plainRecord(r), ttl: set.ttl }))
}

function rrset(index: ZoneIndex, name: string, type: string): DnsRecord[] {
  const set = index.rrsets.get(name)?.find((s) => s.type === type)
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
  index: ZoneIndex,
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
function closestEncloser(index: ZoneIndex, name: string): string {
  let n = parentName(name)
  while (!index.names.has(n) && n !== '') n = parentName(n)
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

/** Labels of a canonical name, split on the dots that are not escaped (`a\.b` is one label). */
function splitLabels(name: string): string[] {
  if (name === '') return []
  const labels: string[] = []
  let label = ''
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string
    if (c === '\\') {
      label += c + (name[i + 1] ?? '')
      i++
    } else if (c === '.') {
      labels.push(label)
      label = ''
    } else {
      label += c
    }
  }
  labels.push(label)
  return labels
}

function parentName(name: string): string {
  return splitLabels(name).slice(1).join('.')
}

function childName(label: string, name: string): string {
  return name === '' ? label : `${label}.${name}`
}

function isAtOrBelow(name: string, apex: string): boolean {
  const n = splitLabels(name)
  const a = splitLabels(apex)
  return a.length <= n.length && a.every((label, i) => n[n.length - a.length + i] === label)
}

/** A name as error messages quote it: a short escaped excerpt, the root as `.`. */
function show(name: string): string {
  return name === '' ? '.' : excerpt(name)
}

function messageOf(error: unknown): string {
  // By shape, not instanceof: Node's errors may come from another realm (a test VM context).
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message : String(error)
}
