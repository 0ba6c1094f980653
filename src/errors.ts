/**
 * Errors the user can fix from the message alone: a bad flag or input, a bad config or zone
 * file, a refused token. The CLI and the action print the message (no stack trace) and exit 2.
 * Every such error extends {@link UserError}, so nothing has to list them.
 */
export class UserError extends Error {
  override name = 'UserError'
}

/** A mistake in how the tool was called: a flag, an input, a file that cannot be read. */
export class UsageError extends UserError {
  override name = 'UsageError'
}

/** True for the errors a user can fix from the message alone (exit code 2, no stack trace). */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError
}
