/** The share link as the owner sees it: `GET /api/share-link` and the answer of `POST /api/share-link/rotate`. */
export interface ShareLinkInfo {
  /** The link to give people: the tunnel's public URL when it is up, else the local URL; with the share token. */
  shareUrl: string;
  localUrl: string;
  /** The tunnel's public base URL while it is up. */
  publicUrl?: string;
  /** The tunnel provider ("none" for a local-only link) and whether it is up now. */
  tunnel: { provider: string; state: 'none' | 'up' | 'reconnecting' | 'down' };
  /** When the link expires (ISO 8601); absent when it never does. */
  expiresAt?: string;
  expired: boolean;
  passwordRequired: boolean;
}
