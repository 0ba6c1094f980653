// The action's inputs: the one schema of every input action.yml declares, and how they are read.
import { z } from 'zod'
import { FAIL_ON } from './config/record-keys.js'
import { FORMATS } from './engine.js'
import { COMMENT_MODES, ON_PASS } from './github/publish-comment.js'
import { parseDuration } from './wait.js'

/** Every input of action.yml; the compiler rejects one that is read but not declared here. */
const inputsSchema = z.object({
  config: z.string().default('domains.yaml'),
  resolvers: z.string().optional(),
  authoritative: z.string().optional(),
  'zone-dir': z.string().optional(),
  domains: z.string().optional(),
  'fail-on': z.enum(FAIL_ON).optional(),
  format: z.enum(FORMATS).default('text'),
  'report-path': z.string().optional(),
  'query-timeout': z.coerce.number().int().positive().optional(),
  'rate-limit': z.string().optional(),
  wait: z.string().refine(isDuration, 'wait must be a duration such as 30m, 90s or 1h').optional(),
  'mailtrap-token': z.string().optional(),
  'mailtrap-account': z.coerce.number().int().positive().optional(),
  'mailtrap-url': z.url({ protocol: /^https?$/ }).optional(),
  comment: z.enum(COMMENT_MODES).default('auto'),
  'comment-key': z.string().optional(),
  'comment-on-pass': z.enum(ON_PASS).default('update'),
  mode: z.enum(['check', 'comment', 'merge']).default('check'),
  report: z.string().optional(),
  'pr-number': z.coerce.number().int().positive().optional(),
  shard: z.string().optional(),
  'drift-issue': z.enum(['true', 'false']).default('false'),
  'drift-label': z.string().default('dns-drift'),
  artifact: z.string().optional(),
  deadline: z.string().refine(isDuration, 'deadline must be a duration such as 10m').optional(),
  'require-verified': z.enum(['true', 'false']).default('false'),
  create: z.enum(['true', 'false']).default('false'),
  'allow-create-on-pr': z.enum(['true', 'false']).default('false'),
  'github-token': z.string().optional(),
  'wait-interval': z
    .string()
    .refine(isDuration, 'wait-interval must be a duration such as 30s or 1m')
    .optional()
})

function isDuration(text: string): boolean {
  try {
    return parseDuration(text) > 0
  } catch {
    return false
  }
}
export type Inputs = z.output<typeof inputsSchema>

/** The names of the inputs, for the test that keeps action.yml in step. */
export const ACTION_INPUTS = Object.keys(inputsSchema.shape) as (keyof z.input<
  typeof inputsSchema
>)[]

/** The inputs as `getInput` gives them (run.ts passes @actions/core's), parsed. */
export function readInputs(getInput: (name: string) => string): Inputs {
  // '' means "not given": map it to undefined so the schema's defaults apply.
  const raw = Object.fromEntries(ACTION_INPUTS.map((name) => [name, getInput(name) || undefined]))
  const parsed = inputsSchema.safeParse(raw)
  if (!parsed.success)
    throw new InputError(`Invalid action inputs: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** An input the action cannot run with. */
export class InputError extends Error {}

/** A list input: one item per line or comma. */
export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
}
