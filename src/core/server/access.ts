import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { parse as parseCookies } from 'cookie';
import type { InviteRateLimits } from '../../shared/link-policy';
import { HttpError } from './http-error';
import { verifyPassword } from './password-hash';

/**
 * Who may do what. A tunnel delivers the public's requests from 127.0.0.1, so "it came from localhost" proves nothing:
 * every route but the health checks needs a token. The share token travels in the link (and is traded for a cookie);
 * the owner token never does — it is accepted only in an Authorization header, never from a URL or a cookie.
 * A share link can expire (410 after it) and can need a password (for tunnels with no access control of their own).
 */
export type AccessLevel = 'share' | 'owner';

/**
 * What a request proves: `locked` is the right share token without the link's password; `expired` is any request
 * but the owner's once the link has expired; `replaced` is a share token that was valid before the link was rotated
 * (or re-issued after it expired).
 */
export type AccessVerdict = AccessLevel | 'locked' | 'expired' | 'replaced' | 'none' | InviteVerdict;

/**
 * Refusals that concern invite links: `invite-only` is the general share link while the preview takes invited reviewers
 * only; `revoked` an invite link the owner withdrew; `invite-expired` one past its own expiry.
 */
export type InviteVerdict = 'invite-only' | 'revoked' | 'invite-expired';

/**
 * A named reviewer's own link, as access control knows it: only the sha256 of its token is kept (the owner sees the
 * token once, when it is made). See invite-book.ts.
 */
export interface InviteKey {
  name: string;
  /** sha256 of the token, hex. */
  digest: string;
  /** ISO 8601; undefined: the invite never expires. */
  expiresAt?: string;
  revoked?: boolean;
  /** The link's own password, as password-hash.ts stores it: it replaces the preview's for this link. */
  passwordHash?: string;
  /** The invite's own budgets, replacing the preview's for it. */
  rateLimits?: InviteRateLimits;
}

/** Where the share token came from. A cookie is the one a browser attaches by itself, also to requests another site makes it send. */
export type CredentialSource = 'bearer' | 'query' | 'cookie';

/**
 * What carried a password checked with the credentials: a program's header, or the unlock cookie (whose value a
 * guesser can compute for each guess). The page's form is checked by its own route.
 */
export type PasswordCarrier = 'header' | 'cookie';

/** What a request's credentials prove, where its share token came from, and the password it carried, if one was checked. */
export interface Credentials {
  verdict: AccessVerdict;
  source?: CredentialSource;
  /** The name of the invite whose link the request came through (the reviewer the owner named). */
  invite?: string;
  /** That invite's own budgets (RateLimits.consume). */
  inviteLimits?: InviteRateLimits;
  password?: { correct: boolean; carrier: PasswordCarrier };
  /**
   * A header password for an invite with its own password that was not seen right before: only its slow hash can
   * tell, which `checkInvitePassword` computes off the event loop. Until then the verdict is `locked`.
   */
  uncheckedPassword?: string;
}

export interface Tokens {
  shareToken: string;
  ownerToken: string;
  /** When the share token was issued (ISO 8601): the link expires a fixed time after it. */
  shareIssuedAt: string;
  /**
   * sha256 (hex) of the share tokens this link replaced, oldest first: a replaced link's holder is told so (and to
   * ask for the new one) rather than that their link is wrong. Only digests are kept, never the old tokens.
   */
  previousShareDigests?: string[];
}

/**
 * Slow password checks (an invite's own password, scrypt) that may run at once. Each takes about 0.1 s of a libuv
 * thread, which file writes share: a burst of guesses, all let in before the first failure is counted, is answered
 * 429 beyond this instead of queueing hashes.
 */
const MAX_SLOW_PASSWORD_CHECKS = 2;

/** How many replaced share tokens are still recognised as such. */
const REMEMBERED_SHARE_TOKENS = 20;

export interface LinkPolicy {
  /** How long a share link lives after it is issued; undefined: for ever. */
  expiresMs?: number;
  /** A password the share link also needs (the page asks for it; programs send it as `X-Preview-Password`). */
  password?: string;
}

/** The header a program sends the link's password in (a Bearer share token already fills Authorization). */
export const PASSWORD_HEADER = 'x-preview-password';

