import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const JSONL = '{"id": "a", "inputs": {"features": [5.1, 3.5, 1.4, 0.2]}}\n{"id": "b", "inputs": {"features": [6.7, 3.0, 5.2, 2.3]}}\n';
const CSV = 'id,features[0],features[1],features[2],features[3]\r\nc1,5.1,3.5,1.4,0.2\r\n';

/**
 * The owner's upload on the page: `POST /api/review-sets` as the page sends it (the owner token in Authorization, the
 * share cookie along, same-origin headers), and what the page's owner check (`GET /api/server`) answers to whom.
 */
describe('server: review set upload from the owner\'s page', function () {
  this.timeout(30_000);
  let preview: Preview;
  let cookie: string;
  let invite: string;
  const fromPage = (name: string, format: string, text: string, authorization?: string) => preview.request('POST', '/api/review-sets', {
    token: null, body: { name, format, text },
    headers: { cookie, origin: preview.baseUrl, 'sec-fetch-site': 'same-origin', ...(authorization ? { authorization } : {}) },
  });
  const stored = async () => (await readdir(path.join(preview.dataDir, 'review-sets')).catch(() => [] as string[])).sort();

  before(async () => {
    preview = await startPreview(IRIS_MODEL, { watch: false });
    cookie = (await preview.request('GET', `/?t=${preview.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    invite = new URL((await preview.post('/api/invites', { name: 'Dana' }, preview.ownerToken)).json.link).searchParams.get('t')!;
  });
  after(() => preview?.stop());

  it('the owner\'s check answers the owner token only: a share link, an invite or the cookie alone gets 401', async () => {
    assert.equal((await preview.get('/api/server', preview.ownerToken)).status, 200);
    for (const token of [preview.shareToken, invite]) assert.equal((await preview.get('/api/server', token)).status, 401);
    assert.equal((await preview.request('GET', '/api/server', { token: null, headers: { cookie } })).status, 401);
  });

  it('takes a good JSONL and a good CSV file from the owner\'s page, and refuses a malformed one whole', async () => {
    const jsonl = await fromPage('from page', 'jsonl', JSONL, `Bearer ${preview.ownerToken}`);
    assert.equal(jsonl.status, 201, jsonl.text);
    const csv = await fromPage('sheet', 'csv', CSV, `Bearer ${preview.ownerToken}`);
    assert.equal(csv.status, 201, csv.text);
    assert.deepEqual(csv.json.sets.map((s: { name: string; cases: number }) => [s.name, s.cases]), [['from page', 2], ['sheet', 1]]);
    const bad = await fromPage('broken', 'jsonl', `${JSONL}{"inputs": \n`, `Bearer ${preview.ownerToken}`);
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /^line 3: not a JSON object/);
    assert.deepEqual(await stored(), ['from page.jsonl', 'sheet.jsonl'], 'nothing of the malformed file, no temporary file');
  });

  it('refuses the upload to a share-link visitor and an invited reviewer (401), storing nothing', async () => {
    for (const authorization of [undefined, `Bearer ${preview.shareToken}`, `Bearer ${invite}`]) {
      const res = await fromPage('intruder', 'jsonl', JSONL, authorization);
      assert.equal(res.status, 401, `${authorization ?? 'the cookie alone'}: ${res.text}`);
      assert.match(res.json.error, /owner token/);
    }
    assert.deepEqual(await stored(), ['from page.jsonl', 'sheet.jsonl']);
  });
});
