/**
 * The engine's view of Mailtrap: the account's sending domains (one list request), each
 * domain's current state (GET after the DNS check), and the opt-in create. Answers are kept
 * for `intervalMs`, so `wait` asks DNS every round but Mailtrap only as often as its own
 * re-checks make useful. Errors only the user can fix stop the run.
 */
import type { MailtrapDomainView, MailtrapPort } from './check-mailtrap.js'
import { UsageError } from './errors.js'
import type { MailtrapClient, MailtrapClientOptions, MailtrapDomain } from './mailtrap/client.js'
import { toAsciiName } from './names/dns-names.js'

/** How often `wait` asks Mailtrap again, unless told otherwise: it re-checks about hourly. */
export const MAILTRAP_INTERVAL_MS = 5 * 60_000

export interface MailtrapView {
  port: MailtrapPort
  /** When Mailtrap's answers in use were read; undefined before the first. */
  readAt(): Date | undefined
  /**
   * Loads the client and checks the options now (a UsageError if they are invalid), so that a
   * caller can refuse them before anything else, as when the client was made with the view.
   */
  ready(): Promise<void>
  close(): Promise<void>
}

/**
 * The client (and the zod schemas of its answers) is loaded on the first question, not with the
 * engine: a run without a token never loads it (issue 12, start-up). Invalid options are thrown
 * as a UsageError from that first question, which readMailtrap passes on.
 */
export function createMailtrapView(
  options: MailtrapClientOptions,
  settings: { now: () => Date; intervalMs?: number }
): MailtrapView {
  let loaded: Promise<{ client: MailtrapClient; isFixable: (error: unknown) => boolean }>
  const load = () =>
    (loaded ??= import('./mailtrap/client.js').then((m) => {
      let client: MailtrapClient
      try {
        client = m.createMailtrapClient(options)
      } catch (error) {
        throw new UsageError(`Mailtrap: ${(error as Error).message}`)
      }
      const isFixable = (error: unknown) => error instanceof m.MailtrapError && error.fixable
      return { client, isFixable }
    }))
  const interval = settings.intervalMs ?? MAILTRAP_INTERVAL_MS
  let list: { at: number; views: Promise<MailtrapDomainView[]> } | undefined
  const fresh = new Map<number, { at: number; view: Promise<MailtrapDomainView> }>()
  let readAt: Date | undefined
  const stale = (at: number): boolean => settings.now().getTime() - at >= interval
  const fixable = async <T>(call: (client: MailtrapClient) => Promise<T>): Promise<T> => {
    const { client, isFixable } = await load()
    try {
      return await call(client)
    } catch (error) {
      if (isFixable(error)) throw new UsageError((error as Error).message)
      throw error
    }
  }
  return {
    readAt: () => readAt,
    ready: () => load().then(() => undefined),
    // Nothing to close when nothing was asked, or when the options were refused.
    close: () =>
      loaded
        ? loaded.then(
            ({ client }) => client.close(),
            () => {}
          )
        : Promise.resolve(),
    port: {
      domains() {
        if (!list || stale(list.at)) {
          const at = settings.now().getTime()
          const views = fixable((client) => client.listDomains()).then((domains) => {
            readAt = new Date(at)
            return domains.map(toView)
          })
          list = { at, views }
          // A failed read is not kept: the next round asks again.
          views.catch(() => (list = undefined))
        }
        return list.views
      },
      domain(id) {
        const known = fresh.get(id)
        if (known && !stale(known.at)) return known.view
        const at = settings.now().getTime()
        const view = fixable((client) => client.getDomain(id)).then(toView)
        fresh.set(id, { at, view })
        view.catch(() => fresh.delete(id))
        return view
      },
      create: (name) => fixable((client) => client.createDomain(name)).then(toView)
    }
  }
}

function toView(domain: MailtrapDomain): MailtrapDomainView {
  return {
    name: toAsciiName(domain.domainName),
    id: domain.id,
    complianceStatus: domain.complianceStatus,
    dnsVerified: domain.dnsVerified,
    dnsVerifiedAt: domain.dnsVerifiedAt,
    ...(domain.customDomainTrackingEnabled === undefined
      ? {}
      : { trackingEnabled: domain.customDomainTrackingEnabled }),
    records: domain.records.map((r) => ({
      key: r.key,
      host: r.name,
      value: r.value,
      type: r.type,
      status: r.status
    }))
  }
}
