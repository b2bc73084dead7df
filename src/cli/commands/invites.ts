import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { InviteBook, InviteError } from '../../core/server/invite-book';
import { readJsonl } from '../../core/store/jsonl-reader';
import { parseLifetime } from '../../core/text/duration';
import { FEEDBACK_RECORD_LINES } from '../../shared/feedback-record';
import type { InviteList, InviteRequest } from '../../shared/invites';
import { linkPasswordProblem, type InviteRateLimits } from '../../shared/link-policy';
import { withoutBom } from '../../shared/without-bom';
import { wholeNumberFlag } from '../number-flags';
import { terminalSafe } from '../../shared/visible-text';
import { usingDataDir } from '../data-dir';
import { runningPreview } from '../../client/running-server';
import { DATA_DIR_OPTION, onPreview, requirePreview } from '../running-preview';

interface DataDirFlags {
  dataDir: string;
}

const say = (text: string) => process.stdout.write(text + '\n');


/** An InviteError from the book (no server running) reads like the server's own answer. */
async function editing<T>(dataDir: string, work: (book: InviteBook) => Promise<T>): Promise<T> {
  const book = await usingDataDir(dataDir, () => InviteBook.open(dataDir));
  try {
    return await usingDataDir(dataDir, () => work(book));
  } catch (err) {
    throw err instanceof InviteError ? new Error(err.message) : err;
  }
}

/** The invites of a folder whose preview is not running: counts from feedback.jsonl, last seen as the server last kept it. */
async function listFromFiles(dataDir: string): Promise<InviteList> {
  const book = await usingDataDir(dataDir, () => InviteBook.open(dataDir));
  const records = await readJsonl(path.join(dataDir, 'feedback.jsonl'), (m) => process.stderr.write(m + '\n'), FEEDBACK_RECORD_LINES);
  const verified = new Map<string, number>();
  for (const r of records) if (r.reviewerVerified && r.reviewer !== undefined) verified.set(r.reviewer, (verified.get(r.reviewer) ?? 0) + 1);
  return book.list((name) => verified.get(name) ?? 0);
}

interface InviteFlags extends DataDirFlags {
  expires?: number;
  password?: string;
  passwordFile?: string;
  rateLimitPredictions?: number;
  rateLimitFeedback?: number;
}

/**
 * The link's own password, from --password or --password-file (its first line: an editor's final newline is not part
 * of it), checked as serve checks its own. The error never quotes it.
 */
