import * as assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelCard } from '../../src/shared/model-card';
import { fixtureModel, REPO_ROOT, startPreview, type Preview } from '../helpers/preview';

/**
 * A Hugging Face text classifier folder (test/fixtures/hf/text-intent, made by scripts/make-hf-fixtures.py: a tiny
 * BERT trained on support tickets, exported with torch.onnx.export, with a WordPiece tokenizer.json), served for real.
 * The expected token ids are BertTokenizer's rules in Python, with truncation to model_max_length; the expected
 * logits are PyTorch's.
 */
const FOLDER = path.join(REPO_ROOT, 'test', 'fixtures', 'hf', 'text-intent');

interface Case { text: string; tokens: string[]; input_ids: number[]; truncated: boolean; logits: number[]; label: string }

const card = async (p: Preview): Promise<ModelCard> => (await p.get('/api/card')).json as ModelCard;
const argmax = (v: number[]) => v.indexOf(Math.max(...v));

describe('server: a Hugging Face text classifier folder', function () {
  this.timeout(30_000);
  let p: Preview;
  let cases: Case[];
  before(async () => {
    cases = (JSON.parse(await readFile(path.join(FOLDER, 'expected.json'), 'utf8')) as { cases: Case[] }).cases;
    p = await startPreview(path.join(FOLDER, 'model.onnx'));
  });
  after(() => p?.stop());

  it('the card says the model takes text, how long, and what was read from the folder; id2label names the classes', async () => {
    const c = await card(p);
    assert.deepEqual(c.text, {
      inputs: { ids: 'input_ids', attentionMask: 'attention_mask', tokenTypeIds: 'token_type_ids' },
      maxLength: 48, maxLengthFrom: 'tokenizer_config.json model_max_length', tokenizer: 'WordPiece (BertTokenizer), 199 tokens',
    });
    assert.deepEqual(c.folder, { files: ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'], problems: [] });
    assert.deepEqual(c.hints.outputs.logits.classNames, ['billing', 'delivery', 'praise']);
    assert.equal(c.hints.outputs.logits.activation, 'softmax');
    const fact = c.facts.find((f) => f.target === 'output' && f.property === 'classNames');
    assert.equal(fact?.from, 'config.json id2label');
  });

  it('a text is tokenized to the Python tokenizer’s ids, and the model answers PyTorch’s logits and label', async () => {
    for (const expected of cases) {
      const res = await p.post('/api/predict', { text: expected.text });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.tokens.ids, expected.input_ids, `ids of ${JSON.stringify(expected.text)}`);
      assert.deepEqual(res.json.tokens.tokens, expected.tokens);
      assert.equal(res.json.tokens.cut > 0, expected.truncated, `cut of ${JSON.stringify(expected.text)}`);
      const logits = res.json.outputs.logits.data as number[];
      logits.forEach((v, i) => assert.ok(Math.abs(v - expected.logits[i]) < 1e-4, `logit ${i} of ${JSON.stringify(expected.text)}: ${v} vs ${expected.logits[i]}`));
      assert.equal(['billing', 'delivery', 'praise'][argmax(logits)], expected.label);
    }
  });

  it('a text longer than the model allows is cut to model_max_length and still ends with [SEP]', async () => {
    const res = await p.post('/api/predict', { text: 'where is my parcel '.repeat(40) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.tokens.ids.length, 48);
    assert.equal(res.json.tokens.tokens.at(-1), '[SEP]');
    assert.equal(res.json.tokens.cut, 4 * 40 - 46);
    assert.equal(res.json.tokens.maxLength, 48);
  });

  it('the prediction record keeps the text as it was typed, and the tensors the model got', async () => {
    const res = await p.post('/api/predict', { text: 'Where is my parcel?' });
    assert.equal(res.status, 200, res.text);
    const log = await readFile(path.join(p.dataDir, 'predictions.jsonl'), 'utf8');
    const record = log.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.predictionId === res.json.predictionId)!;
    assert.equal(record.text, 'Where is my parcel?');
    assert.deepEqual((record.inputs as Record<string, { shape: number[] }>).input_ids.shape, [1, 7]);
  });

  it('V2 and /api/predict still take the token tensors', async () => {
    const ids = cases[0].input_ids;
    const v2 = await p.post('/v2/models/model/infer', { inputs: [
      { name: 'input_ids', shape: [1, ids.length], datatype: 'INT64', data: ids },
      { name: 'attention_mask', shape: [1, ids.length], datatype: 'INT64', data: ids.map(() => 1) },
      { name: 'token_type_ids', shape: [1, ids.length], datatype: 'INT64', data: ids.map(() => 0) },
    ] });
    assert.equal(v2.status, 200, v2.text);
    assert.ok(Math.abs((v2.json.outputs[0].data as number[])[0] - cases[0].logits[0]) < 1e-4);
    const predict = await p.post('/api/predict', { inputs: { input_ids: [ids], attention_mask: [ids.map(() => 1)], token_type_ids: [ids.map(() => 0)] } });
    assert.equal(predict.status, 200, predict.text);
    assert.equal(predict.json.tokens, undefined);
  });

  it('a text and its token inputs together, or neither, are refused with what to send', async () => {
    const both = await p.post('/api/predict', { text: 'hi', inputs: { input_ids: [[2, 3]] } });
    assert.equal(both.status, 400);
    assert.match(both.json.error, /input 'input_ids' is given twice: "text" fills it/);
    const neither = await p.post('/api/predict', {});
    assert.equal(neither.status, 400);
    assert.match(neither.json.error, /or a text: \{"text": "a sentence"\}; this body has no "inputs"/);
    const notText = await p.post('/api/predict', { text: 42 });
    assert.equal(notText.status, 400);
    assert.match(notText.json.error, /^text: /);
  });

  it('/openapi.json documents the text request for this model', async () => {
    type Doc = { paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> }; example?: unknown }> } } }> };
    const body = ((await p.get('/openapi.json')).json as Doc).paths['/api/predict'].post.requestBody.content['application/json'];
    assert.equal(body.schema.required, undefined);
    assert.ok(body.schema.properties.text);
    assert.deepEqual(body.example, { text: 'Where is my parcel?' });
  });

  it('a model without a tokenizer refuses "text" and says what it takes', async () => {
    const plain = await startPreview(fixtureModel('two-inputs'));
    try {
      const res = await plain.post('/api/predict', { text: 'hello' });
      assert.equal(res.status, 400);
      assert.match(res.json.error, /this model takes no text \(no tokenizer.json beside it that fits its inputs\); send its inputs as tensors, e\.g\. \{"inputs"/);
      assert.equal((await card(plain)).text, undefined);
    } finally {
      await plain.stop();
    }
  });
});

