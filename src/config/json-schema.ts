import { z } from 'zod'
import { configSchema } from './schema.js'

/**
 * The JSON Schema of domains.yaml, made from the same zod schema the loader validates with,
 * so editors autocomplete exactly what the tool accepts. Written to schema/domains.schema.json.
 */
export function domainsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema(), { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://github.com/mailtrap-dns-verify/mailtrap-dns-verify/blob/main/schema/domains.schema.json',
    title: 'mailtrap-dns-verify domains.yaml'
  }
}
