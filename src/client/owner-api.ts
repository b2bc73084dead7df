import type * as z from 'zod/mini';
import { FEEDBACK_RECORD_LINES, FeedbackStatsSchema, type FeedbackRecord, type FeedbackStats } from '../shared/feedback-record';
import { parseJson, parseJsonLines } from '../shared/json-lines';
import { ShareLinkInfoSchema, type ShareLinkInfo } from '../shared/share-link';
import { RegressionReportsSchema, type RegressionReports } from '../shared/regression';
import { ReviewSetListSchema, type ReviewSetList } from '../shared/review-set';
import { InviteCreatedSchema, InviteListSchema, type InviteCreated, type InviteList, type InviteRequest } from '../shared/invites';
import { ServerStatusSchema, StopAnswerSchema, type ServerStatus } from '../shared/server-info';
import { firstProblem } from './server-messages';

/** Where a running preview answers and the token that opens its owner routes (never in the share link). */
export interface OwnerConnection {
  /** The server's base URL, e.g. `http://127.0.0.1:41234/` (the ready event's and server.json's `localUrl`). */
  baseUrl: string;
  ownerToken: string;
  /** Each request gives up after this (default 10 s). */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Every owner-token call of a running preview, as the extension and the CLI make them: each answer is checked with
 * its schema in `src/shared/` before anything trusts a field, and every failure says which call failed and why
 * ("rotating the share link (POST /api/share-link/rotate) failed: ECONNREFUSED (is the preview server still running?)").
 */
export class OwnerApi {
  private readonly requestTimeoutMs: number;

