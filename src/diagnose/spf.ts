/**
 * SPF records read by their terms (RFC 7208), so that case, spacing and the order of includes do
 * not count, and merged into one record where the fix would otherwise add a second.
 */

/** An SPF record is `v=spf1` followed by a space or the end (RFC 7208 4.5). */
export function isSpf(text: string): boolean {
  return /^v=spf1(\s|$)/i.test(text.trim())
}

/** The terms of a record, separated by spaces (RFC 7208 4.6.1), `v=spf1` left out. */
function terms(record: string): string[] {
  return record
    .trim()
    .split(/\s+/)
    .filter((t, i) => t !== '' && !(i === 0 && /^v=spf1$/i.test(t)))
}

/** The domain an `include:` names, `+` being the default qualifier; undefined for other terms. */
function included(term: string, qualifiers = /^\+?/): string | undefined {
  const m = /^include:(.+)$/i.exec(term.replace(qualifiers, ''))
  return m?.[1]?.toLowerCase().replace(/\.$/, '')
}

/** True when `record` has every `include:` term of `expected`, in any order. */
export function spfIncludes(record: string, expected: string): boolean {
  const have = new Set(
    terms(record).flatMap((t) => {
      // `redirect=X` hands the whole policy to X, as good as including it.
      const redirect = /^redirect=(.+)$/i.exec(t)?.[1]
      const target = redirect ? redirect.toLowerCase().replace(/\.$/, '') : included(t)
      return target === undefined ? [] : [target]
    })
  )
  return terms(expected)
    .flatMap((t) => included(t) ?? [])
    .every((domain) => have.has(domain))
}

/**
 * The one SPF record that keeps every term of `existing` and adds the `include:` terms of
 * `expected` it lacks, right before its `all` mechanism (terms after `all` are never tested, RFC
 * 7208 5.1) or else before its `redirect=` (which then still catches what nothing matched, 6.1).
 * An include of the same domain with a `-`, `~` or `?` qualifier is replaced in place, since it
 * would otherwise answer first. Two records would be a permerror (RFC 7208 4.5), so the fix shows
 * this one. `existing` that is no SPF record yields `expected`.
 */
export function mergeSpf(existing: string, expected: string): string {
  if (!isSpf(existing)) return expected.trim()
  const kept = terms(existing)
  const want = terms(expected).filter((t) => included(t) !== undefined)
  const missing: string[] = []
  for (const term of want) {
    const domain = included(term)
    if (kept.some((t) => included(t) === domain)) continue
    const contrary = kept.findIndex((t) => included(t, /^[-~?]/) === domain)
    if (contrary >= 0) kept[contrary] = term
    else missing.push(term)
  }
  const all = kept.findIndex((t) => /^[-~?+]?all$/i.test(t))
  const redirect = kept.findIndex((t) => /^redirect=/i.test(t))
  const at = all >= 0 ? all : redirect >= 0 ? redirect : kept.length
  kept.splice(at, 0, ...missing)
  const version = /^\s*(v=spf1)/i.exec(existing)?.[1] ?? 'v=spf1'
  return [version, ...kept].join(' ')
}

/**
 * How many DNS-querying terms a record holds (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`):
 * more than 10 in all is a permerror (RFC 7208 4.6.4), so a merge can tip a record over.
 */
export function spfLookups(record: string): number {
  return terms(record).filter((t) =>
    /^[-~?+]?(include:|exists:|a$|a[:/]|mx$|mx[:/]|ptr$|ptr:)|^redirect=/i.test(t)
  ).length
}
