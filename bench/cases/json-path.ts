import * as ort from 'onnxruntime-node';
import { performance } from 'node:perf_hooks';
import { decodeTensor, encodeTensor, encodeTensorForJson, type TensorInput } from '../../src/core/inference/codec';
import { stringifyWithBigInt } from '../../src/core/inference/json';
import { ModelRunner } from '../../src/core/inference/model-runner';
import { prepareV2 } from '../../src/core/inference/requests';
import { createModelSession, describeLoadedModel, prepareModel } from '../../src/core/model/describe';
import { readModelFile } from '../../src/core/model/model-file';
import type { BenchCase, CaseResult } from '../lib/case';
import { imageModel } from '../lib/paths';
import { fmt, median, round } from '../lib/stats';

const RUNS = 20;
const SHAPE = [1, 3, 320, 320];

/**
 * Where the V2 JSON path spends its time for a large tensor, in this process (the worker's own code, no HTTP, no
 * thread hand-off): a 3x320x320 FP32 input of 17-digit numbers (what Python's json.dumps writes for float32 values) to
 * the image-conv model. Stages: decoding and JSON.parse of the body; the envelope, checks and conversion to a
 * Float32Array (prepareV2 less the parse); onnxruntime's run; the answer's serialisation. And the serialisation of a
 * large output (307,200 floats) as a JavaScript array vs straight from its typed array (encodeTensorForJson).
 */
function timeIt(run: () => unknown): number {
  const times: number[] = [];
  for (let i = -3; i < RUNS; i++) {
    const started = performance.now();
    run();
    if (i >= 0) times.push(performance.now() - started);
  }
  return median(times);
}

async function timeAsync(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = -3; i < RUNS; i++) {
    const started = performance.now();
    await run();
    if (i >= 0) times.push(performance.now() - started);
  }
  return median(times);
}

export const jsonPath: BenchCase = {
  name: 'json-path',
  description: 'V2 JSON for a 3x320x320 FP32 input, in-process: parse, checks and conversion, onnxruntime, serialisation (ms per stage)',
  async run({ log }): Promise<CaseResult> {
    const model = await readModelFile(imageModel);
    const prepared = prepareModel(model);
    const session = await createModelSession(model, prepared, {});
    try {
      const description = describeLoadedModel(model, prepared, session);
      const runner = new ModelRunner(session, description);
      const count = SHAPE.reduce((a, b) => a * b, 1);
      const tensor = new Float32Array(count);
      let seed = 7;
      for (let i = 0; i < count; i++) tensor[i] = (((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216) * 4 - 2;
      const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape: SHAPE, datatype: 'FP32', data: Array.from(tensor) }] }));
      const feeds = { image: new ort.Tensor('float32', tensor, SHAPE) };
      const results = await session.run(feeds);
      const large = { type: 'float32', dims: SHAPE, data: tensor };
      log(`json-path: ${RUNS} runs of each stage`);

      const parse = timeIt(() => JSON.parse(body.toString('utf8')));
      const prepare = timeIt(() => prepareV2(description, body));
      const parsed = (JSON.parse(body.toString('utf8')) as { inputs: TensorInput[] }).inputs[0];
      const convert = timeIt(() => decodeTensor(description.inputs[0], parsed));
      const inference = await timeAsync(() => session.run(feeds));
      const answer = (encode: typeof encodeTensorForJson) => stringifyWithBigInt({ outputs: description.outputs.map((o) => encode(o.name, o.datatype, results[o.name], 'exact')) });
      const serialiseArray = timeIt(() => answer(encodeTensor));
      const serialiseTyped = timeIt(() => answer(encodeTensorForJson));
      const largeArray = timeIt(() => stringifyWithBigInt({ outputs: [encodeTensor('y', 'FP32', large, 'exact')] }));
      const largeTyped = timeIt(() => stringifyWithBigInt({ outputs: [encodeTensorForJson('y', 'FP32', large, 'exact')] }));
      const whole = await timeAsync(() => runner.run('v2', body, Date.now()));

      const row = (stage: string, ms: number) => [stage, fmt(ms, 2), fmt(ms / inference, 1)];
      return {
        tables: [{
          title: `V2 JSON, ${body.length} bytes in, image-conv (median ms; x onnxruntime's run)`,
          rows: [
            ['stage', 'ms', 'x run'],
            row('UTF-8 decoding + JSON.parse of the body', parse),
            row('checks and conversion to a Float32Array (decodeTensor)', convert),
            row('all of the request\'s preparation (prepareV2: parse, envelope, checks)', prepare),
            row('onnxruntime run (the floor)', inference),
            row('answer serialised (2 outputs, 6,410 floats), as arrays', serialiseArray),
            row('answer serialised, straight from the typed arrays', serialiseTyped),
            row('the worker\'s whole job (ModelRunner.run)', whole),
            row('a 307,200-float output serialised as an array', largeArray),
            row('a 307,200-float output straight from its typed array', largeTyped),
          ],
        }],
        notes: [],
        checks: [],
        data: {
          bodyBytes: body.length, parseMs: round(parse, 3), convertMs: round(convert, 3), prepareMs: round(prepare, 3), runMs: round(inference, 3),
          answerArrayMs: round(serialiseArray, 3), answerTypedMs: round(serialiseTyped, 3), wholeMs: round(whole, 3),
          largeOutputArrayMs: round(largeArray, 3), largeOutputTypedMs: round(largeTyped, 3),
        },
      };
    } finally {
      await session.release();
    }
  },
};