async function ownPassword(flags: InviteFlags): Promise<string | undefined> {
  let password = flags.password;
  let what = '--password';
  if (flags.passwordFile !== undefined) {
    what = `--password-file ${flags.passwordFile}`;
    try {
      password = withoutBom(await readFile(flags.passwordFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`${what}: cannot read it: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    if (password.includes('\n')) throw new Error(`${what}: the password must be the file's only line`);
  }
  const problem = password === undefined ? null : linkPasswordProblem(password);
  if (problem) throw new Error(`${what}: the password ${problem}`);
  return password;
}

/** What `invite` asks the preview (or the folder's book) for. */
async function inviteRequest(name: string, flags: InviteFlags): Promise<InviteRequest> {
  const password = await ownPassword(flags);
  const rateLimits: InviteRateLimits = {
    ...(flags.rateLimitPredictions !== undefined ? { predictionsPerMinute: flags.rateLimitPredictions } : {}),
    ...(flags.rateLimitFeedback !== undefined ? { feedbackPerMinute: flags.rateLimitFeedback } : {}),
  };
  return {
    name, ...(flags.expires !== undefined ? { expiresInMs: flags.expires } : {}), ...(password !== undefined ? { password } : {}),
    ...(Object.keys(rateLimits).length > 0 ? { rateLimits } : {}),
  };
}

const perMinute = (n: number | undefined, what: string): string | undefined => (n === undefined ? undefined : n === 0 ? `no ${what} limit` : `${n} ${what}/min`);

/** An invite's own limits in words ("the preview's" for a field it leaves out). */
function limitsText(limits: InviteRateLimits | undefined): string {
  if (!limits) return 'rate limits: the preview\'s';
  const own = [perMinute(limits.predictionsPerMinute, 'predictions'), perMinute(limits.feedbackPerMinute, 'feedback')].filter((t) => t !== undefined);
  const inherited = [limits.predictionsPerMinute === undefined ? 'predictions' : undefined, limits.feedbackPerMinute === undefined ? 'feedback' : undefined].filter((t) => t !== undefined);
  return `rate limits: ${own.join(', ')}${inherited.length > 0 ? ` (${inherited.join(' and ')} as the preview)` : ''}`;
}

/** What the link needs beyond itself, after it is made. */
const termsText = (made: { ownPassword: boolean; rateLimits?: InviteRateLimits }): string =>
  `${made.ownPassword ? 'It needs its own password (send it another way than the link). ' : ''}${made.rateLimits ? `Its ${limitsText(made.rateLimits)}. ` : ''}`;

function inviteLines(list: InviteList): string[] {
  const lines = [list.inviteOnly ? 'Invite-only: the general share link is off.' : 'The general share link works too (turn it off with `model-preview invite-only on`).'];
  if (list.invites.length === 0) return [...lines, 'No invites yet: model-preview invite "<name>"'];
  for (const i of list.invites) {
    const state = i.revokedAt ? `revoked ${i.revokedAt}` : i.expired ? `expired ${i.expiresAt}` : i.expiresAt ? `expires ${i.expiresAt}` : 'active';
    const seen = i.lastSeenAt ? `last seen ${i.lastSeenAt}` : 'never seen';
    lines.push(`${terminalSafe(i.name)}  ${state}  ${seen}  ${i.feedback} feedback  own password: ${i.ownPassword ? 'yes' : 'no'}  ${limitsText(i.rateLimits)}`);
  }
  return lines;
}

function lifetime(value: string): number | undefined {
  try {
    return parseLifetime(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/**
 * `invite`, `invites`, `revoke`, `invite-only`: named reviewers with their own links. With the folder's preview
 * running, each goes through its owner API (a revoked link answers 401 before the command returns); with none, the
 * folder's invites.json is edited and the next `serve` reads it.
 */
export function registerInvites(program: Command): void {
  program
    .command('invite')
    .description('give a named reviewer their own link: their feedback carries their name, verified')
    .argument('<name>', 'the reviewer\'s name, as their feedback will carry it')
    .option(...DATA_DIR_OPTION)
    .option('--expires <lifetime>', 'the link stops working after this, e.g. 2h or 7d (default: never)', lifetime)
    .addOption(new Option('--password <password>', 'this link needs this password instead of the preview\'s (at least 8 characters; a flag shows in ps: prefer --password-file)').conflicts('passwordFile'))
    .option('--password-file <file>', 'read this link\'s own password from the file (its only line)')
    .addOption(new Option('--rate-limit-predictions <n>', 'predictions per minute for this invite instead of the preview\'s, 0 for no limit').argParser(wholeNumberFlag(0, '--rate-limit-predictions')))
    .addOption(new Option('--rate-limit-feedback <n>', 'feedback per minute for this invite instead of the preview\'s, 0 for no limit').argParser(wholeNumberFlag(0, '--rate-limit-feedback')))
    .action(async (name: string, flags: InviteFlags) => {
      await requirePreview(flags.dataDir);
      const request = await inviteRequest(name, flags);
      const running = await runningPreview(flags.dataDir);
      if (running) {
        const made = await onPreview(running.server, running.owner.createInvite(request));
        say(`Invitation link for ${terminalSafe(made.name)}:\n${made.link}\n${made.expiresAt ? `It expires ${made.expiresAt}. ` : ''}${termsText(made)}It is shown only now: send it to them (revoke it with \`model-preview revoke ${JSON.stringify(made.name)}\`).`);
        return;
      }
      const made = await editing(flags.dataDir, (book) => book.create(request));
      say(`No preview of this folder is running. ${terminalSafe(name)}'s invitation works once \`model-preview serve\` runs: their link is the preview's address with\n?t=${made.token}\n${made.expiresAt ? `It expires ${made.expiresAt}. ` : ''}${termsText(made)}It is shown only now.`);
    });

  program
    .command('invites')
    .description('list the named reviewers: active, expired or revoked, last seen, feedback sent')
    .option(...DATA_DIR_OPTION)
    .option('--json', 'print the list as JSON')
    .action(async (flags: DataDirFlags & { json?: boolean }) => {
      await requirePreview(flags.dataDir);
      const running = await runningPreview(flags.dataDir);
      const list = running ? await onPreview(running.server, running.owner.invites()) : await listFromFiles(flags.dataDir);
      say(flags.json ? JSON.stringify(list) : inviteLines(list).join('\n'));
    });

  program
    .command('revoke')
    .description('withdraw a reviewer\'s link at once (the others keep working)')
    .argument('<name>', 'the name the invite was made for')
    .option(...DATA_DIR_OPTION)
    .action(async (name: string, flags: DataDirFlags) => {
      await requirePreview(flags.dataDir);
      const running = await runningPreview(flags.dataDir);
      if (running) await onPreview(running.server, running.owner.revokeInvite(name));
      else await editing(flags.dataDir, (book) => book.revoke(name));
      say(`${terminalSafe(name)}'s invitation link no longer works.`);
    });

  program
    .command('invite-only')
    .description('turn the general share link off (only invited reviewers get in) or on again')
    .argument('<on|off>', 'on: invited reviewers only; off: the share link works too')
    .option(...DATA_DIR_OPTION)
    .action(async (state: string, flags: DataDirFlags) => {
      if (state !== 'on' && state !== 'off') throw new InvalidArgumentError(`invite-only takes on or off, not ${JSON.stringify(state)}`);
      await requirePreview(flags.dataDir);
      const inviteOnly = state === 'on';
      const running = await runningPreview(flags.dataDir);
      if (running) await onPreview(running.server, running.owner.setInviteOnly(inviteOnly));
      else await editing(flags.dataDir, (book) => book.setInviteOnly(inviteOnly));
      say(inviteOnly ? 'Invite-only: the general share link now answers 401; invited reviewers keep their links.' : 'The general share link works again.');
    });
}