/** 256 bits from the OS's CSPRNG, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

// Comparing digests keeps the comparison constant-time even when the lengths differ. The known tokens' digests are
// computed once; each request hashes only the token it presents.
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const matches = (presented: string | undefined, known: Buffer): boolean => presented !== undefined && timingSafeEqual(digest(presented), known);

// The common answers are shared objects: inspect() runs on every request, and the fast path allocates nothing it can avoid.
const OWNER: Credentials = Object.freeze({ verdict: 'owner' });
const EXPIRED: Credentials = Object.freeze({ verdict: 'expired' });
const REPLACED: Credentials = Object.freeze({ verdict: 'replaced' });
const NONE: Credentials = Object.freeze({ verdict: 'none' });
const byCredentialSource = (verdict: AccessVerdict): Record<CredentialSource, Credentials> => ({
  bearer: Object.freeze({ verdict, source: 'bearer' }), query: Object.freeze({ verdict, source: 'query' }), cookie: Object.freeze({ verdict, source: 'cookie' }),
});
const SHARE = byCredentialSource('share');
const LOCKED = byCredentialSource('locked');
const INVITE_ONLY: Credentials = Object.freeze({ verdict: 'invite-only' });
const REVOKED: Credentials = Object.freeze({ verdict: 'revoked' });
const INVITE_EXPIRED: Credentials = Object.freeze({ verdict: 'invite-expired' });

interface KnownInvite {
  name: string;
  expiresAtMs?: number;
  revoked: boolean;
  password?: InvitePassword;
  rateLimits?: InviteRateLimits;
}

/**
 * An invite's own password as access control holds it: its stored hash (slow to check), the unlock cookie's value for
 * the link (a MAC of the token's digest under that hash: right only for this link and this password), and the sha256
 * of the password once it was seen right, so that a program sending it with each request costs one hash, not one each.
 */
interface InvitePassword {
  hash: string;
  unlockValue: string;
  unlockDigest: Buffer;
  seenRight?: Buffer;
}

/** Where the owner token is, for the 401 that asks for it (no absolute path: anyone reaching the port reads this). */
export const OWNER_TOKEN_REQUIRED = 'this needs the owner token (Authorization: Bearer <owner token>); the owner finds it in '
  + 'tokens.json in the preview\'s data folder (serve --data-dir, .model-preview by default) or in the "ready" line of serve --json';

export class AccessControl {
  /** Per-preview cookie names: several previews on one host (different ports) must not overwrite each other's cookie. */
  readonly cookieName: string;
  readonly unlockCookieName: string;

  private ownerDigest: Buffer;
  private shareDigest!: Buffer;
  private previousShareDigests: Buffer[] = [];
  private unlockDigest?: Buffer;
  /** Computed when the share token changes, not on every request's check. */
  private expiresAtMs?: number;
  private passwordDigest?: Buffer;
  /** Invites by the hex sha256 of their token: a presented token is hashed once and looked up. */
  private invites = new Map<string, KnownInvite>();
  private invitesByName = new Map<string, KnownInvite>();
  private inviteOnlyMode = false;
  /** When each invite was last used (ms since the epoch), by name: the owner's "last seen". */
  private readonly inviteSeenAt = new Map<string, number>();
  private slowPasswordChecks = 0;

  constructor(private tokens: Tokens, private readonly policy: LinkPolicy = {}, private readonly now: () => number = Date.now) {
    this.ownerDigest = digest(tokens.ownerToken);
    this.passwordDigest = policy.password ? digest(policy.password) : undefined;
    this.cookieName = `mp_share_${this.ownerDigest.toString('hex').slice(0, 8)}`;
    this.unlockCookieName = `mp_unlock_${this.ownerDigest.toString('hex').slice(0, 8)}`;
    this.adoptShareToken();
  }

  get shareToken(): string {
    return this.tokens.shareToken;
  }

  get ownerToken(): string {
    return this.tokens.ownerToken;
  }

  get currentTokens(): Tokens {
    return this.tokens;
  }

  /** When the current share link stops working (ms since the epoch), or undefined when it never does. */
  get expiresAt(): number | undefined {
    return this.expiresAtMs;
  }

  get expired(): boolean {
    const at = this.expiresAt;
    return at !== undefined && this.now() >= at;
  }

  get passwordRequired(): boolean {
    return this.passwordDigest !== undefined;
  }

  /** Replaces the share token (and restarts its expiry): the old link stops working at once, and is remembered by its digest. */
  rotateShareToken(): Tokens {
    const previous = [...(this.tokens.previousShareDigests ?? []), digest(this.tokens.shareToken).toString('hex')].slice(-REMEMBERED_SHARE_TOKENS);
    this.tokens = { ...this.tokens, shareToken: newToken(), shareIssuedAt: new Date(this.now()).toISOString(), previousShareDigests: previous };
    this.adoptShareToken();
    return this.tokens;
  }

  /** True for the current share token, whatever the expiry and password say. */
  isShareToken(token: string): boolean {
    return matches(token, this.shareDigest);
  }

