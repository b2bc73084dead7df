/**
 * What a link may ask of whoever holds it, checked the same way wherever it is set: `serve --password` and
 * `--rate-limit-*` for the share link, `invite --password` and `--rate-limit-*` (or `POST /api/invites`) for one
 * reviewer's link. Each check answers null when the value is fine, else what is wrong (the caller names the flag or
 * field).
 */

/** A link password guards a link on the internet: shorter ones fall to guessing within the password budgets' years. */
export const MIN_LINK_PASSWORD_LENGTH = 8;

/** Null when `password` may guard a link, else why not (never quoting the password). */
export function linkPasswordProblem(password: string): string | null {
  return password.length < MIN_LINK_PASSWORD_LENGTH ? `must be at least ${MIN_LINK_PASSWORD_LENGTH} characters: it guards a link on the internet` : null;
}

/** Per-client budgets per minute; 0 turns a limit off. */
export interface RateLimitSettings {
  predictionsPerMinute: number;
  feedbackPerMinute: number;
}

/** One invite's own budgets: a field it leaves out is the preview's. */
export type InviteRateLimits = Partial<RateLimitSettings>;

export const RATE_LIMIT_FIELDS: ReadonlyArray<keyof RateLimitSettings> = ['predictionsPerMinute', 'feedbackPerMinute'];

/** Null when `n` is a budget per minute (a whole number, 0 for no limit), else why not. */
export function perMinuteProblem(n: unknown): string | null {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? null : 'must be a whole number >= 0 (0 for no limit)';
}

/** Null when `limits` is a set of budgets (known fields, each a budget per minute), else what is wrong, naming the field. */
export function inviteRateLimitsProblem(limits: unknown): string | null {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return 'rateLimits: must be {"predictionsPerMinute"?: <n>, "feedbackPerMinute"?: <n>}';
  const unknown = Object.keys(limits).filter((k) => !(RATE_LIMIT_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) return `rateLimits: unknown field(s): ${unknown.join(', ')} (known: ${RATE_LIMIT_FIELDS.join(', ')})`;
  for (const field of RATE_LIMIT_FIELDS) {
    const value = (limits as Record<string, unknown>)[field];
    const problem = value === undefined ? null : perMinuteProblem(value);
    if (problem) return `rateLimits.${field}: ${problem}`;
  }
  return null;
}
