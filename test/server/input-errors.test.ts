import assert from 'node:assert/strict';
import { newKey, predictIris, sendFeedback } from '../helpers/feedback-kit';
import { fixtureModel, IRIS_MODEL, startPreview, type Preview, type Reply } from '../helpers/preview';

const INFER = '/v2/models/iris/infer';
const v2 = (data: unknown[]) => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data }] });
/** The same URL through express instead of the fast path (the fast path takes no query string). */
const viaExpress = (url: string) => `${url}?via=express`;

/** No raw control or direction characters in what a client (and then a page, a terminal, a log) is shown. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

function assertError(res: Reply, status: number, message: RegExp | string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(typeof res.json?.error, 'string', res.text);
  if (typeof message === 'string') assert.equal(res.json.error, message);
  else assert.match(res.json.error, message);
  assert.doesNotMatch(res.json.error, RAW_CONTROLS, 'control characters are made visible');
}

/** Issue 9: each mistake gets a 4xx whose message a newcomer can act on — what was wrong, where, and what to send. */
describe('server: input mistakes get a clear 4xx', function () {
  this.timeout(20_000);
  let iris: Preview;
  before(async () => {
    iris = await startPreview(IRIS_MODEL);
  });
  after(() => iris?.stop());

  describe('floats: finite and within their type, whatever the spelling', () => {
    it('an FP32 value beyond its range (1e39) is 400 naming the input and the element, on both paths', async () => {
      const message = "input 'features': element 2 is 1e+39, expected a number within the FP32 range ±3.4028235e38";
      assertError(await iris.post(INFER, v2([1, 1, 1e39, 1])), 400, message);
      assertError(await iris.post(viaExpress(INFER), v2([1, 1, 1e39, 1])), 400, message);
      assertError(await iris.post('/api/predict', { inputs: { features: [1, 1, 1e39, 1] } }), 400, message);
    });

    it('the strings "NaN" and "Infinity" are 400 naming the input and the element, not answered with "NaN" outputs', async () => {
      assertError(await iris.post(INFER, v2(['NaN', 1, 1, 1])), 400, `input 'features': element 0 is "NaN", expected a finite number (inputs cannot be NaN or infinite)`);
      assertError(await iris.post('/api/predict', { inputs: { features: [1, 'Infinity', 1, 1] } }), 400, `input 'features': element 1 is "Infinity", expected a finite number (inputs cannot be NaN or infinite)`);
    });

    it("Python's NaN and Infinity literals (not JSON) are 400 saying so", async () => {
      assertError(await iris.post(INFER, '{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [NaN, 1, 1, 1]}]}'), 400,
        /^the request body is not valid JSON \(.*\); NaN and Infinity are not JSON, and inputs must be finite numbers$/);
    });
  });

  describe('charset: JSON is UTF-8', () => {
    const utf16 = { 'content-type': 'application/json; charset=utf-16' };
    const message = 'unsupported charset "utf-16": send the JSON body as UTF-8 (Content-Type: application/json, with charset=utf-8 or none)';

    it('a body that declares another charset is 415 on every JSON route, on both paths', async () => {
      assertError(await iris.post(INFER, v2([5.1, 3.5, 1.4, 0.2]), undefined, utf16), 415, message);
      assertError(await iris.post(viaExpress(INFER), v2([5.1, 3.5, 1.4, 0.2]), undefined, utf16), 415, message);
      assertError(await iris.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } }, undefined, utf16), 415, message);
      const p = await predictIris(iris);
      assertError(await sendFeedback(iris, { predictionId: p.predictionId, rating: 'up', idempotencyKey: newKey() }, undefined, utf16), 415, message);
      assertError(await iris.post(INFER, v2([5.1, 3.5, 1.4, 0.2]), undefined, { 'content-type': 'application/json; charset="ISO-8859-1"' }), 415, /^unsupported charset "ISO-8859-1"/);
    });

    it('UTF-8 in any spelling, or no charset, is served', async () => {
      for (const type of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf8"', 'application/json', 'text/plain']) {
        assert.equal((await iris.post(INFER, v2([5.1, 3.5, 1.4, 0.2]), undefined, { 'content-type': type })).status, 200, type);
      }
    });
  });

  describe("what the client sent is quoted visibly, never acted on", () => {
    it('direction overrides and control characters in a model name, an input name or a prediction id are made visible', async () => {
      const name = encodeURIComponent('iris\u202Egnp.exe');
      const unknownModel = await iris.get(`/v2/models/${name}/ready`);
      assertError(unknownModel, 404, "unknown model 'iris\\u202egnp.exe'; this server serves 'iris'");
      const unknownInput = await iris.post('/api/predict', { inputs: { 'feat\u001b[31mures': [1, 2, 3, 4] } });
      assertError(unknownInput, 400, "unknown input 'feat\\u001b[31mures'; the model's inputs are: features");
      const feedback = await sendFeedback(iris, { predictionId: 'x\u2067\nforged line', rating: 'up', idempotencyKey: newKey() });
      assertError(feedback, 400, "predictionId: no prediction 'x\\u2067\\nforged line' was made by this server");
    });
  });

  describe('a body sent to the wrong route', () => {
    it('the /api/predict shape sent to V2 infer says what V2 takes, with an example for this model, and where to send it', async () => {
      const res = await iris.post(INFER, { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
      assertError(res, 400, 'inputs: /v2/models/iris/infer takes a list of tensors, e.g. {"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [0, 0, 0, 0]}]}; '
        + 'this body has an object of input names to data, the shape /api/predict takes: send it there, or make "inputs" a list');
    });

    it('the V2 shape sent to /api/predict says what /api/predict takes, with an example, and where V2 goes', async () => {
      const res = await iris.post('/api/predict', v2([5.1, 3.5, 1.4, 0.2]));
      assertError(res, 400, 'inputs: /api/predict takes an object of input names to data, e.g. {"inputs": {"features": [0, 0, 0, 0]}}; '
        + 'this body has a list of tensors, the shape /v2/models/iris/infer (the Open Inference Protocol) takes: send it there');
      assertError(await iris.post('/api/predict', { features: [1, 2, 3, 4] }), 400, /^inputs: \/api\/predict takes an object of input names to data, e\.g\. .*; this body has no "inputs"$/);
    });
  });

  describe('feedback submissions', () => {
    it('a missing or short idempotencyKey says it is required, its length, and what it is for', async () => {
      const p = await predictIris(iris);
      const rule = 'a text of 8 to 100 characters that the client chooses once per piece of feedback and sends unchanged with every retry (a UUID will do); a repeated key is stored once';
      assertError(await sendFeedback(iris, { predictionId: p.predictionId, rating: 'up' }), 400, `idempotencyKey: required: ${rule}`);
      assertError(await sendFeedback(iris, { predictionId: p.predictionId, rating: 'up', idempotencyKey: 'abc' }), 400, `idempotencyKey: too short: must be ${rule}`);
      assertError(await sendFeedback(iris, { predictionId: p.predictionId, rating: 'up', idempotencyKey: 'k'.repeat(101) }), 400, `idempotencyKey: too long: must be ${rule}`);
      assertError(await sendFeedback(iris, { predictionId: p.predictionId, rating: 'up', idempotencyKey: 12345678 }), 400, `idempotencyKey: must be ${rule}`);
    });
  });
});

