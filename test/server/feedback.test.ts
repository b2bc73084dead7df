import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_COMMENT, MAX_REVIEWER } from '../../src/shared/feedback';
import {
  csvObjects, fileLines, fileRecords, handRecord, newKey, parseCsv, postAsOwnClient, predict, predictIris, sendFeedback, SETOSA, VIRGINICA,
} from '../helpers/feedback-kit';
import { fixtureModel, IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const UA = 'feedback-test/1.0 (mocha)';

/** POST /api/feedback and the records it leaves in <dataDir>/feedback.jsonl. */
describe('server: feedback (POST /api/feedback)', function () {
  this.timeout(20_000);
  let preview: Preview;
  let prediction: { predictionId: string; modelVersion: string; outputs: { logits: { data: number[] } } };
  const feedbackFile = () => path.join(preview.dataDir, 'feedback.jsonl');
  const valid = (extra: Record<string, unknown> = {}): Record<string, unknown> & { idempotencyKey: string } =>
    ({ predictionId: prediction.predictionId, rating: 'down', idempotencyKey: newKey(), ...extra });

  before(async () => {
    preview = await startPreview(IRIS_MODEL);
    prediction = await predictIris(preview, VIRGINICA);
  });
  after(async () => {
    await preview?.stop();
  });

  it('stores a valid submission as one self-contained line and answers 201 {id}', async () => {
    const key = newKey();
    const res = await sendFeedback(preview, {
      predictionId: prediction.predictionId, rating: 'down', expected: 'versicolor', comment: 'petals look short', reviewer: 'Dana', idempotencyKey: key,
    }, undefined, { 'user-agent': UA });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.json), ['id']);
    assert.match(res.json.id, /^[0-9a-f-]{36}$/);
    const record = (await fileRecords(feedbackFile())).find((r) => r.id === res.json.id);
    assert.ok(record, `a line with id ${res.json.id}`);
    assert.equal(record.schemaVersion, 2);
    assert.equal(record.source, 'human');
    assert.equal(record.reviewerVerified, false, 'a typed name is not verified');
    assert.deepEqual(record.reasons, []);
    assert.match(record.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(record.ts) - Date.now()) < 60_000, `ts is now: ${record.ts}`);
    assert.equal(record.model, 'iris');
    assert.equal(record.modelVersion, preview.session.card()!.version);
    assert.equal(record.predictionId, prediction.predictionId);
    assert.equal(record.predicted, 'virginica');
    assert.deepEqual(record.inputs, { features: { datatype: 'FP32', shape: [1, 4], data: VIRGINICA } });
    assert.deepEqual(record.outputs, prediction.outputs);
    assert.equal(record.rating, 'down');
    assert.equal(record.expected, 'versicolor');
    assert.equal(record.comment, 'petals look short');
    assert.equal(record.reviewer, 'Dana');
    assert.equal(record.userAgent, UA);
    assert.equal(record.idempotencyKey, key);
  });

  it('refuses feedback on a prediction this server never made: 400 naming predictionId', async () => {
    const before = await fileLines(feedbackFile());
    const res = await sendFeedback(preview, valid({ predictionId: 'no-such-prediction' }));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error, "predictionId: no prediction 'no-such-prediction' was made by this server");
    assert.deepEqual(await fileLines(feedbackFile()), before, 'nothing stored');
  });

  const badFields: Array<[string, () => unknown, RegExp]> = [
    ['rating not up/down', () => valid({ rating: 'meh' }), /^rating: must be "up" or "down"$/],
    ['a comment of 4001 characters', () => valid({ comment: 'x'.repeat(MAX_COMMENT + 1) }), /^comment: must be at most 4000 characters$/],
    ['a reviewer of 101 characters', () => valid({ reviewer: 'r'.repeat(MAX_REVIEWER + 1) }), /^reviewer: must be at most 100 characters$/],
    ['an idempotencyKey that is too short', () => valid({ idempotencyKey: 'short' }), /^idempotencyKey: .*8/],
    ['an unknown extra field', () => valid({ score: 5 }), /^unknown field\(s\): score$/],
    ['a body that is not JSON', () => '{"predictionId": "x", rating: up}', /^the request body is not valid JSON$/],
    ['a missing predictionId', () => ({ rating: 'up', idempotencyKey: newKey() }), /^predictionId: /],
    ['a body that is an array', () => [valid()], /^the request body: /],
  ];
  for (const [what, body, message] of badFields) {
    it(`answers 400 naming the field for ${what}, and stores nothing`, async () => {
      const before = await fileLines(feedbackFile());
      const res = await sendFeedback(preview, body());
      assert.equal(res.status, 400, res.text);
      assert.match(res.json.error, message);
      assert.deepEqual(await fileLines(feedbackFile()), before);
    });
  }

  it('a comment of exactly 4000 characters and a reviewer of 100 are fine', async () => {
    const res = await sendFeedback(preview, valid({ comment: 'x'.repeat(MAX_COMMENT), reviewer: 'r'.repeat(MAX_REVIEWER) }));
    assert.equal(res.status, 201, res.text);
  });

  it('answers 401 without a token, and 401 for a wrong token', async () => {
    const before = await fileLines(feedbackFile());
    const none = await sendFeedback(preview, valid(), null);
    assert.equal(none.status, 401, none.text);
    assert.match(none.json.error, /share link or token/);
    const wrong = await sendFeedback(preview, valid(), 'not-a-token');
    assert.equal(wrong.status, 401, wrong.text);
    assert.deepEqual(await fileLines(feedbackFile()), before);
  });

  it('the same idempotencyKey twice: the second answers 200 {id (the same), duplicate: true} and the file has one line', async () => {
    const body = valid({ comment: 'sent twice' });
    const first = await sendFeedback(preview, body);
    assert.equal(first.status, 201, first.text);
    const second = await sendFeedback(preview, body);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.json, { id: first.json.id, duplicate: true });
    const lines = (await fileRecords(feedbackFile())).filter((r) => r.idempotencyKey === body.idempotencyKey);
    assert.equal(lines.length, 1);
    assert.equal(preview.events.filter((e) => e.event === 'feedback' && e.record.idempotencyKey === body.idempotencyKey).length, 1, 'one feedback event');
  });

  it('50 concurrent submissions with distinct keys from 50 clients give 50 whole, valid lines', async () => {
    const before = (await fileLines(feedbackFile())).length;
    const bodies = Array.from({ length: 50 }, (_, i) => valid({ comment: `concurrent ${i} ${'·'.repeat(i * 40)}`, rating: i % 2 ? 'up' : 'down' }));
    const answers = await Promise.all(bodies.map((b) => postAsOwnClient(preview.baseUrl, '/api/feedback', b, preview.shareToken)));
    answers.forEach((a, i) => assert.equal(a.status, 201, `submission ${i}: ${a.text}`));
    const text = await readFile(feedbackFile(), 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, before + 50);
    const records = lines.map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        assert.fail(`line ${i + 1} is not whole JSON: ${l.slice(0, 120)}`);
      }
    });
    const byKey = new Map(records.map((r) => [r.idempotencyKey, r]));
    bodies.forEach((b, i) => {
      const r = byKey.get(b.idempotencyKey);
      assert.ok(r, `submission ${i} stored`);
      assert.equal(r.id, (answers[i].json as { id: string }).id);
      assert.equal(r.comment, b.comment);
    });
  });

  it('20 concurrent submissions with the same key give exactly one line, and every answer carries its id', async () => {
    const body = valid({ comment: 'double-clicked twenty times' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => postAsOwnClient(preview.baseUrl, '/api/feedback', body, preview.shareToken)));
    const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
    assert.equal(ids.size, 1, JSON.stringify(answers.map((a) => a.text)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [...Array(19).fill(200), 201]);
    answers.filter((a) => a.status === 200).forEach((a) => assert.equal((a.json as { duplicate: boolean }).duplicate, true));
    const stored = (await fileRecords(feedbackFile())).filter((r) => r.idempotencyKey === body.idempotencyKey);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].id, [...ids][0]);
  });
});

