import assert from 'node:assert/strict';
import { appendFile, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const CASES = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [6.0, 2.7, 5.1, 1.6], [4.9, 2.5, 4.5, 1.7]]
  .map((features, i) => JSON.stringify({ id: `c${i + 1}`, inputs: { features } })).join('\n');

/** A reviewer's place in a review set, kept by the server per reviewer: another browser or phone resumes there. */
describe('server: review progress per reviewer', function () {
  this.timeout(30_000);
  let preview: Preview;
  let dana: string;
  const place = (token: string | undefined, query = '') => preview.get(`/api/review-sets/launch/progress${query}`, token);
  const keep = (token: string | null, body: unknown, set = 'launch') => preview.request('PUT', `/api/review-sets/${set}/progress`, { body, token });

  before(async () => {
    preview = await startPreview(IRIS_MODEL, { watch: false, keepDataDir: true });
    assert.equal((await preview.post('/api/review-sets', { name: 'launch', format: 'jsonl', text: CASES }, preview.ownerToken)).status, 201);
    dana = new URL((await preview.post('/api/invites', { name: 'Dana' }, preview.ownerToken)).json.link).searchParams.get('t')!;
  });
  after(async () => {
    await preview?.stop();
    if (preview) await rm(preview.dataDir, { recursive: true, force: true });
  });

  it('keeps an invited reviewer\'s place under their invite, and a typed name\'s apart from it', async () => {
    assert.deepEqual((await place(dana)).json, { position: null }, 'no place before one is kept');
    const kept = await keep(dana, { position: 2 });
    assert.equal(kept.status, 200, kept.text);
    assert.deepEqual(kept.json, { position: 2 });
    assert.deepEqual((await place(dana)).json, { position: 2 }, 'the same invite from anywhere');
    assert.deepEqual((await place(dana, '?reviewer=Eve')).json, { position: 2 }, 'the invite decides who it is, not a typed name');
    assert.deepEqual((await place(preview.shareToken, '?reviewer=Dana')).json, { position: null }, 'someone typing "Dana" does not get the invited Dana\'s place');

    assert.equal((await keep(preview.shareToken, { position: 1, reviewer: ' Sam ' })).status, 200);
    assert.deepEqual((await place(preview.shareToken, '?reviewer=Sam')).json, { position: 1 });
    assert.deepEqual((await place(preview.shareToken, '?reviewer=Dana')).json, { position: null });
    assert.equal((await keep(preview.shareToken, { position: 4, reviewer: 'Sam' })).status, 200, 'the set\'s size: finished');
    assert.deepEqual((await place(preview.shareToken, '?reviewer=Sam')).json, { position: 4 });
  });

  it('opens a set at the reviewer\'s kept place in one request (resume=1), else at the place the browser kept (offset)', async () => {
    const at = async (token: string, query: string) => {
      const res = await preview.get(`/api/review-sets/launch/cases?limit=1&resume=1${query}`, token);
      assert.equal(res.status, 200, res.text);
      return { offset: res.json.offset, ids: (res.json.cases as Array<{ id: string }>).map((c) => c.id) };
    };
    assert.deepEqual(await at(dana, '&offset=0'), { offset: 2, ids: ['c3'] }, 'the invite\'s place wins over the browser\'s');
    assert.deepEqual(await at(dana, '&offset=0&reviewer=Sam'), { offset: 2, ids: ['c3'] }, 'the invite decides who it is, not a typed name');
    assert.deepEqual(await at(preview.shareToken, '&offset=1&reviewer=Sam'), { offset: 4, ids: [] }, 'Sam finished the set: no case');
    assert.deepEqual(await at(preview.shareToken, '&offset=1&reviewer=Nobody'), { offset: 1, ids: ['c2'] }, 'no place kept for the name: the browser\'s');
    assert.deepEqual(await at(preview.shareToken, '&offset=3'), { offset: 3, ids: ['c4'] }, 'no name and no invite: the browser\'s');
    assert.deepEqual(await at(preview.shareToken, '&offset=99'), { offset: 4, ids: [] }, 'a browser\'s place past the end: finished');
    const missing = await preview.get('/api/review-sets/nope/cases?resume=1', preview.shareToken);
    assert.equal(missing.status, 404);
    assert.match(missing.json.error, /no review set named "nope"/);
  });

  const bad: Array<[string, string | 'share' | 'none', unknown, number, RegExp]> = [
    ['a place past the set\'s end', 'share', { position: 5, reviewer: 'Sam' }, 400, /^position: the set "launch" has 4 cases, so a place is 0 to 4$/],
    ['a negative place', 'share', { position: -1, reviewer: 'Sam' }, 400, /^position: /],
    ['a place that is no whole number', 'share', { position: '2', reviewer: 'Sam' }, 400, /^position: /],
    ['an unknown field', 'share', { position: 1, reviewer: 'Sam', set: 'x' }, 400, /^unknown field\(s\): set/],
    ['no name and no invite', 'share', { position: 1 }, 400, /^reviewer: your name is needed to keep your place/],
    ['a blank name', 'share', { position: 1, reviewer: '   ' }, 400, /^reviewer: /],
    ['a name over 100 characters', 'share', { position: 1, reviewer: 'x'.repeat(101) }, 400, /^reviewer: /],
    ['no token', 'none', { position: 1, reviewer: 'Sam' }, 401, /share link/],
  ];
  for (const [what, who, body, status, message] of bad) {
    it(`refuses ${what} with a ${status}, and keeps the places it had`, async () => {
      const res = await keep(who === 'share' ? preview.shareToken : who === 'none' ? null : who, body);
      assert.equal(res.status, status, res.text);
      assert.match(res.json.error, message);
      assert.deepEqual((await place(preview.shareToken, '?reviewer=Sam')).json, { position: 4 });
    });
  }

  it('answers 404 for a set that does not exist, and 400 for a place asked without a name', async () => {
    const unknown = await keep(dana, { position: 0 }, 'nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error, 'no review set named "nope"');
    assert.equal((await place(preview.shareToken)).status, 400);
  });

  it('keeps the places across a restart, also after a kill tore the last line', async () => {
    await preview.stop();
    const file = path.join(preview.dataDir, 'review-progress.jsonl');
    assert.equal((await readFile(file, 'utf8')).trim().split('\n').length, 3, 'one fsync\'d line per place kept, none for a refused one');
    await appendFile(file, '{"ts":"2026-11-30T12:00:00.000Z","reviewSet":"launch","revi');
    preview = await startPreview(IRIS_MODEL, { dataDir: preview.dataDir, watch: false, keepDataDir: true });
    assert.deepEqual((await place(dana)).json, { position: 2 });
    assert.deepEqual((await place(preview.shareToken, '?reviewer=Sam')).json, { position: 4 });
    assert.equal((await keep(dana, { position: 3 })).status, 200);
    assert.deepEqual((await place(dana)).json, { position: 3 });
  });
});
