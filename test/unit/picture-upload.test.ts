import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { storedPrediction } from '../../src/core/feedback/stored-prediction';
import { TensorInputError, type DecodedTensor } from '../../src/core/inference/codec';
import { predictResponse, preparePredict } from '../../src/core/inference/requests';
import { nest } from '../../src/page/logic/input-plan';
import { PictureUpload, predictRequest } from '../../src/page/logic/compact-predict';
import { tensorValues, type Preprocessing } from '../../src/shared/image-tensor';
import type { ModelDescription } from '../../src/shared/model-card';
import type { TensorSpec, V2Datatype } from '../../src/shared/v2';

/*
 * The page's compact upload (shared/picture-upload.ts): a picture's 8-bit RGB pixels, turned into the tensor in the
 * worker. The model must get exactly the tensor the page sent before as JSON numbers, and the prediction record must
 * hold exactly the values it held then.
 */

const modelWith = (input: TensorSpec): ModelDescription => ({
  name: 'picture-model', file: '/models/picture-model.onnx', fileSize: 1, sha256: 'ab'.repeat(32), version: 'abababababab',
  inputs: [input], outputs: [{ name: 'out', datatype: 'FP32', shape: ['batch', 1] }], nonTensorOutputs: [],
  opsets: [{ domain: 'ai.onnx', version: 17 }], metadataProps: {}, facts: [],
});

/** A picture with every byte value in each channel and no two channels alike: gradients and a pseudo-random part. */
function testPicture(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  let seed = 7;
  for (let i = 0; i < width * height; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    rgb[i * 3] = i % 256;
    rgb[i * 3 + 1] = (seed >>> 24) & 255;
    rgb[i * 3 + 2] = 255 - ((i * 7) % 256);
  }
  return rgb;
}

/**
 * The tensor by the written rule (shared/image-tensor.ts's comment), computed element by element from its index —
 * an oracle independent of the code under test: value = ((invert ? 255 - p : p) * scale - mean[c]) / std[c], in double
 * precision, then stored as a float32.
 */
function oracle(rgb: Uint8Array, p: Preprocessing): Float32Array {
  const channels = p.channels === 'L' ? 1 : 3;
  const { width: w, height: h } = p;
  const out = new Float32Array(w * h * channels);
  const pick = (v: readonly number[] | undefined, c: number, d: number) => (v ? v[Math.min(c, v.length - 1)] : d);
  for (let index = 0; index < out.length; index++) {
    const [c, y, x] = p.layout === 'NCHW'
      ? [Math.floor(index / (w * h)), Math.floor((index % (w * h)) / w), index % w]
      : [index % channels, Math.floor(index / (w * channels)), Math.floor(index / channels) % w];
    const px = [0, 1, 2].map((k) => (p.invert ? 255 - rgb[(y * w + x) * 3 + k] : rgb[(y * w + x) * 3 + k]));
    const raw = channels === 1 ? 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2] : px[p.channels === 'BGR' ? 2 - c : c];
    out[index] = (raw * (p.scale ?? 1 / 255) - pick(p.mean, c, 0)) / pick(p.std, c, 1);
  }
  return out;
}

const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** The new way: the page's own request builder, then the worker's preparation of it. */
function sentAsPixels(model: ModelDescription, rgb: Uint8Array, p: Preprocessing, shape: number[]): DecodedTensor {
  const request = predictRequest({ inputs: { [model.inputs[0].name]: new PictureUpload(rgb, p, shape) } });
  assert.equal(request.headers['Content-Type'], 'application/octet-stream');
  const jsonLength = Number(request.headers['Inference-Header-Content-Length']);
  return preparePredict(model, request.body, jsonLength).feeds[model.inputs[0].name];
}

/** The old way: the page's tensor as JSON numbers (tensorValues, nested to the shape), decoded by the worker. */
function sentAsJson(model: ModelDescription, tensor: Float32Array, shape: number[]): DecodedTensor {
  const perPicture = tensorValues(tensor, model.inputs[0].datatype);
  const flat = Array.from({ length: shape.reduce((a, b) => a * b, 1) / perPicture.length }, () => perPicture).flat();
  const json = JSON.stringify({ inputs: { [model.inputs[0].name]: nest(flat, shape) } });
  return preparePredict(model, Buffer.from(json)).feeds[model.inputs[0].name];
}

