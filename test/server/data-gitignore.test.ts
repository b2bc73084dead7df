import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { saveTokens } from '../../src/core/server/token-store';
import { newKey, predictIris, sendFeedback } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview } from '../helpers/preview';

/** The data folder's files that `git status` would offer to commit (real git, a throwaway repository). */
function untracked(repo: string): string[] {
  return execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repo, encoding: 'utf8' })
    .split('\n').filter(Boolean).map((l) => l.slice(3)).sort();
}

/**
 * What stakeholders typed and uploaded must not be committed with the notebook by accident: the data folder's
 * .gitignore hides it by default, `keepFeedbackInGit` lets it be committed, and a user's own lines are never rewritten.
 */
describe('server: the data folder and git', function () {
  this.timeout(30_000);
  let repo: string;
  let dataDir: string;

  beforeEach(async () => {
    repo = await mkdtemp(path.join(os.tmpdir(), 'mp-git-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    dataDir = path.join(repo, '.model-preview');
  });
  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  async function useThePreview(keepFeedbackInGit?: boolean): Promise<void> {
    const preview = await startPreview(IRIS_MODEL, { dataDir, keepFeedbackInGit });
    const p = await predictIris(preview);
    assert.equal((await sendFeedback(preview, { predictionId: p.predictionId, rating: 'down', comment: 'my name is Dana', idempotencyKey: newKey() })).status, 201);
    await mkdir(path.join(dataDir, 'blobs'), { recursive: true });
    await writeFile(path.join(dataDir, 'blobs', 'abc.json'), '[1]');
    await writeFile(path.join(dataDir, 'feedback.jsonl.torn-2026-01-01T00-00-00-000Z'), '{"half');
    await preview.stop();
  }

  it('by default git sees nothing of the data folder: no predictions, feedback, blobs, tokens or torn lines', async () => {
    await useThePreview();
    assert.deepEqual(untracked(repo).filter((f) => f !== '.model-preview/.gitignore'), []);
  });

  it('with keepFeedbackInGit git sees predictions, feedback and blobs, and still not the tokens', async () => {
    await useThePreview(true);
    assert.deepEqual(untracked(repo), ['.model-preview/.gitignore', '.model-preview/blobs/abc.json', '.model-preview/feedback.jsonl', '.model-preview/predictions.jsonl']);
  });

  it("switching back and forth rewrites only model-preview's block; the user's own lines stay, in place", async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, '.gitignore'), '# mine\nnotes.txt\n');
    await useThePreview(true);
    await writeFile(path.join(dataDir, '.gitignore'), `${await readFile(path.join(dataDir, '.gitignore'), 'utf8')}!keep-me.txt\n`);
    await useThePreview(false);
    const text = await readFile(path.join(dataDir, '.gitignore'), 'utf8');
    assert.ok(text.startsWith('# mine\nnotes.txt\n\n# >>> model-preview'), text);
    assert.ok(text.endsWith('# <<< model-preview\n!keep-me.txt\n'), text);
    assert.equal(text.match(/# >>> model-preview/g)?.length, 1, 'one block, replaced in place');
    assert.match(text, /^\/feedback\.jsonl$/m);

    // A token rotation from the CLI (which does not know how the preview was started) keeps the chosen block.
    await useThePreview(true);
    const kept = await readFile(path.join(dataDir, '.gitignore'), 'utf8');
    await saveTokens(dataDir, { shareToken: 'a'.repeat(43), ownerToken: 'b'.repeat(43), shareIssuedAt: new Date().toISOString() });
    assert.equal(await readFile(path.join(dataDir, '.gitignore'), 'utf8'), kept);
  });

  it('a data folder that is the project root (--data-dir .) hides only its own files, not the project', async () => {
    dataDir = repo;
    await writeFile(path.join(repo, 'analysis.ipynb'), '{}');
    await useThePreview();
    assert.deepEqual(untracked(repo), ['.gitignore', 'analysis.ipynb']);
  });
});
