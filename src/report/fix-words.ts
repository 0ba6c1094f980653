import type { DnsHost } from '../diagnose/dns-hosts.js'
import { relativeName } from '../names/dns-names.js'
import { code, lowerFirst, rich, type Rich } from './rich.js'

/**
 * Fix wording for one zone: generic, or in the words of its DNS host's record form (field
 * names, trailing dots, quotes, proxy, TTL), so that a fix says exactly what to type where.
 */
export class FixWords {
  constructor(
    readonly apex: string,
    readonly host: DnsHost | undefined
  ) {}

  /** The name as the zone's form wants it: `@`, the labels before the apex, or `name.`. */
  label(name: string): string {
    return relativeName(name, this.apex)
  }

  private get where(): string {
    return this.host
      ? `In ${this.host.name}'s DNS records for ${this.apex}`
      : `In the DNS zone ${this.apex}`
  }

  /** How to fill in the name field, and why only the label. */
  nameField(name: string): Rich {
    const field = this.host ? `the ${this.host.nameField} field` : 'the name (host) field'
    return rich`type only ${code(this.label(name))} in ${field} (${this.host?.name ?? 'the DNS host'} appends ${this.apex} itself)`
  }

  /** How to fill in a CNAME target. */
  target(value: string): Rich {
    if (!this.host) {
      return rich`target ${code(`${value}.`)} (with the trailing dot, if the DNS host appends the zone to targets without one)`
    }
    const field = `the ${this.host.targetField} field`
    return this.host.targetNeedsDot
      ? rich`${code(`${value}.`)} in ${field}, with the trailing dot (without it ${this.host.name} appends ${this.apex})`
      : rich`${code(value)} in ${field}`
  }

  /** How to fill in a TXT value. */
  text(value: string): Rich {
    if (this.host?.quotesText)
      return rich`${code(`"${value}"`)} in the ${this.host.textField} field (${this.host.name} wants one pair of quotes around it)`
    const field = this.host ? `the ${this.host.textField} field` : 'the value'
    return rich`${code(value)} in ${field}, without quotes`
  }

  /** The TTL to set: the host's own default wording, or a number for a zone file. */
  get ttl(): string | undefined {
    return this.host?.ttl
  }

  add(type: string, name: string, value: string): Rich {
    const fill = type === 'CNAME' ? this.target(value) : this.text(value)
    const proxy = type === 'CNAME' && this.host?.proxyOff ? `, ${this.host.proxyOff}` : ''
    const ttl = this.host ? `, TTL ${this.host.ttl}` : ''
    return rich`${this.where}, add a ${type} record: ${this.nameField(name)}, ${fill}${proxy}${ttl}.`
  }

  proxy(): Rich {
    return this.host?.proxyOff
      ? rich`${this.where}, edit the record and ${this.host.proxyOff}.`
      : rich`Turn off proxying, CNAME flattening or "alias" for this record at the DNS host, so it answers as a plain CNAME.`
  }

  /** The fields of the host's record form, as data: what to type in each. */
  fields(type: string, name: string, value: string): { field: string; value: string }[] {
    const host = this.host
    const valueField =
      type === 'CNAME' ? (host?.targetField ?? 'target') : (host?.textField ?? 'value')
    const typed =
      type === 'CNAME'
        ? host && !host.targetNeedsDot
          ? value
          : `${value}.`
        : host?.quotesText
          ? `"${value}"`
          : value
    const fields = [
      { field: 'type', value: type },
      { field: host?.nameField ?? 'name', value: this.label(name) },
      { field: valueField, value: typed }
    ]
    if (host) fields.push({ field: 'TTL', value: host.ttl })
    return fields
  }

  /**
   * How to follow a CNAME chain that left the zone where nothing could ask the next zone's
   * servers; with `direct`, the next step (pointing the CNAME straight at Mailtrap's target)
   * is named as the other way, right whatever the chain ends in.
   */
  followChain(direct: boolean): Rich {
    const or = direct
      ? " Or, right whatever the chain ends in, point the CNAME straight at Mailtrap's target."
      : ''
    return rich`Add a cache resolver (${code('--resolver')}) so the chain can be followed, then run the check again.${or}`
  }

  /** `add`, continued after a semicolon. */
  addLower(type: string, name: string, value: string): Rich {
    return lowerFirst(this.add(type, name, value))
  }
}
