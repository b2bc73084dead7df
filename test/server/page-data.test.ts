import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PAGE_DATA_ID } from '../../src/shared/page-data';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const DATA_BLOCK = new RegExp(`<script type="application/json" id="${PAGE_DATA_ID}">([^<]*)</script>`);
const HOSTILE = '</script><script>alert(1)</script><!-- & \u2028\u2029 <img src=x onerror=alert(2)>';

/**
 * The page's HTML carries its first data (the card, the review sets, who the visitor is) as a data block: the same as
 * the API answers that visitor, escaped so that no text anyone typed (a sidecar's title, a reviewer's name) is markup.
 */
describe('server: the page\'s first data in its HTML', function () {
  this.timeout(30_000);
  let folder: string;
  let p: Preview;
  const cookieOf = async (token: string) => (await p.request('GET', `/?t=${token}`, { token: null, redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0];
  const pageOf = async (cookie: string) => {
    const res = await p.get('/', null, { cookie });
    assert.equal(res.status, 200, res.text);
    const blocks = res.text.match(new RegExp(DATA_BLOCK.source, 'g')) ?? [];
    assert.equal(blocks.length, 1, res.text);
    return { html: res.text, data: JSON.parse(DATA_BLOCK.exec(res.text)![1]) };
  };

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'mp-page-data-'));
    await copyFile(IRIS_MODEL, path.join(folder, 'iris.onnx'));
    await writeFile(path.join(folder, 'iris.preview.json'), JSON.stringify({ title: HOSTILE, description: HOSTILE }));
    p = await startPreview(path.join(folder, 'iris.onnx'));
    const cases = [{ id: 'c1', inputs: { features: [5.1, 3.5, 1.4, 0.2] } }].map((c) => JSON.stringify(c)).join('\n');
    assert.equal((await p.post('/api/review-sets', { name: 'launch', format: 'jsonl', text: cases }, p.ownerToken)).status, 201);
  });
  after(async () => {
    await p?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('holds what /api/card, /api/review-sets and /api/reviewer answer the share link\'s visitor', async () => {
    const cookie = await cookieOf(p.shareToken);
    const { data } = await pageOf(cookie);
    assert.deepEqual(data.card, (await p.get('/api/card', null, { cookie })).json);
    assert.equal(data.card.file, 'iris.onnx', 'the card as a share link holder sees it: no folder');
    assert.deepEqual(data.reviewSets, (await p.get('/api/review-sets', null, { cookie })).json.sets);
    assert.equal(data.invitedAs, undefined);
    assert.deepEqual((await p.get('/api/reviewer', null, { cookie })).json, {});
  });

  it('names an invited reviewer as /api/reviewer does, whatever their name holds', async () => {
    const invite = await p.post('/api/invites', { name: HOSTILE.slice(0, 60) }, p.ownerToken);
    assert.equal(invite.status, 201, invite.text);
    const cookie = await cookieOf(new URL(invite.json.link).searchParams.get('t')!);
    const { data } = await pageOf(cookie);
    assert.equal(data.invitedAs, HOSTILE.slice(0, 60));
    assert.deepEqual((await p.get('/api/reviewer', null, { cookie })).json, { invitedAs: data.invitedAs });
  });

  it('escapes what people typed: no markup of theirs in the HTML, the text read back whole', async () => {
    const { html, data } = await pageOf(await cookieOf(p.shareToken));
    assert.equal(data.card.hints.title, HOSTILE);
    assert.equal(data.card.hints.description, HOSTILE);
    assert.ok(!html.includes('<script>alert') && !html.includes('<img'), html);
    assert.equal(html.match(/<script/g)?.length, 2, 'the page\'s own script and the data block, nothing else');
    assert.doesNotMatch(blockText(html), /[<>&\u2028\u2029]/);
    assert.match(blockText(html), /\\u003c\/script\\u003e/);
  });
});

/** The data block's text. */
const blockText = (html: string): string => DATA_BLOCK.exec(html)![1];