describe('server: feedback survives a restart, and a torn last line', function () {
  this.timeout(20_000);
  let dataDir: string;
  let preview: Preview | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-feedback-restart-'));
  });
  after(async () => {
    await preview?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts feedback after a restart for a prediction made before it, and a stored idempotencyKey stays a duplicate', async () => {
    preview = await startPreview(IRIS_MODEL, { dataDir, workers: 1 });
    const earlier = await predictIris(preview, SETOSA);
    const stored = { predictionId: earlier.predictionId, rating: 'up', idempotencyKey: newKey(), comment: 'before the restart' };
    const first = await sendFeedback(preview, stored);
    assert.equal(first.status, 201, first.text);
    const pending = await predictIris(preview, VIRGINICA); // the page shows it, the person is still typing...
    await preview.stop();

    preview = await startPreview(IRIS_MODEL, { dataDir, workers: 1 });
    const late = await sendFeedback(preview, { predictionId: pending.predictionId, rating: 'down', expected: 'versicolor', idempotencyKey: newKey() });
    assert.equal(late.status, 201, late.text);
    const again = await sendFeedback(preview, stored);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, { id: first.json.id, duplicate: true });
    const records = await fileRecords(path.join(dataDir, 'feedback.jsonl'));
    assert.equal(records.length, 2);
    assert.equal(records.filter((r) => r.idempotencyKey === stored.idempotencyKey).length, 1);
    const lateRecord = records.find((r) => r.id === late.json.id);
    assert.equal(lateRecord.predicted, 'virginica');
    assert.deepEqual(lateRecord.inputs.features.data, VIRGINICA);
    await preview.stop();
  });

  it('a torn last line: set aside with a warning naming the file, every whole record exported, the next record on its own line', async () => {
    const file = path.join(dataDir, 'feedback.jsonl');
    const whole = await fileRecords(file);
    assert.equal(whole.length, 2);
    const torn = '{"schemaVersion":1,"id":"torn-by-a-crash","ts":"2025-';
    await appendFile(file, torn);

    preview = await startPreview(IRIS_MODEL, { dataDir, workers: 1 });
    const warning = preview.logs.find((l) => l.includes('feedback.jsonl'));
    assert.ok(warning, `a warning naming feedback.jsonl; logs: ${JSON.stringify(preview.logs)}`);
    assert.match(warning, /^warn \(storage\): feedback\.jsonl ended with a torn line \(53 bytes .*\): moved to feedback\.jsonl\.torn-/);

    const exported = await preview.get('/api/feedback?format=jsonl', preview.ownerToken);
    assert.equal(exported.status, 200, exported.text);
    assert.deepEqual(exported.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).id), whole.map((r) => r.id));

    const p = await predictIris(preview, VIRGINICA);
    const res = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'up', idempotencyKey: newKey(), comment: 'after the crash' });
    assert.equal(res.status, 201, res.text);

    const lines = await fileLines(file);
    assert.equal(lines.length, 3, JSON.stringify(lines));
    assert.ok(!lines.includes(torn), 'the torn bytes were set aside (server/torn-tail.test.ts checks where)');
    const parsed = lines.map((l) => JSON.parse(l));
    assert.deepEqual(parsed.map((r) => r.id), [...whole.map((r) => r.id), res.json.id]);
    assert.equal(parsed[2].comment, 'after the crash');
  });
});

