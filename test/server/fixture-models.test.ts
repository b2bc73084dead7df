import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import {
  assertTensor, FIXTURE_DIR, fixtureModel, loadExpected, nest, startPreview, unsafeDigits, v2Body, v2Outputs, type Preview,
} from '../helpers/preview';

/**
 * Every fixture model, served for real, against the outputs its generator script computed independently (numpy, or
 * scikit-learn's own predict/predict_proba for the skl2onnx-style graphs), through both front doors: the Open
 * Inference Protocol and /api/predict.
 */
const MODELS = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, '')).sort();

describe('server: fixture models give their expected outputs', function () {
  this.timeout(20_000);
  it('finds the fixture models', () => {
    for (const name of ['int64-offset', 'string-upper', 'bool-not', 'uint8-scale', 'fp64-square', 'two-inputs', 'fixed-shape', 'zipmap-classifier', 'identity-all-types', 'slow-matmul',
      'sequence-output', 'sklearn-zipmap-int', 'sklearn-zipmap-strings', 'sklearn-dataframe', 'sklearn-array-pipeline', 'external-data']) {
      assert.ok(MODELS.includes(name), `${name}.expected.json is missing from ${FIXTURE_DIR}`);
    }
  });

  for (const name of MODELS) {
    describe(name, function () {
      const expected = loadExpected(name);
      // The identity model must give back exactly what it got, floats included.
      const exact = name === 'identity-all-types';
      let preview: Preview;

      before(async () => {
        preview = await startPreview(fixtureModel(name));
      });
      after(async () => {
        await preview?.stop();
      });

      expected.cases.forEach((c, i) => {
        it(`case ${i}: POST /v2/models/${name}/infer`, async () => {
          const res = await preview.post(`/v2/models/${name}/infer`, v2Body(c.inputs));
          assert.equal(res.status, 200, res.text);
          assert.equal(res.json.model_name, name);
          assert.equal(res.json.model_version, preview.session.card()!.version);
          const outputs = v2Outputs(res.text);
          assert.deepEqual(outputs.map((o) => o.name).sort(), Object.keys(c.outputs).sort(), 'the output names');
          for (const [outName, want] of Object.entries(c.outputs)) {
            const got = outputs.find((o) => o.name === outName)!;
            assertTensor(got, want, `v2 output '${outName}'`, exact);
            // JSON.parse would round these: the exact digits must be in the answer text itself, as integers.
            for (const digits of unsafeDigits(want)) {
              assert.ok(new RegExp(`[\\[,]${digits}[,\\]]`).test(res.text), `the answer holds ${digits} as an exact JSON integer: ${res.text}`);
            }
          }
        });

        it(`case ${i}: POST /api/predict`, async () => {
          const inputs = Object.fromEntries(Object.entries(c.inputs).map(([n, t]) => [n, nest(t.data, t.shape)]));
          const res = await preview.post('/api/predict', { inputs });
          assert.equal(res.status, 200, res.text);
          const body = res.json;
          assert.equal(body.model, name);
          assert.equal(body.modelVersion, preview.session.card()!.version);
          assert.match(body.predictionId, /^[0-9a-f-]{36}$/);
          assert.deepEqual(Object.keys(body.outputs).sort(), Object.keys(c.outputs).sort(), 'the output names');
          for (const [outName, want] of Object.entries(c.outputs)) {
            // Read with plain JSON.parse: for JavaScript readers, INT64 values past 2^53 must arrive as decimal strings
            // (assertTensor refuses an INT64 number that is not a safe integer, i.e. one JSON.parse may have rounded).
            assertTensor(body.outputs[outName], want, `predict output '${outName}'`, exact);
            for (const digits of unsafeDigits(want)) {
              assert.ok((body.outputs[outName].data as unknown[]).includes(digits), `${digits} comes back as a decimal string`);
            }
          }
        });
      });

      if (name === 'zipmap-classifier') {
        it('serves its ZipMap as the FP32 [batch, 3] `probabilities` tensor, listed in its V2 metadata', async () => {
          const res = await preview.get('/v2/models/zipmap-classifier');
          assert.equal(res.status, 200, res.text);
          assert.deepEqual(res.json.outputs, [{ name: 'label', datatype: 'INT64', shape: [-1] }, { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }]);
          assert.deepEqual(res.json.inputs, [{ name: 'X', datatype: 'FP32', shape: [-1, 2] }]);
          // and asking for one output works as for any model
          const label = await preview.post('/v2/models/zipmap-classifier/infer', v2Body(expected.cases[0].inputs, { outputs: [{ name: 'label' }] }));
          assert.equal(label.status, 200, label.text);
          assert.deepEqual(label.json.outputs.map((o: { name: string }) => o.name), ['label']);
          assert.deepEqual(label.json.outputs[0].data, [0, 1, 2, 1]);
        });
      }

      if (name === 'sequence-output') {
        it('answers 400 when its non-tensor output `pieces` is requested, and serves the rest', async () => {
          assert.deepEqual((await preview.get('/v2/models/sequence-output')).json.outputs, [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }]);
          const res = await preview.post('/v2/models/sequence-output/infer', v2Body(expected.cases[0].inputs, { outputs: [{ name: 'pieces' }] }));
          assert.equal(res.status, 400, res.text);
          assert.match(res.json.error, /'pieces' is not a tensor/);
          const viaPredict = await preview.post('/api/predict', { inputs: { x: [1, 2] }, outputs: ['pieces'] });
          assert.equal(viaPredict.status, 400, viaPredict.text);
          assert.match(viaPredict.json.error, /'pieces' is not a tensor/);
        });
      }

      if (name === 'fixed-shape') {
        it('answers 400 naming the expected shape [2, 3] for a [3, 3] input', async () => {
          const res = await preview.post('/v2/models/fixed-shape/infer', {
            inputs: [{ name: 'grid', shape: [3, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8, 9] }],
          });
          assert.equal(res.status, 400, res.text);
          assert.match(res.json.error, /input 'grid'/);
          assert.match(res.json.error, /expected shape \[2, 3\]/);
          assert.match(res.json.error, /got \[3, 3\]/);
          const viaPredict = await preview.post('/api/predict', { inputs: { grid: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] } });
          assert.equal(viaPredict.status, 400, viaPredict.text);
          assert.match(viaPredict.json.error, /expected shape \[2, 3\]/);
        });
      }

      if (name === 'int64-offset') {
        it('refuses an INT64 beyond 2^53 sent as a JSON number (it may already be rounded) with 400', async () => {
          const res = await preview.post('/v2/models/int64-offset/infer', '{"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":[0,9007199254740993,2]}]}');
          assert.equal(res.status, 400, res.text);
          assert.match(res.json.error, /input 'x': element 1/);
          assert.match(res.json.error, /send larger INT64\/UINT64 values as decimal strings/);
        });

        it('refuses a decimal string outside the INT64 range with 400', async () => {
          const res = await preview.post('/v2/models/int64-offset/infer', {
            inputs: [{ name: 'x', shape: [1, 3], datatype: 'INT64', data: [0, '9223372036854775808', 2] }],
          });
          assert.equal(res.status, 400, res.text);
          assert.match(res.json.error, /input 'x': element 1 is "9223372036854775808", expected a value in the INT64 range/);
        });
      }

      if (name === 'identity-all-types') {
        it('refuses out-of-range values for the small integer types with 400', async () => {
          const body = v2Body(expected.cases[0].inputs) as { inputs: Array<{ name: string; data: unknown[] }> };
          body.inputs.find((t) => t.name === 'in_uint8')!.data = [0, 256, 1, 2];
          const res = await preview.post('/v2/models/identity-all-types/infer', body);
          assert.equal(res.status, 400, res.text);
          assert.match(res.json.error, /input 'in_uint8': element 1 is 256, expected an integer from 0 to 255 \(UINT8\)/);
        });
      }
    });
  }
});
