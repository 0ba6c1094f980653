import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** How a generated zone holds Mailtrap's records. */
export type ZoneState = 'healthy' | 'doubled' | 'missing-dkim2' | 'dmarc-differs'

/**
 * A BIND zone for `name` as examples/zones has them: everything Mailtrap expects with the
 * verification host `mt07` ('healthy'), the DKIM 1 CNAME typed with the full name so the zone
 * was appended ('doubled'), no DKIM 2 CNAME ('missing-dkim2'), or a DMARC policy of its own,
 * a warning ('dmarc-differs').
 */
export function zoneText(name: string, state: ZoneState): string {
  const dkim1 = state === 'doubled' ? `rwmt1._domainkey.${name}` : 'rwmt1._domainkey'
  const dmarc =
    state === 'dmarc-differs'
      ? 'v=DMARC1; p=reject; rua=mailto:dmarc@smtp.mailtrap.live'
      : 'v=DMARC1; p=none; rua=mailto:dmarc@smtp.mailtrap.live; ruf=mailto:dmarc@smtp.mailtrap.live; rf=afrf; pct=100'
  return [
    `$ORIGIN ${name}.`,
    '$TTL 3600',
    '@       IN SOA ns1 hostmaster 2026112601 7200 900 1209600 300',
    '        IN NS  ns1',
    'ns1     IN A   192.0.2.53',
    'mt07              IN CNAME smtp.mailtrap.live.',
    `${dkim1}  IN CNAME rwmt1.dkim.smtp.mailtrap.live.`,
    ...(state === 'missing-dkim2'
      ? []
      : ['rwmt2._domainkey  IN CNAME rwmt2.dkim.smtp.mailtrap.live.']),
    'mt-link           IN CNAME t.mailtrap.live.',
    `_dmarc            IN TXT "${dmarc}"`,
    ''
  ].join('\n')
}

/** A fleet written to disk: its config and the zone directory beside it. */
export interface FleetFiles {
  dir: string
  config: string
  zoneDir: string
  /** The domains in config order. */
  names: string[]
}

/**
 * Write `domains.yaml` and `zones/<name>.zone` for the given domains into a new temporary
 * directory (or `dir`), every domain with verification host `mt07`.
 */
export async function writeFleet(
  domains: { name: string; state: ZoneState }[],
  dir?: string
): Promise<FleetFiles> {
  const base = dir ?? (await mkdtemp(join(tmpdir(), 'fleet-')))
  const zoneDir = join(base, 'zones')
  await mkdir(zoneDir, { recursive: true })
  const config = join(base, 'domains.yaml')
  await writeFile(
    config,
    [
      'version: 1',
      'domains:',
      ...domains.map((d) => `  - name: ${d.name}\n    verification: mt07`),
      ''
    ].join('\n')
  )
  for (const d of domains) {
    await writeFile(join(zoneDir, `${d.name}.zone`), zoneText(d.name, d.state))
  }
  return { dir: base, config, zoneDir, names: domains.map((d) => d.name) }
}

/** Rewrite one domain's zone file (a fix, or a new mistake). */
export async function setZone(fleet: FleetFiles, name: string, state: ZoneState): Promise<void> {
  await writeFile(join(fleet.zoneDir, `${name}.zone`), zoneText(name, state))
}