const bytesOf = (t: DecodedTensor['data'] | Float32Array) => Buffer.from((t as Float32Array).buffer, (t as Float32Array).byteOffset, (t as Float32Array).byteLength);

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const W = 20, H = 16;

/**
 * The record's line and blobs as the HTTP thread made them before the worker did (JSON.parse of the worker's record,
 * each tensor of more than 4,096 values moved to a blob of JSON.stringify of its values): the stored form to keep.
 */
function storedTheOldWay(record: unknown): { line: string; blobs: Record<string, string> } {
  const parsed = JSON.parse(JSON.stringify(record)) as { inputs: Record<string, { datatype: string; shape: number[]; data?: unknown[]; blob?: string }> };
  const blobs: Record<string, string> = {};
  for (const [name, tensor] of Object.entries(parsed.inputs)) {
    if (tensor.data!.length <= 4096) continue;
    const text = JSON.stringify(tensor.data);
    const ref = `blobs/${createHash('sha256').update(text).digest('hex')}.json`;
    blobs[ref] = text;
    parsed.inputs[name] = { datatype: tensor.datatype, shape: tensor.shape, blob: ref };
  }
  return { line: JSON.stringify(parsed), blobs };
}

const storedTheNewWay = (record: Parameters<typeof storedPrediction>[0]) => {
  const { line, blobs } = storedPrediction(record);
  return { line, blobs: Object.fromEntries(blobs.map((b) => [b.ref, Buffer.from(b.bytes).toString('utf8')])) };
};

describe('compact picture upload: the worker makes the tensor the page made', () => {
  const cases: Array<{ name: string; p: Preprocessing; datatype?: V2Datatype }> = [
    { name: 'NCHW RGB with ImageNet mean/std', p: { width: W, height: H, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, invert: false, ...IMAGENET } },
    { name: 'NHWC RGB with ImageNet mean/std', p: { width: W, height: H, channels: 'RGB', layout: 'NHWC', scale: 1 / 255, invert: false, ...IMAGENET } },
    { name: 'NHWC BGR, one mean and std for all channels', p: { width: W, height: H, channels: 'BGR', layout: 'NHWC', scale: 1, invert: false, mean: [127.5], std: [127.5] } },
    { name: 'NCHW greyscale, inverted', p: { width: W, height: H, channels: 'L', layout: 'NCHW', scale: 1 / 255, invert: true } },
    { name: 'UINT8 model, scale 1 (integers, rounded as the page rounds)', p: { width: W, height: H, channels: 'L', layout: 'NHWC', scale: 1, invert: false }, datatype: 'UINT8' },
  ];
  // Small pictures are stored inline in the record; large ones (more than 4,096 values) as a blob, their values
  // worked out once per distinct value (picture-input.ts): both must give the JSON upload's tensor and record.
  const sizes = [{ size: 'small', w: W, h: H }, { size: 'large', w: 80, h: 64 }];
  for (const { name, p: small, datatype = 'FP32' } of cases) for (const { size, w, h } of sizes) {
    it(`${name}, ${size} (${w}x${h}): bit for bit the JSON upload's tensor, and the same stored record and blob`, () => {
      const p = { ...small, width: w, height: h };
      const c = p.channels === 'L' ? 1 : 3;
      const shape = p.layout === 'NCHW' ? [1, c, h, w] : [1, h, w, c];
      const model = modelWith({ name: 'image', datatype, shape: ['batch', ...shape.slice(1)] });
      const rgb = testPicture(w, h);
      const pageTensor = oracle(rgb, p);
      const viaPixels = sentAsPixels(model, rgb, p, shape);
      const viaJson = sentAsJson(model, pageTensor, shape);
      assert.deepEqual(viaPixels.dims, shape);
      if (datatype === 'FP32') assert.ok(bytesOf(viaPixels.data).equals(bytesOf(pageTensor)), 'the float32 tensor is the page\'s, bit for bit');
      assert.ok(bytesOf(viaPixels.data).equals(bytesOf(viaJson.data)), 'the tensor is the JSON upload\'s, bit for bit');
      // The record keeps the values the JSON form had (9 significant digits), so stored pictures read as before.
      const record = (feeds: Record<string, DecodedTensor>) => predictResponse(model, feeds, [], { inferenceMs: 0, totalMs: 0 }).record;
      const [pixelsRecord, jsonRecord] = [record({ image: viaPixels }), record({ image: viaJson })];
      assert.deepEqual(JSON.parse(JSON.stringify(pixelsRecord.inputs)), jsonRecord.inputs);
      // Stored as before: the same line (but its id and time) and the same blob files, byte for byte.
      const same = { predictionId: 'p', ts: 't' };
      const stored = storedTheNewWay({ ...pixelsRecord, ...same });
      assert.deepEqual(stored, storedTheOldWay({ ...jsonRecord, ...same }));
      assert.deepEqual(storedTheNewWay({ ...jsonRecord, ...same }), stored);
      assert.equal(Object.keys(stored.blobs).length, shape.reduce((a, b) => a * b, 1) > 4096 ? 1 : 0);
    });
  }

  it('a fixed batch of 2: the one picture fills both, as the page repeats one example', () => {
    const p: Preprocessing = { width: W, height: H, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, invert: false, ...IMAGENET };
    const model = modelWith({ name: 'image', datatype: 'FP32', shape: [2, 3, H, W] });
    const rgb = testPicture(W, H);
    const viaPixels = sentAsPixels(model, rgb, p, [2, 3, H, W]);
    const one = oracle(rgb, p);
    const both = new Float32Array(one.length * 2);
    both.set(one);
    both.set(one, one.length);
    assert.ok(bytesOf(viaPixels.data).equals(bytesOf(both)));
  });

  it('is 1/4 of the tensor as float32 bytes, plus a short JSON', () => {
    const p: Preprocessing = { width: 320, height: 320, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, invert: false, ...IMAGENET };
    const request = predictRequest({ inputs: { image: new PictureUpload(testPicture(320, 320), p, [1, 3, 320, 320]) } });
    const size = request.body.byteLength;
    assert.ok(size <= 320 * 320 * 3 + 400, `${size} bytes`);
  });
});

