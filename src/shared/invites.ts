import * as z from 'zod/mini';
import type { InviteRateLimits } from './link-policy';
import { count, httpUrl } from './wire';

/**
 * Named reviewers with their own links ("invites"): what the owner API answers (`GET/POST /api/invites`,
 * `POST /api/invites/<name>/revoke`, `POST /api/invite-only`) and what the CLI prints. A token is shown once, in the
 * answer that made it; lists never hold one.
 */

export const MAX_INVITE_NAME = 100;

/** A reviewer's name as the owner types it: the name their feedback carries, verified. Null when it is fine, else why not. */
export function inviteNameProblem(name: string): string | null {
  if (name.trim() === '') return 'a reviewer\'s name cannot be empty';
  if (name !== name.trim()) return 'a reviewer\'s name cannot start or end with spaces';
  if (name.length > MAX_INVITE_NAME) return `a reviewer's name must be at most ${MAX_INVITE_NAME} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'a reviewer\'s name cannot hold control characters';
  return null;
}

/** An invite's own budgets per minute (0: no limit); a field left out is the preview's. */
export const InviteRateLimitsSchema = z.object({
  predictionsPerMinute: z.optional(count()),
  feedbackPerMinute: z.optional(count()),
});

export const InviteInfoSchema = z.object({
  name: z.string(),
  createdAt: z.string(),
  /** When the invite link stops working (ISO 8601); absent: never. */
  expiresAt: z.optional(z.string()),
  expired: z.boolean(),
  /** When the owner withdrew it; a withdrawn link answers 401. */
  revokedAt: z.optional(z.string()),
  /** The last request through the link (ISO 8601), as far as the server saw; absent: never used. */
  lastSeenAt: z.optional(z.string()),
  /** Feedback sent through the link. */
  feedback: count(),
  /** Whether the link needs a password of its own instead of the preview's (the password itself is never shown). */
  ownPassword: z.boolean(),
  /** The invite's own rate limits; absent: the preview's. */
  rateLimits: z.optional(InviteRateLimitsSchema),
});
export type InviteInfo = z.infer<typeof InviteInfoSchema>;

/** `GET /api/invites`: every invite, and whether the general share link is off. */
export const InviteListSchema = z.object({
  inviteOnly: z.boolean(),
  invites: z.array(InviteInfoSchema),
});
export type InviteList = z.infer<typeof InviteListSchema>;

/** `POST /api/invites`: the new invite and its link (the only time the token is shown). */
export const InviteCreatedSchema = z.object({
  name: z.string(),
  link: httpUrl(),
  expiresAt: z.optional(z.string()),
  ownPassword: z.boolean(),
  rateLimits: z.optional(InviteRateLimitsSchema),
});
export type InviteCreated = z.infer<typeof InviteCreatedSchema>;

/** What `POST /api/invites` takes. */
export interface InviteRequest {
  name: string;
  /** Lifetime from now in ms; absent: never expires. */
  expiresInMs?: number;
  /** A password for this link alone, instead of the preview's (see link-policy.ts); stored only as a hash. */
  password?: string;
  /** Budgets for this invite alone, instead of the preview's. */
  rateLimits?: InviteRateLimits;
}

/** `GET /api/reviewer` (share token): who the page's visitor is, when their link is an invite. */
export const ReviewerSchema = z.object({ invitedAs: z.optional(z.string()) });
export type Reviewer = z.infer<typeof ReviewerSchema>;
