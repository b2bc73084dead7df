import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FeedbackStore } from '../../src/core/feedback/feedback-store';
import type { PredictionRecord } from '../../src/core/feedback/prediction-log';
import { StorageError } from '../../src/core/store/storage-error';

const prediction: PredictionRecord = {
  predictionId: 'p-1', ts: '2026-11-30T00:00:00.000Z', model: 'iris', modelVersion: 'v1',
  inputs: { features: { datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] } },
  outputs: { logits: { datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] } }, timing: { inferenceMs: 1, totalMs: 2 },
};
const submission = { predictionId: 'p-1', rating: 'down' as const, comment: 'too short', idempotencyKey: 'key-00000001' };

/**
 * The feedback store when its file cannot be written. `/dev/full` is the kernel's own always-full device: every
 * write to it fails with ENOSPC, the real error a full disk gives, with no root needed.
 */
describe('FeedbackStore: a write that fails', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mp-store-'));
    file = path.join(dir, 'feedback.jsonl');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  (existsSync('/dev/full') ? it : it.skip)('rejects with a 507 StorageError, keeps nothing, and stores the retry (same key) once the disk takes writes again', async () => {
    const store = await FeedbackStore.open(dir, () => undefined);
    await symlink('/dev/full', file); // after the open's read (reading /dev/full never ends); the file opens at the first write
    const failed = await store.submit(submission, { prediction }).then(() => undefined, (err: unknown) => err);
    assert.ok(failed instanceof StorageError, String(failed));
    assert.equal(failed.code, 'ENOSPC');
    assert.equal(failed.status, 507);
    assert.match(failed.clientMessage, /^the preview owner's disk is full/);
    assert.doesNotMatch(failed.clientMessage, new RegExp(dir), 'no path of the owner in what the client is told');
    assert.match(failed.ownerMessage, /feedback\.jsonl/);
    assert.deepEqual(store.all(), [], 'a record that is not on disk is not served either');

    // The disk has room again (the file is an ordinary one now): the page's retry with the same key is stored, once.
    await unlink(file);
    await writeFile(file, '');
    const stored = await store.submit(submission, { prediction });
    assert.equal(stored.duplicate, false, 'the failed attempt did not reserve the key');
    const again = await store.submit(submission, { prediction });
    assert.deepEqual([again.duplicate, again.id], [true, stored.id]);
    await store.close();
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]).idempotencyKey, submission.idempotencyKey);
  });
});