describe('compact picture upload: mistakes are answered in words', () => {
  const p: Preprocessing = { width: 4, height: 2, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, invert: false };
  const model = modelWith({ name: 'image', datatype: 'FP32', shape: ['batch', 3, 2, 4] });
  const send = (json: unknown, bytes: Uint8Array, jsonLength?: number) => {
    const head = Buffer.from(JSON.stringify(json));
    return () => preparePredict(model, concat([head, bytes]), jsonLength ?? head.length);
  };
  const picture = (extra: Record<string, unknown> = {}) => ({ picture: p, shape: [1, 3, 2, 4], parameters: { binary_data_size: 24 }, ...extra });
  const rejects = (fn: () => unknown, message: RegExp) => assert.throws(fn, (err: unknown) => err instanceof TensorInputError && message.test(err.message));

  it('bytes that are not width x height x 3', () => {
    rejects(send({ inputs: { image: picture({ parameters: { binary_data_size: 20 } }) } }, new Uint8Array(20)),
      /^input 'image': a 4x2 picture is 24 bytes of 8-bit RGB, but binary_data_size is 20$/);
  });

  it('a shape that is not a whole number of pictures', () => {
    rejects(send({ inputs: { image: picture({ shape: [1, 3, 2, 5] }) } }, new Uint8Array(24)),
      /^input 'image': shape \[1, 3, 2, 5\] holds 30 values, which is not a whole number of 4x2 pictures of 24 values/);
  });

  it('a shape the model does not take', () => {
    rejects(send({ inputs: { image: picture({ shape: [1, 24] }) } }, new Uint8Array(24)), /^input 'image': expected shape \[batch, 3, 2, 4\]/);
  });

  it('a picture description with a mistake names the field', () => {
    rejects(send({ inputs: { image: picture({ picture: { ...p, layout: 'CHW' } }) } }, new Uint8Array(24)), /^input 'image': picture\.layout: /);
    rejects(send({ inputs: { image: picture({ extra: 1 }) } }, new Uint8Array(24)), /^input 'image': .*extra/);
  });

  it('pixels without the Inference-Header-Content-Length header', () => {
    rejects(() => preparePredict(model, Buffer.from(JSON.stringify({ inputs: { image: picture() } }))), /no Inference-Header-Content-Length header/);
  });

  it('bytes left over after the pictures', () => {
    rejects(send({ inputs: { image: picture() } }, new Uint8Array(30)), /^6 bytes after the binary inputs belong to no input/);
  });

  it('a raw request (header 0) is for the V2 route', () => {
    rejects(() => preparePredict(model, new Uint8Array(24), 0), /^a raw binary request .* is for \/v2\/models\/picture-model\/infer/);
  });
});
