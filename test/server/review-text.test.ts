import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { REPO_ROOT, startPreview, type Preview } from '../helpers/preview';

/** The Hugging Face text classifier folder made by scripts/make-hf-fixtures.py (its tokenizer is beside it). */
const TEXT_MODEL = path.join(REPO_ROOT, 'test', 'fixtures', 'hf', 'text-intent', 'model.onnx');

/** Review sets for a model that reads text: a case gives `{"text": "..."}`, as /api/predict takes it. */
describe('server: review sets for a text model', function () {
  this.timeout(30_000);
  let preview: Preview;
  const add = (name: string, format: string, text: string) => preview.post('/api/review-sets', { name, format, text }, preview.ownerToken);

  before(async () => {
    preview = await startPreview(TEXT_MODEL, { watch: false });
  });
  after(() => preview?.stop());

  it('takes JSONL and CSV cases that give the text, serves them to the page, and the case predicts as the page sends it', async () => {
    const jsonl = [
      { id: 'late', inputs: { text: 'Where is my parcel? It has not arrived yet.' }, expected: 'delivery', tags: ['support'] },
      { id: 'thanks', inputs: { text: 'Thank you, great service!' } },
    ].map((c) => JSON.stringify(c)).join('\n');
    const added = await add('texts', 'jsonl', jsonl);
    assert.equal(added.status, 201, added.text);
    const csv = await add('sheet', 'csv', 'id,text,expected\r\nnum,42,billing\r\nbill,"I was charged twice, please refund",billing\r\n');
    assert.equal(csv.status, 201, csv.text);

    const page = await preview.get('/api/review-sets/texts/cases?offset=0&limit=1');
    assert.deepEqual(page.json.cases, [{ id: 'late', inputs: { text: 'Where is my parcel? It has not arrived yet.' }, tags: ['support'] }]);
    const row = await preview.get('/api/review-sets/sheet/cases?offset=0&limit=2');
    assert.deepEqual(row.json.cases.map((c: { inputs: unknown }) => c.inputs), [{ text: '42' }, { text: 'I was charged twice, please refund' }], 'a text cell stays text, also when it reads as a number');
    const answer = await preview.post('/api/predict', { text: page.json.cases[0].inputs.text });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.tokens.tokens[1], 'where');
    // A review link's first case: the server sends the case's text to the tokenizer itself (reviewCaseBody), as the page does.
    const opened = await preview.request('POST', '/api/review-sets/sheet/open', { body: { offset: 1 } });
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.json.cases[0].id, 'bill');
    assert.deepEqual(opened.json.answer.tokens.tokens.slice(1, 4), ['i', 'was', 'charged']);
    const same = await preview.post('/api/predict', { text: 'I was charged twice, please refund' });
    assert.deepEqual(opened.json.answer.outputs, same.json.outputs);
  });

  const bad: Array<[string, string, string, RegExp]> = [
    ['a case with neither text nor token inputs', 'jsonl', '{"inputs": {}}\n',
      /^line 1: input "input_ids", "attention_mask", "token_type_ids" is missing \(this model reads text: give \{"text": "\.\.\."\} in place of its token inputs\)$/],
    ['a text that is not a string', 'jsonl', '{"inputs": {"text": 42}}\n', /^line 1: "text" must be the text the model reads, as a non-empty string$/],
    ['an empty text', 'jsonl', '{"inputs": {"text": "  "}}\n', /^line 1: "text" must be the text the model reads/],
    ['the text and token ids both', 'jsonl', '{"inputs": {"text": "hi", "input_ids": [[2, 3]]}}\n', /^line 1: give "text" or the token inputs \(input_ids\), not both/],
    ['an unknown input', 'jsonl', '{"inputs": {"sentence": "hi"}}\n', /^line 1: the model has no input "sentence" \(its inputs: input_ids, attention_mask, token_type_ids, text\)$/],
    ['a formula in a CSV text cell', 'csv', 'text\r\n"=HYPERLINK(""http://evil.example"")"\r\n', /^row 2, column "text": the cell starts with "="/],
  ];
  for (const [what, format, text, message] of bad) {
    it(`refuses ${what} with a 400 naming where, and stores nothing`, async () => {
      const res = await add('bad', format, text);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json.error, message);
      assert.deepEqual((await readdir(path.join(preview.dataDir, 'review-sets'))).sort(), ['sheet.jsonl', 'texts.jsonl']);
    });
  }
});
