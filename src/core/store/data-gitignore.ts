import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The data folder's `.gitignore`. The folder usually sits inside the notebook's repository, and what it holds is not
 * the data scientist's to publish: what stakeholders typed and uploaded (possibly personal data), and the access
 * tokens. So by default all of it stays out of git; `--keep-feedback-in-git` (VS Code: `modelPreview.keepFeedbackInGit`)
 * lets predictions, feedback and their blobs be committed while the tokens still are not.
 *
 * Only model-preview's own block, between its two marker lines, is ever rewritten: a line the user added outside it
 * is kept as it is, in its place (so a user's `!feedback.jsonl` after the block still wins). Names are anchored with a
 * leading `/`, so a data folder that is the project root (`--data-dir .`) hides only these files, not everything.
 */
const BEGIN = '# >>> model-preview';
const END = '# <<< model-preview';
const ALWAYS = ['/tokens.json', '/tokens.json.*.tmp', '/invites.json', '/invites.json.*.tmp', '/server.json', '/server.json.*', '/server.log', '/address.json', '/address.json.*.tmp', '/*.jsonl.torn-*'];
const STAKEHOLDER_DATA = ['/predictions.jsonl', '/feedback.jsonl', '/regressions.jsonl', '/blobs/'];

function block(keepFeedbackInGit: boolean): string[] {
  return keepFeedbackInGit
    ? [
      `${BEGIN} (rewritten at each start; your own lines outside this block are kept)`,
      '# The access tokens and the running server\'s address stay out of git. Predictions and feedback are committed',
      '# (serve --keep-feedback-in-git, or the VS Code setting modelPreview.keepFeedbackInGit).',
      ...ALWAYS, END,
    ]
    : [
      `${BEGIN} (rewritten at each start; your own lines outside this block are kept)`,
      '# What stakeholders typed and uploaded (possibly personal data) and the access tokens stay out of git. To commit',
      '# predictions and feedback with the notebook: serve --keep-feedback-in-git, or modelPreview.keepFeedbackInGit.',
      ...ALWAYS, ...STAKEHOLDER_DATA, END,
    ];
}

/**
 * Writes model-preview's block into `<dataDir>/.gitignore`. With a choice, the block says that choice (replacing a
 * block with the other one). Without one (a token rotation from the CLI, which does not know how the preview was
 * started), an existing block is left as it is and a missing one is written with the default: out of git.
 */
export async function writeDataGitignore(dataDir: string, choice?: { keepFeedbackInGit: boolean }): Promise<void> {
  const file = path.join(dataDir, '.gitignore');
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const lines = existing === '' ? [] : existing.replace(/\r?\n$/, '').split(/\r?\n/);
  const begin = lines.findIndex((l) => l.startsWith(BEGIN));
  const end = begin < 0 ? -1 : lines.indexOf(END, begin);
  if (begin >= 0 && end >= 0 && choice === undefined) return;
  const wanted = block(choice?.keepFeedbackInGit ?? false);
  const next = begin >= 0 && end >= 0
    ? [...lines.slice(0, begin), ...wanted, ...lines.slice(end + 1)]
    : [...lines, ...(lines.length > 0 ? [''] : []), ...wanted];
  const text = next.join(eol) + eol;
  if (text === existing) return;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, text);
}