  /**
   * Whether a link's `?t=` may be traded for the page's cookie: the share token (unless the preview takes invited
   * reviewers only), or an invite's token that is neither revoked nor expired.
   */
  isLinkToken(token: string): boolean {
    if (this.isShareToken(token)) return !this.inviteOnlyMode;
    const invite = this.invites.get(digest(token).toString('hex'));
    return invite !== undefined && !invite.revoked && !this.inviteExpired(invite);
  }

  /**
   * The link token a request presented, by the same precedence as `inspect` (a Bearer token, else `?t=`, else the
   * page's cookie): for answers that hand a program the token the visitor already holds.
   */
  presentedToken(req: Request): string | undefined {
    const bearer = req.headers.authorization ? /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization) : null;
    if (bearer) return bearer[1];
    if (typeof req.query.t === 'string') return req.query.t;
    return req.headers.cookie ? parseCookies(req.headers.cookie)[this.cookieName] : undefined;
  }

  /** The invites and the mode the owner set (invite-book.ts): takes effect on the next request, also for open pages. */
  adoptInvites(keys: readonly InviteKey[], inviteOnly: boolean): void {
    const invites = new Map<string, KnownInvite>();
    const byName = new Map<string, KnownInvite>();
    for (const key of keys) {
      const expiresAtMs = key.expiresAt === undefined ? undefined : Date.parse(key.expiresAt);
      const invite: KnownInvite = { name: key.name, expiresAtMs, revoked: key.revoked === true, ...(key.rateLimits ? { rateLimits: key.rateLimits } : {}) };
      if (key.passwordHash !== undefined) {
        const unlockValue = createHmac('sha256', key.passwordHash).update(`invite-unlock\u0000${key.digest}`).digest('base64url');
        // A password already seen right stays so while the invite keeps it.
        const before = this.invites.get(key.digest)?.password;
        invite.password = { hash: key.passwordHash, unlockValue, unlockDigest: digest(unlockValue), ...(before?.hash === key.passwordHash && before.seenRight ? { seenRight: before.seenRight } : {}) };
      }
      invites.set(key.digest, invite);
      byName.set(key.name, invite);
    }
    this.invites = invites;
    this.invitesByName = byName;
    this.inviteOnlyMode = inviteOnly;
  }

  /** The owner just gave this invite its password (in clear, once): its holder's first request needs no slow hash. */
  rememberInvitePassword(name: string, password: string): void {
    const own = this.invitesByName.get(name)?.password;
    if (own) own.seenRight = digest(password);
  }

  get inviteOnly(): boolean {
    return this.inviteOnlyMode;
  }

  /** When the invite of this name was last used since the server started (ms since the epoch). */
  inviteLastSeen(name: string): number | undefined {
    return this.inviteSeenAt.get(name);
  }

  checkPassword(candidate: string): boolean {
    return this.passwordDigest !== undefined && matches(candidate, this.passwordDigest);
  }

  /** Whether the link a request came through needs a password: an invite's own, else the preview's. */
  passwordRequiredFor(invite: string | undefined): boolean {
    return (invite !== undefined && this.invitesByName.get(invite)?.password !== undefined) || this.passwordRequired;
  }

  /**
   * Checks a password typed for the link a request came through (the page's form): an invite's own password when it
   * has one (a slow hash unless seen right before), else the preview's. Rejects with 429 while too many slow checks
   * run at once (MAX_SLOW_PASSWORD_CHECKS): nothing is counted against the guessing budgets then.
   */
  async checkLinkPassword(invite: string | undefined, candidate: string): Promise<boolean> {
    const own = invite === undefined ? undefined : this.invitesByName.get(invite)?.password;
    if (!own) return this.checkPassword(candidate);
    if (own.seenRight && matches(candidate, own.seenRight)) return true;
    if (this.slowPasswordChecks >= MAX_SLOW_PASSWORD_CHECKS) {
      throw new HttpError(429, 'too many passwords are being checked at once; try again in 1 s', { 'Retry-After': '1' });
    }
    this.slowPasswordChecks++;
    try {
      const correct = await verifyPassword(candidate, own.hash);
      if (correct) own.seenRight = digest(candidate);
      return correct;
    } finally {
      this.slowPasswordChecks--;
    }
  }

  /** The unlock cookie's value for the link a request came through: its invite's own, else the share link's. */
  unlockCookieValueFor(invite: string | undefined): string | undefined {
    return (invite === undefined ? undefined : this.invitesByName.get(invite)?.password?.unlockValue) ?? this.unlockCookieValue;
  }

  /**
   * Settles credentials with an `uncheckedPassword` (an invite's own password in a header): the slow hash, off the
   * event loop. Credentials without one are returned as they are.
   */
  async checkInvitePassword(credentials: Credentials): Promise<Credentials> {
    const { uncheckedPassword, invite, source } = credentials;
    if (uncheckedPassword === undefined || invite === undefined) return credentials;
    const correct = await this.checkLinkPassword(invite, uncheckedPassword);
    if (correct) this.inviteSeenAt.set(invite, this.now());
    return {
      verdict: correct ? 'share' : 'locked', source, invite, ...(credentials.inviteLimits ? { inviteLimits: credentials.inviteLimits } : {}),
      password: { correct, carrier: 'header' },
    };
  }

  /**
   * The unlock cookie's value: a MAC of the share token under the password. It proves the password was given for this
   * link without storing the password in the browser, and dies with the link when the token is rotated.
   */
  get unlockCookieValue(): string | undefined {
    return this.policy.password ? createHmac('sha256', this.policy.password).update(this.tokens.shareToken).digest('base64url') : undefined;
  }

  credentialsOf(req: Request): Credentials {
    return this.inspect(req.headers.authorization, req.headers.cookie, typeof req.query.t === 'string' ? req.query.t : undefined, req.headers[PASSWORD_HEADER]);
  }

  /** The highest level a request proves, if any. */
  levelOf(req: Request): AccessLevel | undefined {
    return levelOf(this.credentialsOf(req));
  }

  /** The same check on raw header values, for the inference fast path and the events socket, which run before express. */
  levelOfCredentials(authorization: string | undefined, cookieHeader: string | undefined, queryToken?: string, password?: string | string[]): AccessLevel | undefined {
    return levelOf(this.inspect(authorization, cookieHeader, queryToken, password));
  }

  /**
   * What the credentials prove. Pure: a password it checks is only reported (`password`), and the caller counts a
   * wrong one against the guessing budgets (see PasswordBudget). An unlock cookie that is right means the client has
   * unlocked already: the header is then not even checked.
   */
  inspect(authorization: string | undefined, cookieHeader: string | undefined, queryToken?: string, password?: string | string[]): Credentials {
    const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null; // the scheme is case-insensitive (RFC 9110)
    if (bearer && matches(bearer[1], this.ownerDigest)) return OWNER;
    const cookies = cookieHeader ? parseCookies(cookieHeader) : {};
    const shareCookie = cookies[this.cookieName];
    if (this.invites.size > 0) {
      const invited = this.inspectInvite(bearer ? [[bearer[1], 'bearer']] : [[queryToken, 'query'], [shareCookie, 'cookie']], cookies, password);
      if (invited) return invited;
    }
    if (this.expired) return EXPIRED;
    const source: CredentialSource | undefined = bearer ? (matches(bearer[1], this.shareDigest) ? 'bearer' : undefined)
      : matches(queryToken, this.shareDigest) ? 'query' : matches(shareCookie, this.shareDigest) ? 'cookie' : undefined;
    if (!source) return this.wasReplaced(bearer ? [bearer[1]] : [queryToken, shareCookie]) ? REPLACED : NONE;
    if (this.inviteOnlyMode) return INVITE_ONLY;
    return this.withPassword(source, cookies, password);
  }

  /**
   * The credentials of the first presented token that is an invite's (by precedence: a Bearer token alone, else the
   * link's `?t=` before the cookie); undefined when none is. An invite link lives by its own expiry, not the share
   * link's, and needs its own password when it has one, else the preview's like the share link.
   */
  private inspectInvite(presented: Array<[string | undefined, CredentialSource]>, cookies: Record<string, string | undefined>, password: string | string[] | undefined): Credentials | undefined {
    for (const [token, source] of presented) {
      if (token === undefined) continue;
      const invite = this.invites.get(digest(token).toString('hex'));
      if (!invite) continue;
      if (invite.revoked) return REVOKED;
      if (this.inviteExpired(invite)) return INVITE_EXPIRED;
      const credentials = invite.password ? this.withInvitePassword(invite.password, source, cookies, password) : this.withPassword(source, cookies, password);
      if (credentials.verdict === 'share') this.inviteSeenAt.set(invite.name, this.now());
      return { ...credentials, invite: invite.name, ...(invite.rateLimits ? { inviteLimits: invite.rateLimits } : {}) };
    }
    return undefined;
  }

  /**
   * An invite link with its own password: its unlock cookie, or the password in the header. A header password not
   * seen right before stays unchecked here (see `checkInvitePassword`). The share link's valid unlock cookie, which a
   * browser that opened both links still holds, is no guess: it is ignored rather than counted as a wrong password.
   */
  private withInvitePassword(own: InvitePassword, source: CredentialSource, cookies: Record<string, string | undefined>, password: string | string[] | undefined): Credentials {
    const unlockCookie = cookies[this.unlockCookieName];
    if (matches(unlockCookie, own.unlockDigest)) return SHARE[source];
    if (typeof password === 'string') {
      if (own.seenRight && matches(password, own.seenRight)) return { verdict: 'share', source, password: { correct: true, carrier: 'header' } };
      return { verdict: 'locked', source, password: { correct: false, carrier: 'header' }, uncheckedPassword: password };
    }
    const shareUnlock = this.unlockDigest !== undefined && matches(unlockCookie, this.unlockDigest);
    if (unlockCookie !== undefined && !shareUnlock) return { verdict: 'locked', source, password: { correct: false, carrier: 'cookie' } };
    return LOCKED[source];
  }

  private inviteExpired(invite: KnownInvite): boolean {
    return invite.expiresAtMs !== undefined && this.now() >= invite.expiresAtMs;
  }

  /**
   * A link token is right: what the password says. An unlock cookie that is right means the client has unlocked
   * already: the header is then not even checked.
   */
  private withPassword(source: CredentialSource, cookies: Record<string, string | undefined>, password: string | string[] | undefined): Credentials {
    if (!this.passwordDigest) return SHARE[source];
    const unlockCookie = cookies[this.unlockCookieName];
    if (matches(unlockCookie, this.unlockDigest!)) return SHARE[source];
    if (typeof password === 'string') {
      const correct = matches(password, this.passwordDigest);
      return { verdict: correct ? 'share' : 'locked', source, password: { correct, carrier: 'header' } };
    }
    if (unlockCookie !== undefined) return { verdict: 'locked', source, password: { correct: false, carrier: 'cookie' } };
    return LOCKED[source];
  }

  /** The error for credentials that do not prove `level`, saying what was wrong with them. */
  refusalOf(credentials: Credentials, level: AccessLevel): HttpError {
    const { verdict, password } = credentials;
    if (level === 'share' && verdict === 'locked' && password && !password.correct) {
      return new HttpError(401, password.carrier === 'cookie'
        ? 'this page was unlocked with a password that no longer works; open the share link again and type the current password'
        : `the password in the ${PASSWORD_HEADER} header is not right`);
    }
    return this.refusal(verdict, level);
  }

  refusal(verdict: AccessVerdict, level: AccessLevel): HttpError {
    if (level === 'owner') return new HttpError(401, OWNER_TOKEN_REQUIRED);
    if (verdict === 'expired') {
      return new HttpError(410, `this share link expired at ${new Date(this.expiresAt!).toISOString()}; ask the person who shared it for a new link`);
    }
    if (verdict === 'replaced') return new HttpError(401, 'this share link was replaced by a new one; ask the person who shared it for the new link');
    if (verdict === 'invite-only') return new HttpError(401, 'this preview takes invited reviewers only; ask the person who shared it for your own invitation link');
    if (verdict === 'revoked') return new HttpError(401, 'this invitation link was withdrawn; ask the person who invited you if you should still review');
    if (verdict === 'invite-expired') return new HttpError(410, 'this invitation link expired; ask the person who invited you for a new one');
    if (verdict === 'locked') return new HttpError(401, `this preview needs its password (programs send it in the ${PASSWORD_HEADER} header)`);
    return new HttpError(401, 'a valid share link or token is required (open the share link again, or send Authorization: Bearer <token>)');
  }

  /** Whether any presented token is one this link replaced (only their digests are kept). */
  private wasReplaced(presented: Array<string | undefined>): boolean {
    if (this.previousShareDigests.length === 0) return false;
    return presented.some((token) => {
      if (token === undefined) return false;
      const presentedDigest = digest(token);
      return this.previousShareDigests.some((known) => timingSafeEqual(presentedDigest, known));
    });
  }

  private adoptShareToken(): void {
    this.shareDigest = digest(this.tokens.shareToken);
    this.previousShareDigests = (this.tokens.previousShareDigests ?? []).map((hex) => Buffer.from(hex, 'hex')).filter((d) => d.length === 32);
    this.expiresAtMs = this.policy.expiresMs ? Date.parse(this.tokens.shareIssuedAt) + this.policy.expiresMs : undefined;
    const unlock = this.unlockCookieValue;
    this.unlockDigest = unlock === undefined ? undefined : digest(unlock);
  }
}

/** The level credentials grant, if any. */
export const levelOf = ({ verdict }: Credentials): AccessLevel | undefined => (verdict === 'owner' || verdict === 'share' ? verdict : undefined);
