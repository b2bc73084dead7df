import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { inviteNameProblem, type InviteInfo, type InviteList, type InviteRequest } from '../../shared/invites';
import { inviteRateLimitsProblem, linkPasswordProblem, type InviteRateLimits } from '../../shared/link-policy';
import { writeDataGitignore } from '../store/data-gitignore';
import { newToken, type InviteKey } from './access';
import { hashPassword, isPasswordHash } from './password-hash';

const FILE = 'invites.json';

/** One invite as stored in `invites.json`: never its token, only the token's sha256; never its password, only a scrypt hash. */
interface StoredInvite {
  name: string;
  digest: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastSeenAt?: string;
  /** The link's own password, hashed (password-hash.ts); absent: the preview's password, if it has one. */
  passwordHash?: string;
  /** The invite's own budgets; absent (or a field of it): the preview's. */
  rateLimits?: InviteRateLimits;
}

/** What `create` made: the token is shown once. */
export interface MadeInvite {
  token: string;
  expiresAt?: string;
  ownPassword: boolean;
  rateLimits?: InviteRateLimits;
}

interface StoredInvites {
  inviteOnly: boolean;
  invites: StoredInvite[];
}

/** A request about invites that cannot be done as asked (an unknown or taken name): the message says why and what to do. */
export class InviteError extends Error {
  override readonly name = 'InviteError';
  constructor(message: string, readonly kind: 'invalid' | 'unknown' | 'taken') {
    super(message);
  }
}

const sha256Hex = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Whether an entry of the file is an invite. One whose password hash or limits are damaged is left out (its link
 * answers 401) rather than let in without its password or with the preview's limits.
 */
function isStoredInvite(x: unknown): x is StoredInvite {
  const i = x as Partial<StoredInvite> | null;
  return typeof i?.name === 'string' && typeof i.digest === 'string' && /^[0-9a-f]{64}$/.test(i.digest) && typeof i.createdAt === 'string'
    && (i.passwordHash === undefined || isPasswordHash(i.passwordHash)) && (i.rateLimits === undefined || inviteRateLimitsProblem(i.rateLimits) === null);
}

/**
 * The named reviewers of one data folder, in `invites.json` (mode 0600, kept out of git like tokens.json). The
 * running server and the CLI (when no server runs) both edit it through this class; each change is written whole to a
 * temporary file and renamed, so a crash never leaves half a file. A revoked invite stays listed (so its holder is told
 * it was withdrawn, and the owner sees who had one) until a new invite takes its name.
 */
