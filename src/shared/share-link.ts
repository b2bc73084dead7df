import * as z from 'zod/mini';
import { httpUrl } from './wire';

/** The share link as the owner sees it: `GET /api/share-link` and the answer of `POST /api/share-link/rotate`. */
export const ShareLinkInfoSchema = z.object({
  /** The link to give people: the tunnel's public URL when it is up, else the local URL; with the share token. */
  shareUrl: httpUrl(),
  localUrl: httpUrl(),
  /** The tunnel's public base URL while it is up. */
  publicUrl: z.optional(httpUrl()),
  /**
   * The tunnel provider ("none" for a local-only link) and whether it is up now; `unreachable`: up by the provider's
   * word, but the public URL does not reach this server from outside (see the `tunnel-unreachable` event).
   */
  tunnel: z.object({ provider: z.string(), state: z.enum(['none', 'up', 'reconnecting', 'down', 'unreachable']) }),
  /** When the link expires (ISO 8601); absent when it never does. */
  expiresAt: z.optional(z.string()),
  expired: z.boolean(),
  passwordRequired: z.boolean(),
});
export type ShareLinkInfo = z.infer<typeof ShareLinkInfoSchema>;