describe('server: large tensors are stored once as blobs', function () {
  this.timeout(20_000);
  let preview: Preview;
  // [9, 512] = 4608 elements, more than the 4096 kept inline; multiples of 1/8 print exactly.
  const rows = Array.from({ length: 9 }, (_, r) => Array.from({ length: 512 }, (_, c) => ((r * 512 + c) % 17) / 8 - 1));

  before(async () => {
    preview = await startPreview(fixtureModel('slow-matmul'), { workers: 1 });
  });
  after(async () => {
    await preview?.stop();
  });

  it('keeps a 4608-element input as blobs/<sha256>.json, references it from the feedback, and writes one file for the same input twice', async () => {
    const first = await predict(preview, { x: rows });
    const second = await predict(preview, { x: rows });
    const predictions = await fileRecords(path.join(preview.dataDir, 'predictions.jsonl'));
    const [r1, r2] = [first, second].map((p) => predictions.find((r) => r.predictionId === p.predictionId));
    assert.ok(r1 && r2, 'both predictions recorded');
    assert.deepEqual(Object.keys(r1.inputs.x).sort(), ['blob', 'datatype', 'shape']);
    assert.equal(r1.inputs.x.datatype, 'FP32');
    assert.deepEqual(r1.inputs.x.shape, [9, 512]);
    assert.match(r1.inputs.x.blob, /^blobs\/[0-9a-f]{64}\.json$/);
    assert.equal(r2.inputs.x.blob, r1.inputs.x.blob, 'the same input, the same blob');

    const blobText = await readFile(path.join(preview.dataDir, r1.inputs.x.blob), 'utf8');
    assert.equal(`blobs/${createHash('sha256').update(blobText).digest('hex')}.json`, r1.inputs.x.blob, 'named by the sha256 of its bytes');
    assert.deepEqual(JSON.parse(blobText), rows.flat());

    const refs = new Set([r1, r2].flatMap((r) => [...Object.values(r.inputs), ...Object.values(r.outputs)].map((t) => (t as { blob?: string }).blob).filter(Boolean)));
    const files = (await readdir(path.join(preview.dataDir, 'blobs'))).map((f) => `blobs/${f}`);
    assert.deepEqual(files.sort(), [...refs].sort(), 'one file per distinct blob (the input and the output), none written twice');

    const res = await sendFeedback(preview, { predictionId: first.predictionId, rating: 'down', comment: 'noisy', idempotencyKey: newKey() });
    assert.equal(res.status, 201, res.text);
    const record = (await fileRecords(path.join(preview.dataDir, 'feedback.jsonl'))).find((r) => r.id === res.json.id);
    assert.deepEqual(record.inputs, { x: { datatype: 'FP32', shape: [9, 512], blob: r1.inputs.x.blob } });
    assert.deepEqual(record.outputs, r1.outputs);
  });

  it('rewrites a blob file that an interrupted write (a crash, a power cut) left empty, when the same data comes again', async () => {
    const other = rows.map((row) => row.map((v) => v + 0.5));
    const text = JSON.stringify(other.flat());
    const ref = `blobs/${createHash('sha256').update(text).digest('hex')}.json`;
    // What a crash between creating the file and its data reaching the disk leaves behind (writeFile is not atomic).
    await writeFile(path.join(preview.dataDir, ref), '');
    const p = await predict(preview, { x: other });
    const record = (await fileRecords(path.join(preview.dataDir, 'predictions.jsonl'))).find((r) => r.predictionId === p.predictionId);
    assert.equal(record.inputs.x.blob, ref);
    const onDisk = await readFile(path.join(preview.dataDir, ref), 'utf8');
    assert.equal(onDisk.length, text.length, `the blob ${ref} referenced by the new prediction holds ${onDisk.length} of ${text.length} characters`);
  });
});