  constructor(private readonly connection: OwnerConnection) {
    this.requestTimeoutMs = connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Every feedback record (`GET /api/feedback?format=jsonl`). A line that is not a valid record is skipped with `warn`. */
  async feedback(warn: (message: string) => void): Promise<FeedbackRecord[]> {
    const text = await this.request('GET', 'api/feedback?format=jsonl', 'reading the feedback (GET /api/feedback)');
    return parseJsonLines(text, { source: 'the feedback export', warn, check: FEEDBACK_RECORD_LINES });
  }

  /** Counts per model version (`GET /api/stats`). */
  async stats(): Promise<FeedbackStats> {
    return this.checked('GET', 'api/stats', 'reading the feedback stats (GET /api/stats)', FeedbackStatsSchema);
  }

  /** The share link as it is now (`GET /api/share-link`). */
  async shareLink(): Promise<ShareLinkInfo> {
    return this.checked('GET', 'api/share-link', 'reading the share link (GET /api/share-link)', ShareLinkInfoSchema);
  }

  /** A new share link: the old one answers 401 at once (`POST /api/share-link/rotate`). */
  async rotateShareLink(): Promise<ShareLinkInfo> {
    return this.checked('POST', 'api/share-link/rotate', 'rotating the share link (POST /api/share-link/rotate)', ShareLinkInfoSchema);
  }

  /** The server process: pid, instance id, model, every link (`GET /api/server`). */
  async server(): Promise<ServerStatus> {
    return this.checked('GET', 'api/server', 'reading the server status (GET /api/server)', ServerStatusSchema);
  }

  /**
   * Asks the server to stop (`POST /api/server/stop`): it answers, then finishes requests in flight, flushes its files,
   * frees its port and exits. Resolves with its pid once it said so; wait for the port yourself.
   */
  async stopServer(): Promise<number> {
    return (await this.checked('POST', 'api/server/stop', 'stopping the server (POST /api/server/stop)', StopAnswerSchema)).pid;
  }

  /** The named reviewers, their last seen and feedback counts, and whether the share link is off (`GET /api/invites`). */
  async invites(): Promise<InviteList> {
    return this.checked('GET', 'api/invites', 'listing the invites (GET /api/invites)', InviteListSchema);
  }

  /** A reviewer's own link (`POST /api/invites`): the only answer that holds its token. */
  async createInvite(request: InviteRequest): Promise<InviteCreated> {
    return this.checked('POST', 'api/invites', `inviting ${JSON.stringify(request.name)} (POST /api/invites)`, InviteCreatedSchema, request);
  }

  /** Withdraws an invite: its link answers 401 before this resolves (`POST /api/invites/<name>/revoke`). */
  async revokeInvite(name: string): Promise<InviteList> {
    return this.checked('POST', `api/invites/${encodeURIComponent(name)}/revoke`, `revoking ${JSON.stringify(name)}'s invite (POST /api/invites/<name>/revoke)`, InviteListSchema);
  }

  /** Turns the general share link off (invited reviewers only) or on again (`POST /api/invite-only`). */
  async setInviteOnly(inviteOnly: boolean): Promise<InviteList> {
    return this.checked('POST', 'api/invite-only', `turning invite-only mode ${inviteOnly ? 'on' : 'off'} (POST /api/invite-only)`, InviteListSchema, { inviteOnly });
  }

  /** "Is it fixed now?": the regression replay's report per version loaded, oldest first (`GET /api/regressions`). */
  async regressions(): Promise<RegressionReports> {
    return this.checked('GET', 'api/regressions', 'reading the regression replays (GET /api/regressions)', RegressionReportsSchema);
  }

  /** The review sets (`GET /api/review-sets`). */
  async reviewSets(): Promise<ReviewSetList> {
    return this.checked('GET', 'api/review-sets', 'listing the review sets (GET /api/review-sets)', ReviewSetListSchema);
  }

  /** Adds a review set, checked against the served model's inputs (`POST /api/review-sets`); stored whole or not at all. */
  async addReviewSet(name: string, format: 'jsonl' | 'csv', text: string): Promise<ReviewSetList> {
    return this.checked('POST', 'api/review-sets', `adding the review set ${JSON.stringify(name)} (POST /api/review-sets)`, ReviewSetListSchema, { name, format, text });
  }

  async removeReviewSet(name: string): Promise<ReviewSetList> {
    return this.checked('POST', `api/review-sets/${encodeURIComponent(name)}/remove`, `removing the review set ${JSON.stringify(name)} (POST /api/review-sets/<name>/remove)`, ReviewSetListSchema);
  }

  private async checked<T>(method: 'GET' | 'POST', urlPath: string, what: string, schema: z.ZodMiniType<T>, body?: unknown): Promise<T> {
    const text = await this.request(method, urlPath, what, body);
    const answer = schema.safeParse(parseJson(text));
    if (!answer.success) throw new Error(`${what} failed: the answer is not what this client expects (${firstProblem(answer.error)}): ${excerpt(text)}`);
    return answer.data;
  }

  /** An owner-token request; resolves with the answer's text. Errors say what failed and why. */
  private async request(method: 'GET' | 'POST', urlPath: string, what: string, body?: unknown): Promise<string> {
    const url = new URL(urlPath, this.connection.baseUrl);
    const headers: Record<string, string> = { authorization: `Bearer ${this.connection.ownerToken}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(url, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      const text = await res.text();
      if (!res.ok) throw new RefusedRequest(res.status, serverMessage(text));
      return text;
    } catch (err) {
      const refused = err instanceof RefusedRequest ? err : undefined;
      throw new OwnerApiError(`${what} failed: ${this.describeRequestError(err as Error)}`, refused?.status, refused?.serverMessage || undefined, err);
    }
  }

  private describeRequestError(err: Error): string {
    if (err.name === 'TimeoutError') return `no answer within ${this.requestTimeoutMs} ms`;
    // fetch says only "fetch failed"; the reason (ECONNREFUSED: the server is gone) is its cause
    const cause = err.cause as NodeJS.ErrnoException | undefined;
    if (err.message === 'fetch failed' && cause) return cause.code ? `${cause.code} (is the preview server still running?)` : cause.message;
    return err.message;
  }
}

/**
 * An owner call that failed. When the server answered and refused, `status` and its own words (`serverMessage`, e.g.
 * "line 3: the cell starts with "="…") are kept apart, so a front end can show just what is wrong.
 */
export class OwnerApiError extends Error {
  constructor(message: string, readonly status?: number, readonly serverMessage?: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** The server's answer when it was not 2xx. */
class RefusedRequest extends Error {
  constructor(readonly status: number, readonly serverMessage: string) {
    super(`the server answered ${status}${serverMessage ? `: ${serverMessage}` : ''}`);
  }
}

/** The server's `{"error": "..."}` message, or the start of whatever it sent. */
function serverMessage(text: string): string {
  const value = parseJson(text);
  if (typeof value === 'object' && value !== null && 'error' in value && typeof value.error === 'string') return value.error;
  return text.trim() ? excerpt(text) : '';
}

function excerpt(text: string): string {
  const oneLine = text.trim().replace(/\s+/g, ' ');
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine;
}