describe('server: a model that fails inside onnxruntime gets a sentence naming the input, and onnxruntime\'s words in details', function () {
  this.timeout(20_000);
  let textModel: Preview;
  let groups: Preview;
  before(async () => {
    [textModel, groups] = await Promise.all([startPreview(fixtureModel('text-to-number')), startPreview(fixtureModel('groups-of-four'))]);
  });
  after(() => Promise.all([textModel?.stop(), groups?.stop()]));

  it('a text that is not a number, for a model that reads numbers from text ("stod")', async () => {
    assert.equal((await textModel.post('/api/predict', { inputs: { amount: [['1.5']] } })).status, 200);
    for (const url of ['/api/predict', viaExpress('/api/predict')]) {
      const res = await textModel.post(url, { inputs: { amount: [['twelve']] } });
      assertError(res, 400, `input 'amount': the model reads a number from this text, and a value is not a number; send digits such as "1.5" (no words, units or empty texts)`);
      assert.match(res.json.details, /^onnxruntime: Non-zero status code returned while running Cast node\. .*stod/);
    }
  });

  it('a text holding a NUL character is 400, on every route, not cut short where onnxruntime would end it', async () => {
    const message = "input 'amount': element 0 contains a NUL character (\\u0000 or byte 0); onnxruntime's strings end at it, so the model would see only the text before it";
    for (const url of ['/api/predict', viaExpress('/api/predict')]) {
      // Without the check the model reads "1.5" and answers 200, as if the client had sent that.
      assertError(await textModel.post(url, { inputs: { amount: [['1.5\u00002']] } }), 400, message);
    }
    for (const url of ['/v2/models/text-to-number/infer', viaExpress('/v2/models/text-to-number/infer')]) {
      assertError(await textModel.post(url, { inputs: [{ name: 'amount', shape: [1, 1], datatype: 'BYTES', data: ['1.5\u00002'] }] }), 400, message);
    }
  });

  it('a size the declared shape allows but a layer inside cannot take (Reshape)', async () => {
    assert.equal((await groups.post('/api/predict', { inputs: { x: [[1, 2, 3, 4, 5, 6, 7, 8]] } })).status, 200);
    const res = await groups.post('/v2/models/groups-of-four/infer', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
    assertError(res, 400, "input 'x' [1, 3] (declared [batch, n]): the model cannot work with this size; a layer inside it needs a size the declared shape leaves open. Send the size the model was trained with (an example input shows it)");
    assert.match(res.json.details, /Reshape node.*cannot be reshaped/s);
  });
});
