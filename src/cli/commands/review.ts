import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import { checkReviewFileSize, parseReviewFile, ReviewFileError } from '../../core/review/review-file';
import { ReviewSets } from '../../core/review/review-sets';
import { REVIEW_LIMITS, reviewFileFormat, type ReviewSetList } from '../../shared/review-set';
import { terminalSafe } from '../../shared/visible-text';
import { usingDataDir } from '../data-dir';
import { readOwnerToken, runningPreview } from '../../client/running-server';
import { DATA_DIR_OPTION, onPreview, requirePreview } from '../running-preview';

interface DataDirFlags {
  dataDir: string;
}

const say = (text: string) => process.stdout.write(text + '\n');

/** A ReviewFileError names the line; the message also names the file. */
async function checking<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ReviewFileError) throw new Error(`${file}: ${err.message} — nothing was added`);
    throw err;
  }
}

const casesOf = (n: number): string => `${n} case${n === 1 ? '' : 's'}`;

const listLines = (list: ReviewSetList): string =>
  (list.sets.length === 0 ? 'No review sets yet: model-preview review add <file.jsonl|file.csv>'
    : list.sets.map((s) => `${terminalSafe(s.name)}  ${casesOf(s.cases)}  added ${s.addedAt}${s.problem ? `  NOT OFFERED, it does not fit the model: ${terminalSafe(s.problem)}` : ''}`).join('\n'));

/**
 * `review add|list|remove`: the cases stakeholders are asked to look at. With the folder's preview running, a set is
 * added through its owner API, which checks it against the served model's inputs; with none running, the file is
 * checked on its own (every case must name the same inputs) and `serve` serves it next time.
 */
export function registerReview(program: Command): void {
  const review = program.command('review').description('review sets: cases you ask stakeholders to judge one by one in the page\'s Review mode');

  review
    .command('add')
    .description(`add a review set from a .jsonl or .csv file (at most ${REVIEW_LIMITS.bytes / 1024 / 1024} MB, ${REVIEW_LIMITS.cases} cases)`)
    .argument('<file>', 'the cases: JSON Lines ({"id"?, "inputs", "expected"?, "tags"?} per line) or CSV (a column per input, optional id, expected, tags)')
    .option('--name <name>', 'the set\'s name (default: the file\'s name without its extension)')
    .option(...DATA_DIR_OPTION)
    .action(async (file: string, flags: DataDirFlags & { name?: string }) => {
      const format = reviewFileFormat(file);
      await requirePreview(flags.dataDir);
      // Before reading it: a file far over the limit would otherwise reach the preview as a request body it refuses (413).
      await checking(file, async () => checkReviewFileSize((await stat(file)).size));
      const text = await readFile(file, 'utf8');
      const name = flags.name ?? path.basename(file, path.extname(file));
      const running = await runningPreview(flags.dataDir);
      if (running) {
        const list = await onPreview(running.server, running.owner.addReviewSet(name, format, text));
        say(`Added the review set ${terminalSafe(name)} (${casesOf(list.sets.find((s) => s.name === name)?.cases ?? 0)}): reviewers find it in the page's Review mode.`);
        return;
      }
      const cases = await checking(file, async () => parseReviewFile(text, format, { inputs: inputsOfFirstCase(text, format) }));
      const sets = await usingDataDir(flags.dataDir, () => ReviewSets.open(flags.dataDir));
      await checking(file, () => usingDataDir(flags.dataDir, () => sets.add(name, cases)));
      say(`Added the review set ${terminalSafe(name)} (${casesOf(cases.length)}). No preview of this folder is running: \`model-preview serve\` checks it against the model and serves it.`);
    });

  review
    .command('list')
    .description('list the review sets')
    .option(...DATA_DIR_OPTION)
    .action(async (flags: DataDirFlags) => {
      await requirePreview(flags.dataDir);
      const running = await runningPreview(flags.dataDir);
      say(listLines(running ? await onPreview(running.server, running.owner.reviewSets()) : (await ReviewSets.open(flags.dataDir)).list()));
    });

  review
    .command('owner-link')
    .description('print the link that opens the running preview\'s page as its owner, to upload review sets there (it holds the owner token: do not share it)')
    .option(...DATA_DIR_OPTION)
    .action(async (flags: DataDirFlags) => {
      await requirePreview(flags.dataDir);
      const running = await runningPreview(flags.dataDir);
      const ownerToken = await readOwnerToken(flags.dataDir);
      if (!running || !ownerToken) throw new Error(`no preview of ${flags.dataDir} is running: start it with \`model-preview serve\`, then ask again`);
      const link = await onPreview(running.server, running.owner.shareLink());
      // The fragment never leaves the browser: no server, tunnel or log sees the owner token (see src/page/owner-view.ts).
      say(`${link.shareUrl}#owner=${ownerToken}`);
      say('Open it yourself: the page shows "Upload review set (JSONL or CSV)". It holds your owner token, so do not share it; give people the share link.');
    });

  review
    .command('remove')
    .description('remove a review set (the feedback given on its cases stays)')
    .argument('<name>', 'the set\'s name (review list)')
    .option(...DATA_DIR_OPTION)
    .action(async (name: string, flags: DataDirFlags) => {
      await requirePreview(flags.dataDir);
      const running = await runningPreview(flags.dataDir);
      if (running) await onPreview(running.server, running.owner.removeReviewSet(name));
      else await checking(name, async () => (await ReviewSets.open(flags.dataDir)).remove(name));
      say(`Removed the review set ${terminalSafe(name)}. The feedback on its cases stays.`);
    });
}

/** With no model at hand, the first case's inputs are the signature every other case must match. */
function inputsOfFirstCase(text: string, format: 'jsonl' | 'csv'): string[] {
  if (format === 'csv') {
    const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    return [...new Set(header.split(',').map((c) => c.trim().replace(/^"|"$/g, '')).filter((c) => !['id', 'expected', 'tags'].includes(c)).map((c) => c.replace(/\[\d+\]$/, '')))];
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const inputs = (JSON.parse(line) as { inputs?: unknown }).inputs;
      return typeof inputs === 'object' && inputs !== null ? Object.keys(inputs) : [];
    } catch {
      return [];
    }
  }
  return [];
}
