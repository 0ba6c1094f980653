/**
 * A zone built record by record as its file is read: each record checked against the zone
 * (owner inside it, one SOA at the apex, one CNAME a name) and packed into a {@link ZoneStore},
 * so a file of millions of records is never held as objects.
 */
import { normalizeName } from './types.js'
import { ZoneFileError, type ZoneRecord } from './zone-file.js'
import { MAX_ZONE_NAMES, ZoneStore } from './zone-store.js'
import { isAtOrBelow, parentName, show } from './zone-names.js'

/** One zone read from a file. */
export interface Zone {
  /** The apex: lower-case, without the trailing dot. */
  readonly name: string
  /** The file it was read from (for messages). */
  readonly file: string
  /** Every name of the zone and the records at each, packed. */
  readonly store: ZoneStore
  /**
   * Every record as written, in file order (duplicates and all, for the checks to diagnose).
   * Built from the store on each read: for small zones and tests, not for answering.
   */
  readonly records: readonly ZoneRecord[]
  /** The apex SOA. */
  readonly soa: ZoneRecord
}

/**
 * Takes a zone's records in file order and checks that they make a zone with apex `name`: every
 * owner inside the zone and exactly one SOA, at the apex. A CNAME beside other data is kept (the
 * checks diagnose it). The first problem is kept and thrown by {@link ZoneBuilder.finish}, so
 * the file's own syntax errors, found while it is still being read, come first, as they did
 * when the whole file was parsed before the zone was built.
 */
export class ZoneBuilder {
  readonly apex: string
  private readonly file: string
  private readonly store: ZoneStore
  private soa: ZoneRecord | undefined
  private readonly dnames = new Set<string>()
  private problem: ZoneFileError | undefined

  private readonly maxNames: number

  /** `maxNames`: the most names the zone may have (default {@link MAX_ZONE_NAMES}). */
  constructor(name: string, file: string, maxNames = MAX_ZONE_NAMES) {
    this.apex = normalizeName(name)
    this.file = file
    this.maxNames = maxNames
    this.store = new ZoneStore(this.apex, maxNames)
    this.store.addName(this.apex)
  }

  /** Takes the next record of the file. */
  add(record: ZoneRecord): void {
    if (this.problem) return
    const { apex, file } = this
    const fail = (detail: string): void => {
      this.problem = new ZoneFileError(file, record.line, detail)
    }
    if (record.type === 'DNAME') this.dnames.add(record.name)
    if (record.type === 'CNAME' && record.name === apex) {
      // The apex always holds the SOA and NS records, so a CNAME there is beside other data.
      return fail(
        `a CNAME at the zone apex ${show(apex)}, beside its SOA and NS records: servers refuse such a zone`
      )
    }
    if (record.type === 'CNAME') {
      // Two different CNAMEs at one name make every server refuse the whole zone (RFC 2181
      // 10.1); checking such a file offline must not pass what would take the zone down.
      const first = this.store.firstCname(record.name)
      if (first && first.data !== record.data) {
        return fail(
          `a second CNAME at ${show(record.name)} (the first is on line ${first.line}): a name holds one CNAME at most, and servers refuse the zone`
        )
      }
    }
    if (!isAtOrBelow(record.name, apex)) {
      // Knot skips such records with a warning; here they are almost surely a missing
      // trailing dot or a record pasted into the wrong file, so say so.
      return fail(`${show(record.name)} is outside the zone ${show(apex)}`)
    }
    if (record.type === 'SOA') {
      if (record.name !== apex) {
        return fail(`SOA record at ${show(record.name)}, not at the zone apex ${show(apex)}`)
      }
      if (this.soa) {
        return fail(`second SOA record at the zone apex (the first is on line ${this.soa.line})`)
      }
      this.soa = record
    }
    try {
      this.store.add(record)
      // Every name between an owner and the apex exists too (empty non-terminals).
      if (record.name !== apex) this.store.addAncestors(record.name)
    } catch (error) {
      // Too many names: stop taking records (the rest of the file is still read for errors).
      if (!(error instanceof RangeError)) throw error
      return fail(
        `the zone has more than ${this.maxNames.toLocaleString('en')} names (owners and the names between them and the apex), more than this reader holds`
      )
    }
  }

  /**
   * The zone, once every record is added.
   * @throws ZoneFileError naming the file, and the line where there is one.
   */
  finish(): Zone {
    if (this.problem) throw this.problem
    const { apex, file, store, soa } = this
    if (!soa) throw new ZoneFileError(file, 0, `no SOA record at the zone apex ${show(apex)}`)
    if (this.dnames.size > 0) this.checkBelowDnames()
    return {
      name: apex,
      file,
      store,
      soa,
      get records() {
        return store.all()
      }
    }
  }

  /**
   * Refuses records below a DNAME: a server never answers them (RFC 6672 section 2.3), and Knot
   * refuses to load such a zone. The error names the first such record in the file.
   */
  private checkBelowDnames(): void {
    let found: { first: number; name: string; dname: string } | undefined
    for (const { name, first } of this.store.names()) {
      if (first < 0 || (found && found.first < first)) continue
      for (let n = name; n !== this.apex && n !== '';) {
        n = parentName(n)
        if (this.dnames.has(n)) {
          found = { first, name, dname: n }
          break
        }
      }
    }
    if (!found) return
    const record = this.store.records(found.name)[0] as ZoneRecord
    throw new ZoneFileError(
      this.file,
      record.line,
      `${show(found.name)} is below the DNAME at ${show(found.dname)}: servers never answer it and refuse such a zone`
    )
  }
}

/**
 * Builds a zone from records already read (see {@link ZoneBuilder}).
 * @throws ZoneFileError naming the file, and the line where there is one.
 */
export function buildZone(name: string, file: string, records: readonly ZoneRecord[]): Zone {
  const builder = new ZoneBuilder(name, file)
  for (const record of records) builder.add(record)
  return builder.finish()
}
