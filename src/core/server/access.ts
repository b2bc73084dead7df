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

// Comparing digests keeps the comparison constant-time even when the lengths differ.
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const sameToken = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

export class AccessControl {
  /** Per-preview cookie name: several previews on one host (different ports) must not overwrite each other's cookie. */
  readonly cookieName: string;

  constructor(private tokens: Tokens) {
    this.cookieName = `mp_share_${digest(tokens.ownerToken).toString('hex').slice(0, 8)}`;
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
    return this.tokens;
  }

  /** The highest level a request proves, if any. */
  levelOf(req: Request): AccessLevel | undefined {
    const header = req.headers.authorization;
    const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null; // the scheme name is case-insensitive (RFC 9110)
    if (bearer) {
      const token = bearer[1];
      if (sameToken(token, this.tokens.ownerToken)) return 'owner';
      if (sameToken(token, this.tokens.shareToken)) return 'share';
      return undefined;
    }
    const fromQuery = typeof req.query.t === 'string' ? req.query.t : undefined;
    const fromCookie = req.headers.cookie ? parseCookies(req.headers.cookie)[this.cookieName] : undefined;
    for (const token of [fromQuery, fromCookie]) {
      if (token !== undefined && sameToken(token, this.tokens.shareToken)) return 'share';
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
