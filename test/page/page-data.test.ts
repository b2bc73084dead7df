import assert from 'node:assert/strict';
import { parsePageData } from '../../src/page/logic/page-data';
import { jsonInHtml } from '../../src/core/server/json-in-html';

const card = { name: 'iris', version: 'abc123', inputs: [], outputs: [], hints: {} };

/** The page's first data, carried in its HTML (shared/page-data.ts): written by the server, read by the page's script. */
describe('page: data in the HTML', () => {
  it('jsonInHtml leaves nothing that can end the element or open a comment, and reads back as the same value', () => {
    const tricky = { title: '</script><script>alert(1)</script>', note: '<!-- a & b > c -->', lines: 'one\u2028two\u2029three', plain: 'Ünïcødé 🙂 "quoted" \\ back' };
    const text = jsonInHtml(tricky);
    assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
    assert.match(text, /\\u003c\/script\\u003e/);
    assert.deepEqual(JSON.parse(text), tricky);
  });

  it('parsePageData takes what the server writes: the card, the sets, the invited reviewer\'s name', () => {
    const data = { card, reviewSets: [{ name: 'launch', cases: 3, addedAt: '2026-12-01T00:00:00.000Z' }], invitedAs: '<b>Dana</b>' };
    assert.deepEqual(parsePageData(jsonInHtml(data)), data);
    assert.deepEqual(parsePageData(jsonInHtml({ card, reviewSets: [] })), { card, reviewSets: [] });
  });

  for (const [what, text] of [
    ['no element', undefined], ['an empty element', ''], ['broken JSON', '{"card": '], ['no card', '{"reviewSets": []}'],
    ['a card without inputs', JSON.stringify({ card: { ...card, inputs: undefined }, reviewSets: [] })],
    ['no sets', JSON.stringify({ card })], ['a name that is not text', JSON.stringify({ card, reviewSets: [], invitedAs: 7 })], ['null', 'null'],
  ] as const) {
    it(`parsePageData gives nothing for ${what} (the page then asks the API)`, () => {
      assert.equal(parsePageData(text), undefined);
    });
  }
});