describe('server: feedback export (GET /api/feedback) and stats (GET /api/stats)', function () {
  this.timeout(20_000);
  let preview: Preview;
  let dataDir: string;
  let version: string;
  const tricky = 'Wrong, "clearly"\nsecond line';
  const formulas = ['=HYPERLINK("http://evil.example")', '+1+1', '-2+3', '@SUM(A1:A9)'];
  const html = '<img src=x onerror=alert(1)>';
  const esc = 'this is \u001b[31mred\u001b[0m';
  const getRaw = (urlPath: string, token: string) => fetch(preview.baseUrl + urlPath, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-feedback-export-'));
    // Feedback left by an earlier version of the model (a different file, exported before).
    const old = [
      handRecord({ modelVersion: 'aaaaaaaaaaaa', rating: 'up', predicted: 'setosa' }),
      handRecord({ modelVersion: 'aaaaaaaaaaaa', rating: 'down', predicted: 'setosa', expected: 'versicolor' }),
    ];
    await writeFile(path.join(dataDir, 'feedback.jsonl'), old.map((r) => JSON.stringify(r) + '\n').join(''));
    preview = await startPreview(IRIS_MODEL, { dataDir, workers: 1 });
    version = preview.session.card()!.version;
    const virginica = (await predictIris(preview, VIRGINICA)).predictionId;
    const setosa = (await predictIris(preview, SETOSA)).predictionId;
    const send = async (body: Record<string, unknown>) => {
      const res = await sendFeedback(preview, { idempotencyKey: newKey(), ...body });
      assert.equal(res.status, 201, res.text);
    };
    await send({ predictionId: virginica, rating: 'down', expected: 'versicolor', comment: tricky, reviewer: 'Ana' });
    for (const f of formulas) await send({ predictionId: virginica, rating: 'down', expected: 'versicolor', comment: f, reviewer: f });
    await send({ predictionId: setosa, rating: 'down', expected: 'virginica', comment: html });
    await send({ predictionId: setosa, rating: 'up', comment: esc });
  });
  after(async () => {
    await preview?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('CSV (owner): text/csv, a UTF-8 BOM, the header row, and the comment with comma, quote and newline round-trips', async () => {
    const res = await getRaw('/api/feedback?format=csv', preview.ownerToken);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv; charset=utf-8$/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="?feedback\.csv"?$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(text.startsWith('id,ts,model,modelVersion,predictionId,rating,predicted,expected,reasons,comment,reviewer,reviewerVerified,caseId,reviewSet,tags,userAgent\r\n'), text.slice(0, 200));
    const rows = csvObjects(parseCsv(text));
    assert.equal(rows.length, 2 + 1 + formulas.length + 2);
    const row = rows.find((r) => r.reviewer === 'Ana')!;
    assert.equal(row.comment, tricky);
    assert.equal(row.predicted, 'virginica');
    assert.equal(row.expected, 'versicolor');
    assert.equal(row.modelVersion, version);
  });

  it('CSV: cells starting with = + - @ get a leading apostrophe, HTML stays literal text, ESC shows as \\u001b', async () => {
    const text = Buffer.from(await (await getRaw('/api/feedback?format=csv', preview.ownerToken)).arrayBuffer()).subarray(3).toString('utf8');
    const rows = csvObjects(parseCsv(text));
    for (const f of formulas) {
      const row = rows.find((r) => r.comment === `'${f}`);
      assert.ok(row, `a row whose comment is '${f}; comments: ${JSON.stringify(rows.map((r) => r.comment))}`);
      assert.equal(row.reviewer, `'${f}`);
    }
    assert.ok(rows.some((r) => r.comment === html), 'the HTML is kept as literal text');
    assert.ok(!text.includes('\u001b'), 'no raw ESC byte');
    assert.ok(rows.some((r) => r.comment === 'this is \\u001b[31mred\\u001b[0m'), JSON.stringify(rows.map((r) => r.comment)));
  });

  it('JSONL (owner, also the default): every record, one per line, text kept as typed', async () => {
    const res = await preview.get('/api/feedback?format=jsonl', preview.ownerToken);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type')!, /^application\/x-ndjson/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const records = res.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(records, await fileRecords(path.join(dataDir, 'feedback.jsonl')));
    assert.ok(records.some((r) => r.comment === esc && r.rating === 'up'));
    const byDefault = await preview.get('/api/feedback', preview.ownerToken);
    assert.equal(byDefault.text, res.text);
  });

  it('the share token (and no token) gets 401 on both exports and on /api/stats', async () => {
    for (const url of ['/api/feedback?format=jsonl', '/api/feedback?format=csv', '/api/feedback', '/api/stats']) {
      for (const token of [undefined, null]) {
        const res = await preview.get(url, token);
        assert.equal(res.status, 401, `${url} with ${token === null ? 'no token' : 'the share token'}: ${res.text}`);
        assert.match(res.json.error, /owner token/);
        assert.ok(!res.text.includes('versicolor'), 'no feedback in the refusal');
      }
    }
  });

  it('?format=xml is a 400 naming the format', async () => {
    const res = await preview.get('/api/feedback?format=xml', preview.ownerToken);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error, 'format: must be jsonl or csv, not "xml"');
  });

  it('/api/stats groups by model version with count, up, down, upShare and topCorrections sorted by count', async () => {
    const res = await preview.get('/api/stats', preview.ownerToken);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, {
      total: 9,
      cases: [],
      versions: [
        { model: 'iris', modelVersion: 'aaaaaaaaaaaa', count: 2, up: 1, down: 1, upShare: 0.5, topCorrections: [{ predicted: 'setosa', expected: 'versicolor', count: 1 }], reasons: [] },
        {
          model: 'iris', modelVersion: version, count: 7, up: 1, down: 6, upShare: 1 / 7,
          topCorrections: [{ predicted: 'virginica', expected: 'versicolor', count: 5 }, { predicted: 'setosa', expected: 'virginica', count: 1 }],
          reasons: [],
        },
      ],
    });
  });
});