describe('server: a text model whose tokenizer states no length', function () {
  this.timeout(30_000);

  it('falls back to the model’s position embeddings (without it a long text fails inside onnxruntime)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mp-hf-text-'));
    try {
      await cp(FOLDER, dir, { recursive: true });
      const config = JSON.parse(await readFile(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
      // What transformers writes when a tokenizer has no limit: int(1e30).
      await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, model_max_length: 'X' }).replace('"X"', '1000000000000000019884624838656'));
      const p = await startPreview(path.join(dir, 'model.onnx'));
      try {
        const c = await card(p);
        assert.equal(c.text?.maxLength, 64);
        assert.equal(c.text?.maxLengthFrom, 'config.json max_position_embeddings');
        const res = await p.post('/api/predict', { text: 'the refund was billed after i cancelled '.repeat(20) });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.tokens.ids.length, 64);
      } finally {
        await p.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('server: a Hugging Face image classifier folder', function () {
  this.timeout(30_000);

  it('the card carries preprocessor_config.json’s size, filter, rescale, mean and std, and config.json’s class names', async () => {
    const p = await startPreview(path.join(REPO_ROOT, 'test', 'fixtures', 'hf', 'image-colours', 'model.onnx'));
    try {
      const c = await card(p);
      assert.deepEqual(c.folder, { files: ['config.json', 'preprocessor_config.json'], problems: [] });
      assert.deepEqual(c.hints.inputs.pixel_values, {
        kind: 'image', label: 'Picture',
        image: { width: 32, height: 32, channels: 'RGB', layout: 'NCHW', resize: 'stretch', resample: 'bicubic', scale: 0.00392156862745098, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      });
      assert.deepEqual(c.hints.outputs.logits.classNames, ['red', 'green', 'blue', 'yellow']);
      assert.equal(c.hints.title, 'tiny-colour-classifier');
      assert.equal(c.text, undefined);
    } finally {
      await p.stop();
    }
  });
});

describe('server: a Hugging Face audio classifier folder', function () {
  this.timeout(30_000);

  it('the feature extractor’s sampling_rate and do_normalize make input_values a sound input', async () => {
    const p = await startPreview(path.join(REPO_ROOT, 'test', 'fixtures', 'hf', 'audio-tone', 'model.onnx'));
    try {
      const c = await card(p);
      assert.deepEqual(c.hints.inputs.input_values, { kind: 'audio', label: 'Sound', audio: { samplingRate: 16000, normalize: false } });
      assert.deepEqual(c.hints.outputs.logits.classNames, ['low tone', 'high tone']);
    } finally {
      await p.stop();
    }
  });
});
