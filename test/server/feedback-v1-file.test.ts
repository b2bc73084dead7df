import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { OwnerApi } from '../../src/client/owner-api';
import { newKey, predictIris, sendFeedback } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/**
 * A feedback.jsonl written by a server of schema version 1 (these two lines are what such a server wrote, field for
 * field): the new server loads it unchanged, serves it beside version 2 records, and counts it.
 */
const V1_LINES = [
  '{"schemaVersion":1,"id":"0b0e2a52-3d0f-4d7e-9a55-6a8e1b1c2d01","ts":"2026-10-01T09:00:00.000Z","model":"iris","modelVersion":"c19ee04a8f90",'
    + '"predictionId":"9a0e2a52-3d0f-4d7e-9a55-6a8e1b1c2d01","predicted":"virginica","inputs":{"features":{"datatype":"FP32","shape":[1,4],"data":[6.7,3,5.2,2.3]}},'
    + '"outputs":{"logits":{"datatype":"FP32","shape":[1,3],"data":[-3.1,0.4,2.9]}},"rating":"down","expected":"versicolor","comment":"petals short",'
    + '"reviewer":"Dana","userAgent":"Mozilla/5.0","idempotencyKey":"key-v1-first-0001"}',
  '{"schemaVersion":1,"id":"0b0e2a52-3d0f-4d7e-9a55-6a8e1b1c2d02","ts":"2026-10-01T09:01:00.000Z","model":"iris","modelVersion":"c19ee04a8f90",'
    + '"predictionId":"9a0e2a52-3d0f-4d7e-9a55-6a8e1b1c2d02","predicted":"setosa","inputs":{"features":{"datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}},'
    + '"outputs":{"logits":{"datatype":"FP32","shape":[1,3],"data":[3.2,0.1,-2.8]}},"rating":"up","idempotencyKey":"key-v1-second-002"}',
];

describe('server: a version 1 feedback file still loads', function () {
  this.timeout(20_000);
  let dataDir: string;
  let preview: Preview;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-feedback-v1-'));
    await writeFile(path.join(dataDir, 'feedback.jsonl'), V1_LINES.join('\n') + '\n');
    preview = await startPreview(IRIS_MODEL, { dataDir, watch: false });
  });
  after(async () => {
    await preview?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the version 1 lines byte for byte, appends version 2 after them, and the export and stats hold both', async () => {
    assert.deepEqual(preview.logs.filter((l) => l.includes('feedback.jsonl')), [], 'no warning about the old file');
    const p = await predictIris(preview);
    const res = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'down', reasons: ['other'], expected: 'setosa', idempotencyKey: newKey() });
    assert.equal(res.status, 201, res.text);
    const lines = (await readFile(path.join(dataDir, 'feedback.jsonl'), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 2), V1_LINES, 'the old lines are not rewritten');
    assert.equal(JSON.parse(lines[2]).schemaVersion, 2);

    const owner = new OwnerApi({ baseUrl: preview.baseUrl + '/', ownerToken: preview.ownerToken });
    const warnings: string[] = [];
    const records = await owner.feedback((m) => warnings.push(m));
    assert.deepEqual(warnings, []);
    assert.deepEqual(records.map((r) => r.schemaVersion), [1, 1, 2]);
    assert.equal(records[0].reviewer, 'Dana');
    assert.equal(records[0].reasons, undefined, 'a version 1 record has no reasons');

    const stats = await owner.stats();
    // The old lines are of the very version served now (iris's c19ee04a8f90): one group holds both schema versions.
    assert.equal(preview.session.card()!.version, 'c19ee04a8f90');
    const version = stats.versions.find((v) => v.modelVersion === 'c19ee04a8f90');
    assert.deepEqual({ count: version?.count, up: version?.up, down: version?.down, reasons: version?.reasons }, { count: 3, up: 1, down: 2, reasons: [{ reason: 'other', count: 1 }] });
  });

  it('a stored version 1 idempotency key stays a duplicate', async () => {
    const p = await predictIris(preview);
    const res = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'up', idempotencyKey: 'key-v1-second-002' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { id: '0b0e2a52-3d0f-4d7e-9a55-6a8e1b1c2d02', duplicate: true });
  });

  it('a line of an unknown schema version is skipped with a warning naming its line, the others load', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'mp-feedback-v9-'));
    await writeFile(path.join(other, 'feedback.jsonl'), `${V1_LINES[0]}\n${V1_LINES[1].replace('"schemaVersion":1', '"schemaVersion":9')}\n`);
    const later = await startPreview(IRIS_MODEL, { dataDir: other, watch: false });
    try {
      assert.ok(later.logs.some((l) => /feedback\.jsonl:2: skipped a line that is not a valid feedback record/.test(l)), JSON.stringify(later.logs));
      const exported = await later.get('/api/feedback?format=jsonl', later.ownerToken);
      assert.equal(exported.text.trimEnd().split('\n').length, 1);
    } finally {
      await later.stop();
      await rm(other, { recursive: true, force: true });
    }
  });
});
