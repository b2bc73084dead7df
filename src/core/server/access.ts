import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { HttpError } from './http-error';

/**
 * Who may do what. A tunnel delivers the public's requests from 127.0.0.1, so "it came from localhost" proves nothing:
 * every route but the health checks needs a token. The share token travels in the link (and is traded for a cookie);
 * the owner token never does — it is accepted only in an Authorization header, never from a URL or a cookie.
 */
export type AccessLevel = 'share' | 'owner';

export interface Tokens {
  shareToken: string;
  ownerToken: string;
}

/** 256 bits from the OS's CSPRNG, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

// Comparing digests keeps the comparison constant-time even when the lengths differ. The known tokens' digests are
// computed once; each request hashes only the token it presents.
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class AccessControl {
  /** Per-preview cookie name: several previews on one host (different ports) must not overwrite each other's cookie. */
  readonly cookieName: string;

  private ownerDigest: Buffer;
  private shareDigest: Buffer;

  constructor(private tokens: Tokens) {
    this.ownerDigest = digest(tokens.ownerToken);
    this.shareDigest = digest(tokens.shareToken);
    this.cookieName = `mp_share_${this.ownerDigest.toString('hex').slice(0, 8)}`;
  }

  get shareToken(): string {
    return this.tokens.shareToken;
  }

  get ownerToken(): string {
    return this.tokens.ownerToken;
  }

  /** Replaces the share token: the old link stops working at once. */
  rotateShareToken(): Tokens {
    this.tokens = { ...this.tokens, shareToken: newToken() };
    this.shareDigest = digest(this.tokens.shareToken);
    return this.tokens;
  }

  /** The highest level a request proves, if any. */
  levelOf(req: Request): AccessLevel | undefined {
    return this.levelOfCredentials(req.headers.authorization, req.headers.cookie, typeof req.query.t === 'string' ? req.query.t : undefined);
  }

  /** The same check on raw header values, for the inference fast path that runs before express. */
  levelOfCredentials(authorization: string | undefined, cookieHeader: string | undefined, queryToken?: string): AccessLevel | undefined {
    const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null; // the scheme is case-insensitive (RFC 9110)
    if (bearer) {
      const presented = digest(bearer[1]);
      if (timingSafeEqual(presented, this.ownerDigest)) return 'owner';
      if (timingSafeEqual(presented, this.shareDigest)) return 'share';
      return undefined;
    }
    const fromCookie = cookieHeader ? parseCookies(cookieHeader)[this.cookieName] : undefined;
    for (const token of [queryToken, fromCookie]) {
      if (token !== undefined && timingSafeEqual(digest(token), this.shareDigest)) return 'share';
    }
    return undefined;
  }

  /** Middleware: 401 unless the request proves at least `level`. */
  require(level: AccessLevel) {
    return (req: Request, _res: Response, next: NextFunction): void => {
      const has = this.levelOf(req);
      if (has === 'owner' || (has === 'share' && level === 'share')) return next();
      next(new HttpError(401, level === 'owner'
        ? 'this needs the owner token (Authorization: Bearer <owner token>)'
        : 'a valid share link or token is required (open the share link again, or send Authorization: Bearer <token>)'));
    };
  }
}
