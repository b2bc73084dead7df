import * as path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { InviteBook, InviteError } from '../../core/server/invite-book';
import { readJsonl } from '../../core/store/jsonl-reader';
import { parseLifetime } from '../../core/text/duration';
import { FEEDBACK_RECORD_LINES } from '../../shared/feedback-record';
import type { InviteList } from '../../shared/invites';
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

function inviteLines(list: InviteList): string[] {
  const lines = [list.inviteOnly ? 'Invite-only: the general share link is off.' : 'The general share link works too (turn it off with `model-preview invite-only on`).'];
  if (list.invites.length === 0) return [...lines, 'No invites yet: model-preview invite "<name>"'];
  for (const i of list.invites) {
    const state = i.revokedAt ? `revoked ${i.revokedAt}` : i.expired ? `expired ${i.expiresAt}` : i.expiresAt ? `expires ${i.expiresAt}` : 'active';
    const seen = i.lastSeenAt ? `last seen ${i.lastSeenAt}` : 'never seen';
    lines.push(`${terminalSafe(i.name)}  ${state}  ${seen}  ${i.feedback} feedback`);
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
    .action(async (name: string, flags: DataDirFlags & { expires?: number }) => {
      await requirePreview(flags.dataDir);
      const request = { name, ...(flags.expires !== undefined ? { expiresInMs: flags.expires } : {}) };
      const running = await runningPreview(flags.dataDir);
      if (running) {
        const made = await onPreview(running.server, running.owner.createInvite(request));
        say(`Invitation link for ${terminalSafe(made.name)}:\n${made.link}\n${made.expiresAt ? `It expires ${made.expiresAt}. ` : ''}It is shown only now: send it to them (revoke it with \`model-preview revoke ${JSON.stringify(made.name)}\`).`);
        return;
      }
      const made = await editing(flags.dataDir, (book) => book.create(name, request.expiresInMs));
      say(`No preview of this folder is running. ${terminalSafe(name)}'s invitation works once \`model-preview serve\` runs: their link is the preview's address with\n?t=${made.token}\n${made.expiresAt ? `It expires ${made.expiresAt}. ` : ''}It is shown only now.`);
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

