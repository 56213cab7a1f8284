/** A mistake in how the command was called (bad flag value, existing --out, ...): exit 2. */
export class UsageError extends Error {}
