import * as fs from 'node:fs';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { performance } from 'node:perf_hooks';
import type { Preprocessing } from '../../src/shared/image-tensor';
import { PictureUpload, predictRequest } from '../../src/page/logic/compact-predict';
import type { BenchCase, CaseResult } from '../lib/case';
import { imageModel } from '../lib/paths';
import { makeDataDir, startOurServer, type ServerProcess } from '../lib/processes';
import { fmt, median, percentile, round } from '../lib/stats';

const RUNS = 30;
const WARMUP = 3;
const SHAPE = [1, 3, 320, 320];
const TARGET_RATIO = 2;
const PREPROCESSING: Preprocessing = {
  width: 320, height: 320, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], invert: false,
};

/**
 * The page's prediction of a picture (/api/predict, its own request code, gzipped as Chromium sends it) on the
 * 3x320x320 image model, one worker, sequential: a new picture every time (each stores a new blob, fsync'd) and the
 * same one again (its blob is on disk already), against V2 binary tensor data of the same tensor size. image-binary
 * sends one picture over and over; people mostly send new ones.
 */
function picture(seed: number): Uint8Array {
  const rgb = new Uint8Array(320 * 320 * 3);
  for (let i = 0; i < rgb.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    rgb[i] = (((i / 3) % 320) * 0.6 + (seed >>> 26)) & 255; // a gradient with noise: ~256 values per channel
  }
  return rgb;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(server: ServerProcess, route: string, body: Uint8Array, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(server.baseUrl + route, {
      method: 'POST', agent, headers: { authorization: `Bearer ${server.token}`, 'content-length': String(body.length), ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The body made before the clock starts: what is timed is the server's round trip. */
function pageBody(rgb: Uint8Array): { body: Uint8Array; headers: Record<string, string> } {
  const request = predictRequest({ inputs: { image: new PictureUpload(rgb, PREPROCESSING, SHAPE) } });
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { body: zlib.gzipSync(request.body), headers: { ...headers, 'content-encoding': 'gzip' } };
}

function binaryBody(): { body: Uint8Array; headers: Record<string, string> } {
  const tensor = new Float32Array(3 * 320 * 320).map((_, i) => ((i % 255) - 128) / 64);
  const head = Buffer.from(JSON.stringify({
    inputs: [{ name: 'image', shape: SHAPE, datatype: 'FP32', parameters: { binary_data_size: tensor.byteLength } }], parameters: { binary_data_output: true },
  }));
  return { body: Buffer.concat([head, Buffer.from(tensor.buffer)]), headers: { 'inference-header-content-length': String(head.length) } };
}

export const pagePicture: BenchCase = {
  name: 'page-picture',
  description: `the page's prediction of a 320x320 picture on a 3x320x320 FP32 model, 1 worker, ${RUNS} sequential requests: a new picture each time and the same again, vs V2 binary`,
  async run({ log }): Promise<CaseResult> {
    const dataDir = makeDataDir();
    const server = await startOurServer({ label: 'serve image-conv', dataDir, model: imageModel, extraArgs: ['--workers', '1'] });
    const times: Record<'fresh' | 'same' | 'binary', number[]> = { fresh: [], same: [], binary: [] };
    try {
      log(`page-picture: new pictures, the same picture and V2 binary in turns, ${RUNS} runs`);
      const same = pageBody(picture(1));
      const binary = binaryBody();
      for (let turn = -WARMUP; turn < RUNS; turn++) {
        const fresh = pageBody(picture(1000 + turn));
        for (const [name, request, route] of [['fresh', fresh, '/api/predict'], ['same', same, '/api/predict'], ['binary', binary, '/v2/models/image-conv/infer']] as const) {
          const started = performance.now();
          const status = await post(server, route, request.body, request.headers);
          if (status !== 200) throw new Error(`${name} answered ${status}`);
          if (turn >= 0) times[name].push(performance.now() - started);
        }
      }
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    for (const list of Object.values(times)) list.sort((a, b) => a - b);
    const binaryMs = median(times.binary);
    const row = (name: string, list: number[]) => [name, fmt(median(list), 2), fmt(percentile(list, 90), 2), fmt(median(list) / binaryMs, 2)];
    const ratio = (list: number[]) => median(list) / binaryMs;
    return {
      tables: [{
        title: 'round trip per request (ms; ratio to V2 binary)',
        rows: [
          ['path', 'median', 'p90', 'ratio'],
          row('V2 binary (binary_data_output)', times.binary),
          row('page /api/predict, a new picture (a new blob)', times.fresh),
          row('page /api/predict, the same picture again', times.same),
        ],
      }],
      notes: ['A new picture writes and fsyncs its ~2.7 MB blob (the values as JSON) before the answer; the same picture again finds it on disk.'],
      checks: [
        { target: `page prediction of a new picture <= ${TARGET_RATIO}x V2 binary`, actual: `${fmt(ratio(times.fresh), 2)}x (${fmt(median(times.fresh), 2)} vs ${fmt(binaryMs, 2)} ms)`, pass: ratio(times.fresh) <= TARGET_RATIO },
        { target: `page prediction of the same picture <= ${TARGET_RATIO}x V2 binary`, actual: `${fmt(ratio(times.same), 2)}x (${fmt(median(times.same), 2)} vs ${fmt(binaryMs, 2)} ms)`, pass: ratio(times.same) <= TARGET_RATIO },
      ],
      data: { binaryMs: round(binaryMs, 3), freshMs: round(median(times.fresh), 3), sameMs: round(median(times.same), 3), freshRatio: round(ratio(times.fresh), 3), sameRatio: round(ratio(times.same), 3) },
    };
  },
};
