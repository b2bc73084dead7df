import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { csvObjects, newKey, parseCsv, predict, sendFeedback } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const JSONL = [
  { id: 'setosa-1', inputs: { features: [5.1, 3.5, 1.4, 0.2] }, expected: 'setosa', tags: ['typical'] },
  { id: 'virginica-1', inputs: { features: [6.7, 3.0, 5.2, 2.3] }, expected: 'virginica', tags: ['typical'] },
  { id: 'edge-1', inputs: { features: [6.0, 2.7, 5.1, 1.6] }, expected: 'versicolor', tags: ['boundary', 'hard'] },
].map((c) => JSON.stringify(c)).join('\n') + '\n';

const CSV = 'id,features[0],features[1],features[2],features[3],expected,tags\r\n'
  + 'c1,5.1,3.5,1.4,0.2,setosa,typical\r\n'
  + 'c2,-1,3.0,5.2,2.3,virginica,odd;negative\r\n';

/** Review sets through the API: added (JSONL and CSV) → stepped through as the page does → per-case agreement in stats. */
describe('server: review sets', function () {
  this.timeout(30_000);
  let preview: Preview;
  const add = (name: string, format: string, text: string, token: string | undefined = preview.ownerToken) => preview.post('/api/review-sets', { name, format, text }, token);

  before(async () => {
    preview = await startPreview(IRIS_MODEL, { watch: false, keepDataDir: true });
  });
  after(async () => {
    await preview?.stop();
    if (preview) await rm(preview.dataDir, { recursive: true, force: true });
  });

  it('adds a JSONL and a CSV set: listed for the page, served one case at a time without the expected answer', async () => {
    const jsonl = await add('launch check', 'jsonl', JSONL);
    assert.equal(jsonl.status, 201, jsonl.text);
    const csv = await add('spreadsheet', 'csv', CSV);
    assert.equal(csv.status, 201, csv.text);
    const list = await preview.get('/api/review-sets');
    assert.deepEqual(list.json.sets.map((s: { name: string; cases: number }) => [s.name, s.cases]), [['launch check', 3], ['spreadsheet', 2]]);
    const first = await preview.get('/api/review-sets/launch%20check/cases?offset=0&limit=1');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, { name: 'launch check', total: 3, offset: 0, cases: [{ id: 'setosa-1', inputs: { features: [5.1, 3.5, 1.4, 0.2] }, tags: ['typical'] }] });
    const row = await preview.get('/api/review-sets/spreadsheet/cases?offset=1&limit=1');
    assert.deepEqual(row.json.cases, [{ id: 'c2', inputs: { features: [-1, 3.0, 5.2, 2.3] }, tags: ['odd', 'negative'] }], 'a negative number is a number, not a formula');
  });

  it('two reviewers step through the set as the page does; stats give per-case agreement, disagreements first; exports carry case id and tags', async () => {
    const reviewers = await Promise.all(['Dana', 'Eve'].map(async (name) => new URL((await preview.post('/api/invites', { name }, preview.ownerToken)).json.link).searchParams.get('t')!));
    // Dana: right, right, wrong (boundary case). Eve: right, wrong, wrong.
    const judgements: Array<Array<'up' | 'down'>> = [['up', 'up', 'down'], ['up', 'down', 'down']];
    for (const [r, token] of reviewers.entries()) {
      for (let offset = 0; ; offset++) {
        const page = await preview.get(`/api/review-sets/launch%20check/cases?offset=${offset}&limit=1`, token);
        if (page.json.cases.length === 0) break;
        const [c] = page.json.cases;
        const prediction = await predict({ ...preview, post: (u, b) => preview.post(u, b, token) }, c.inputs);
        const rating = judgements[r][offset];
        const res = await sendFeedback(preview, {
          predictionId: prediction.predictionId, rating, caseId: `launch check/${c.id}`, idempotencyKey: newKey(),
          ...(rating === 'down' ? { reasons: ['wrong answer'] } : {}),
        }, token);
        assert.equal(res.status, 201, res.text);
      }
    }
    const stats = await preview.get('/api/stats', preview.ownerToken);
    assert.deepEqual(stats.json.cases.map((c: { caseId: string; up: number; down: number; reviewers: number; agreement: number; disagreement: boolean }) =>
      [c.caseId, c.up, c.down, c.reviewers, c.agreement, c.disagreement]), [
      ['virginica-1', 1, 1, 2, 0.5, true],
      ['edge-1', 0, 2, 2, 1, false],
      ['setosa-1', 2, 0, 2, 1, false],
    ]);
    assert.deepEqual(stats.json.cases[1].tags, ['boundary', 'hard']);
    assert.deepEqual(stats.json.cases[1].reasons, [{ reason: 'wrong answer', count: 2 }]);

    const csv = csvObjects(parseCsv((await preview.get('/api/feedback?format=csv', preview.ownerToken)).text));
    const edge = csv.filter((r) => r.caseId === 'edge-1');
    assert.equal(edge.length, 2);
    assert.deepEqual([edge[0].reviewSet, edge[0].tags], ['launch check', 'boundary; hard']);
  });

  it('feedback naming a case on a prediction of other inputs is a 400 and counts nowhere: a case\'s agreement holds judgements of that case only', async () => {
    const before = await preview.get('/api/stats', preview.ownerToken);
    const other = await predict(preview, { features: [6.7, 3.0, 5.2, 2.3] }); // virginica-1's inputs, not setosa-1's
    const res = await sendFeedback(preview, { predictionId: other.predictionId, rating: 'down', reasons: ['wrong answer'], caseId: 'launch check/setosa-1', idempotencyKey: newKey() });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error, `caseId: prediction '${other.predictionId}' was not made for review case 'launch check/setosa-1' (its input 'features' differs); `
      + 'predict the case\'s own inputs and send feedback on that prediction');
    assert.deepEqual((await preview.get('/api/stats', preview.ownerToken)).json, before.json, 'nothing stored');
    // The same case's own inputs, written as a batch of one (as the page may send them), are that case.
    const own = await predict(preview, { features: [[5.1, 3.5, 1.4, 0.2]] });
    const ok = await sendFeedback(preview, { predictionId: own.predictionId, rating: 'up', caseId: 'launch check/setosa-1', idempotencyKey: newKey() });
    assert.equal(ok.status, 201, ok.text);
    const setosa = (await preview.get('/api/stats', preview.ownerToken)).json.cases.find((c: { caseId: string }) => c.caseId === 'setosa-1');
    assert.equal(setosa.up, 3);
  });

  const bad: Array<[string, string, string, RegExp]> = [
    ['an unknown field in a case', 'jsonl', '{"inputs": {"features": [1,2,3,4]}, "label": "x"}\n', /^line 1: unknown field\(s\) label \(a case has id, inputs, expected and tags\)$/],
    ['an input the model does not have', 'jsonl', '{"inputs": {"petals": [1,2]}}\n', /^line 1: the model has no input "petals" \(its inputs: features\)$/],
    ['a missing input', 'jsonl', '{"inputs": {}}\n', /^line 1: input "features" is missing$/],
    ['a malformed line', 'jsonl', '{"inputs": {"features": [1,2,3,4]}}\n{"inputs": \n', /^line 2: not a JSON object/],
    ['the same id twice', 'jsonl', '{"id": "a", "inputs": {"features": [1,2,3,4]}}\n{"id": "a", "inputs": {"features": [1,2,3,4]}}\n', /^case id "a" is used twice/],
    ['no cases at all', 'jsonl', '\n\n', /^the file holds no cases$/],
    ['a formula in a CSV cell', 'csv', 'features,expected\r\n"[1,2,3,4]","=HYPERLINK(""http://evil.example"")"\r\n', /^row 2, column "expected": the cell starts with "=", as a spreadsheet formula does/],
    ['a formula in a CSV input cell', 'csv', 'features[0],features[1],features[2],features[3]\r\n1,2,3,@SUM(A1)\r\n', /^row 2, column "features\[3\]": the cell starts with "@"/],
    ['an unknown CSV column', 'csv', 'features,score\r\n"[1,2,3,4]",5\r\n', /^column 2 "score": not an input of the model \(its inputs: features\), nor id, expected or tags$/],
    ['a gap among vector columns', 'csv', 'features[0],features[2]\r\n1,2\r\n', /^row 2: input "features" has no column features\[1\]$/],
    ['malformed CSV', 'csv', 'features,id\r\n"[1,2,3,4],x\r\n', /^not valid CSV: /],
    // What /api/predict would refuse is refused when the set is added, not shown to a reviewer as an error.
    ['a case the model cannot take (three measurements for its four)', 'jsonl', '{"inputs": {"features": [1,2,3,4]}}\n{"inputs": {"features": [1,2,3]}}\n',
      /^line 2: input 'features': expected shape \[batch, 4\] \(rank 2\), got \[3\] \(a case's inputs are what \/api\/predict takes\)$/],
    ['a CSV cell of text for a number', 'csv', 'features[0],features[1],features[2],features[3]\r\n1,2,3,4\r\n1,2,three,4\r\n', /^row 3: input 'features': element 2 is "three", expected a number/],
  ];
  for (const [what, format, text, message] of bad) {
    it(`refuses ${what} with a 400 naming where, and stores nothing`, async () => {
      const before = await preview.get('/api/review-sets');
      const res = await add(`bad ${format}`, format, text);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json.error, message);
      assert.deepEqual((await preview.get('/api/review-sets')).json, before.json);
      assert.deepEqual((await readdir(path.join(preview.dataDir, 'review-sets'))).sort(), ['launch check.jsonl', 'spreadsheet.jsonl'], 'no file, no temporary file');
    });
  }

  it('refuses a file over the documented 20 MB limit, a taken name, and a name that is not a plain name', async () => {
    const line = JSON.stringify({ inputs: { features: [1, 2, 3, 4] }, tags: ['x'.repeat(90)] }) + '\n';
    const big = await add('big', 'jsonl', line.repeat(Math.ceil((20 * 1024 * 1024 + 1) / line.length)));
    assert.equal(big.status, 400, big.text.slice(0, 200));
    assert.equal(big.json.error, 'the file is larger than 20 MB; split it into several review sets');
    const taken = await add('launch check', 'jsonl', JSONL);
    assert.equal(taken.status, 400);
    assert.match(taken.json.error, /^a review set named "launch check" exists already; remove it first, or choose another name$/);
    const dots = await add('../escape', 'jsonl', JSONL);
    assert.equal(dots.status, 400);
    assert.match(dots.json.error, /^a review set's name is letters, digits/);
    assert.equal((await add('x', 'jsonl', JSONL, preview.shareToken)).status, 401, 'only the owner adds sets');
  });

  it('feedback naming a case of no set is a 400; a set survives a restart; a removed set is gone', async () => {
    await preview.stop();
    preview = await startPreview(IRIS_MODEL, { dataDir: preview.dataDir, watch: false, keepDataDir: true });
    assert.deepEqual((await preview.get('/api/review-sets')).json.sets.map((s: { name: string }) => s.name), ['launch check', 'spreadsheet']);
    const removed = await preview.post('/api/review-sets/spreadsheet/remove', undefined, preview.ownerToken);
    assert.equal(removed.status, 200, removed.text);
    assert.equal((await preview.get('/api/review-sets/spreadsheet/cases')).status, 404);
    const p = await predict(preview, { features: [5.1, 3.5, 1.4, 0.2] });
    const res = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'up', caseId: 'spreadsheet/c1', idempotencyKey: newKey() });
    assert.equal(res.status, 400);
    assert.equal(res.json.error, "caseId: no review case 'spreadsheet/c1' is in this preview's review sets");
  });
});