export class InviteBook {
  /** Changes run one after another: each reads the state the one before left, and no two write the file at once. */
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly dataDir: string, private state: StoredInvites, private readonly now: () => number) {}

  static async open(dataDir: string, now: () => number = Date.now): Promise<InviteBook> {
    let state: StoredInvites = { inviteOnly: false, invites: [] };
    try {
      const saved = JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as Partial<StoredInvites>;
      state = { inviteOnly: saved.inviteOnly === true, invites: Array.isArray(saved.invites) ? saved.invites.filter(isStoredInvite) : [] };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
    }
    return new InviteBook(dataDir, state, now);
  }

  get inviteOnly(): boolean {
    return this.state.inviteOnly;
  }

  /** What access control checks tokens against. */
  keys(): InviteKey[] {
    return this.state.invites.map((i) => ({
      name: i.name, digest: i.digest, expiresAt: i.expiresAt, revoked: i.revokedAt !== undefined,
      ...(i.passwordHash !== undefined ? { passwordHash: i.passwordHash } : {}), ...(i.rateLimits !== undefined ? { rateLimits: i.rateLimits } : {}),
    }));
  }

  /**
   * A new invite; resolves with its token (shown once: only its digest is stored). A live invite's name is refused,
   * and so is a bad lifetime, password or limit: nothing is stored then.
   */
  create(request: InviteRequest): Promise<MadeInvite> {
    return this.serially(() => this.createNow(request));
  }

  private async createNow({ name, expiresInMs, password, rateLimits }: InviteRequest): Promise<MadeInvite> {
    const problem = inviteNameProblem(name);
    if (problem) throw new InviteError(`${problem}: ${JSON.stringify(name)}`, 'invalid');
    if (expiresInMs !== undefined && !(Number.isFinite(expiresInMs) && expiresInMs > 0)) throw new InviteError('expiresInMs: must be a positive number of milliseconds', 'invalid');
    const passwordProblem = password === undefined ? null : linkPasswordProblem(password);
    if (passwordProblem) throw new InviteError(`password: ${passwordProblem}`, 'invalid');
    const limitsProblem = rateLimits === undefined ? null : inviteRateLimitsProblem(rateLimits);
    if (limitsProblem) throw new InviteError(limitsProblem, 'invalid');
    const existing = this.state.invites.find((i) => i.name === name);
    if (existing && existing.revokedAt === undefined) {
      throw new InviteError(`${JSON.stringify(name)} already has an invite link; revoke it first to give them a new one`, 'taken');
    }
    const token = newToken();
    const now = this.now();
    // Only the fields given: `{}` limits are no limits of its own.
    const ownLimits = rateLimits === undefined ? undefined : Object.fromEntries(Object.entries(rateLimits).filter(([, v]) => v !== undefined)) as InviteRateLimits;
    const invite: StoredInvite = {
      name, digest: sha256Hex(token), createdAt: new Date(now).toISOString(),
      ...(expiresInMs !== undefined ? { expiresAt: new Date(now + expiresInMs).toISOString() } : {}),
      ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}),
      ...(ownLimits !== undefined && Object.keys(ownLimits).length > 0 ? { rateLimits: ownLimits } : {}),
    };
    await this.save({ ...this.state, invites: [...this.state.invites.filter((i) => i.name !== name), invite] });
    return { token, expiresAt: invite.expiresAt, ownPassword: invite.passwordHash !== undefined, ...(invite.rateLimits ? { rateLimits: invite.rateLimits } : {}) };
  }

  /** Withdraws an invite: its link answers 401 from the next request on. */
  revoke(name: string): Promise<void> {
    return this.serially(() => this.revokeNow(name));
  }

  private async revokeNow(name: string): Promise<void> {
    const invite = this.state.invites.find((i) => i.name === name);
    if (!invite) throw new InviteError(`no invite named ${JSON.stringify(name)}${this.namesHint()}`, 'unknown');
    if (invite.revokedAt !== undefined) return;
    await this.save({ ...this.state, invites: this.state.invites.map((i) => (i === invite ? { ...i, revokedAt: new Date(this.now()).toISOString() } : i)) });
  }

  setInviteOnly(inviteOnly: boolean): Promise<void> {
    return this.serially(() => this.setInviteOnlyNow(inviteOnly));
  }

  private async setInviteOnlyNow(inviteOnly: boolean): Promise<void> {
    if (inviteOnly !== this.state.inviteOnly) await this.save({ ...this.state, inviteOnly });
  }

  /** Keeps when each invite was last seen (the running server's count), for `invites` when no server runs. */
  recordLastSeen(lastSeen: (name: string) => number | undefined): Promise<void> {
    return this.serially(() => this.recordLastSeenNow(lastSeen));
  }

  private async recordLastSeenNow(lastSeen: (name: string) => number | undefined): Promise<void> {
    let changed = false;
    const invites = this.state.invites.map((i) => {
      const seen = lastSeen(i.name);
      if (seen === undefined) return i;
      const at = new Date(seen).toISOString();
      if (i.lastSeenAt !== undefined && i.lastSeenAt >= at) return i;
      changed = true;
      return { ...i, lastSeenAt: at };
    });
    if (changed) await this.save({ ...this.state, invites });
  }

  /** The list the owner sees: `feedback` counts the verified feedback of each name, `lastSeen` the running server's. */
  list(feedbackOf: (name: string) => number, lastSeen: (name: string) => number | undefined = () => undefined): InviteList {
    const now = this.now();
    return {
      inviteOnly: this.state.inviteOnly,
      invites: this.state.invites.map((i): InviteInfo => {
        const seen = lastSeen(i.name);
        const lastSeenAt = seen !== undefined ? new Date(seen).toISOString() : i.lastSeenAt;
        return {
          name: i.name, createdAt: i.createdAt, expired: i.expiresAt !== undefined && now >= Date.parse(i.expiresAt),
          ...(i.expiresAt !== undefined ? { expiresAt: i.expiresAt } : {}),
          ...(i.revokedAt !== undefined ? { revokedAt: i.revokedAt } : {}),
          ...(lastSeenAt !== undefined ? { lastSeenAt } : {}),
          feedback: feedbackOf(i.name),
          ownPassword: i.passwordHash !== undefined,
          ...(i.rateLimits !== undefined ? { rateLimits: i.rateLimits } : {}),
        };
      }),
    };
  }

  private serially<T>(change: () => Promise<T>): Promise<T> {
    const done = this.changes.then(change);
    this.changes = done.catch(() => undefined);
    return done;
  }

  private namesHint(): string {
    const names = this.state.invites.map((i) => JSON.stringify(i.name));
    return names.length === 0 ? ' (there are no invites yet)' : ` (the invites are ${names.join(', ')})`;
  }

  private async save(next: StoredInvites): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    await writeDataGitignore(this.dataDir);
    const file = path.join(this.dataDir, FILE);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    await rename(temporary, file);
    this.state = next;
  }
}

export const invitesFile = (dataDir: string): string => path.join(dataDir, FILE);
