import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PictureUpload, predictRequest } from '../../src/page/logic/compact-predict';
import { fixtureModel, IRIS_MODEL, loadExpected, REPO_ROOT, startPreview, type Preview } from '../helpers/preview';
import { specRequest, type SpecInput, type Values } from '../helpers/triton-binary';

/**
 * Fuzzing the binary tensor data extension: valid requests (built from Triton's specification) mutated at random —
 * the header length, the declared sizes, truncated or lengthened bodies, flipped bytes — sent through both fronts.
 * Every answer must be a 200 or a 400 with a JSON error; never a 5xx, never a dropped connection, and the server
 * still answers a good request afterwards. The seed is fixed, and printed with any failure, so a failure can be
 * replayed.
 */

const DIGITS_MODEL = path.join(REPO_ROOT, 'examples/digits/digits.onnx');

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  body: Buffer;
  headers: Record<string, string>;
  what: string;
}

function mutate(base: { body: Buffer; headers: Record<string, string> }, random: () => number): Case {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const int = (n: number) => Math.floor(random() * n);
  const jsonLength = Number(base.headers['Inference-Header-Content-Length']);
  let body = Buffer.from(base.body);
  const headers = { ...base.headers };
  const what: string[] = [];
  for (let steps = 1 + int(3); steps > 0; steps--) {
    switch (int(7)) {
      case 0: {
        const value = pick(['', '0', '-1', 'abc', '1e3', ' 12', String(jsonLength + 1), String(body.length), String(body.length + 1), String(int(body.length * 2)), '99999999999999999999']);
        headers['Inference-Header-Content-Length'] = value;
        what.push(`header=${JSON.stringify(value)}`);
        break;
      }
      case 1: {
        delete headers['Inference-Header-Content-Length'];
        what.push('no header');
        break;
      }
      case 2: {
        const at = int(body.length);
        body = body.subarray(0, at);
        what.push(`truncated at ${at}`);
        break;
      }
      case 3: {
        const extra = Buffer.from(Array.from({ length: 1 + int(40) }, () => int(256)));
        body = Buffer.concat([body, extra]);
        what.push(`+${extra.length} bytes`);
        break;
      }
      case 4: {
        const at = jsonLength + int(Math.max(1, body.length - jsonLength));
        if (at < body.length) body[at] = int(256);
        what.push(`byte ${at} changed`);
        break;
      }
      case 5: {
        // A declared size rewritten in the JSON: larger, smaller, huge, negative, fractional.
        const json = body.subarray(0, jsonLength).toString('latin1');
        const sizes = [...json.matchAll(/"binary_data_size":(\d+)/g)];
        if (sizes.length === 0) break;
        const target = pick(sizes);
        const value = pick(['0', '1', '-4', '2.5', '4294967296', '9007199254740993', '1e400', String(Number(target[1]) + 1 + int(8)), String(Math.max(0, Number(target[1]) - 1 - int(8)))]);
        const rewritten = json.slice(0, target.index) + `"binary_data_size":${value}` + json.slice(target.index! + target[0].length);
        body = Buffer.concat([Buffer.from(rewritten, 'latin1'), body.subarray(jsonLength)]);
        headers['Inference-Header-Content-Length'] = String(Buffer.byteLength(rewritten, 'latin1'));
        what.push(`binary_data_size ${target[1]} -> ${value}`);
        break;
      }
      default: {
        const at = int(Math.min(jsonLength, body.length));
        if (at < body.length) body[at] = pick([0x22, 0x7b, 0x7d, 0x30, 0x2c, int(256)]);
        what.push(`JSON byte ${at} changed`);
      }
    }
  }
  return { body, headers, what: what.join(', ') };
}

describe('server: fuzzing binary tensor requests gets 200 or 400, never a 5xx', function () {
  this.timeout(120_000);
  const SEED = 0x16b1;
  const ROUNDS = 400;
  let iris: Preview;
  let identity: Preview;

  before(async () => {
    [iris, identity] = await Promise.all([startPreview(IRIS_MODEL), startPreview(fixtureModel('identity-all-types'))]);
  });
  after(async () => {
    await Promise.all([iris?.stop(), identity?.stop()]);
  });

  it(`${ROUNDS} mutated requests against two models, through both fronts`, async () => {
    const { inputs } = loadExpected('identity-all-types').cases[0];
    const targets = [
      {
        preview: () => iris, path: '/v2/models/iris/infer',
        base: specRequest([{ name: 'features', datatype: 'FP32', shape: [2, 4], values: [5.1, 3.5, 1.4, 0.2, 6.7, 3, 5.2, 2.3], binary: true }]),
      },
      {
        preview: () => identity, path: '/v2/models/identity-all-types/infer',
        base: specRequest(Object.entries(inputs).map(([name, t], i): SpecInput => ({ name, datatype: t.datatype, shape: t.shape, values: t.data as Values, binary: i % 4 !== 3 }))),
      },
    ];
    const random = generator(SEED);
    const statuses = new Map<number, number>();
    for (let round = 0; round < ROUNDS; round += 8) {
      await Promise.all(Array.from({ length: 8 }, async (_x, k) => {
        const target = targets[(round + k) % 2];
        const c = mutate(target.base, random);
        const p = target.preview();
        // Even rounds take the fast path (Bearer token), odd ones express (?t=).
        const viaExpress = (round / 8 + k) % 2 === 1;
        const url = p.baseUrl + target.path + (viaExpress ? `?t=${encodeURIComponent(p.shareToken)}` : '');
        const where = `seed ${SEED}, round ${round + k} (${c.what}) via ${viaExpress ? 'express' : 'fast path'}`;
        const res = await fetch(url, { method: 'POST', body: c.body, headers: { ...c.headers, ...(viaExpress ? {} : { authorization: `Bearer ${p.shareToken}` }) } })
          .catch((err: Error) => assert.fail(`${where}: the connection failed: ${err.message}`));
        const text = Buffer.from(await res.arrayBuffer());
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status === 200 || res.status === 400, `${where}: answered ${res.status}: ${text.toString().slice(0, 300)}`);
        if (res.status === 400) {
          const { error } = JSON.parse(text.toString()) as { error: unknown };
          assert.equal(typeof error, 'string', `${where}: a JSON error`);
        }
      }));
    }
    // The mutations must reach both outcomes, or the fuzzing tests nothing.
    assert.ok((statuses.get(400) ?? 0) > ROUNDS / 4, `statuses: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(200) ?? 0) > 0, `statuses: ${JSON.stringify([...statuses])}`);
    for (const target of targets) {
      const res = await fetch(target.preview().baseUrl + target.path, { method: 'POST', body: target.base.body, headers: { ...target.base.headers, authorization: `Bearer ${target.preview().shareToken}` } });
      assert.equal(res.status, 200, await res.text());
    }
  });

  it(`${ROUNDS / 2} mutated picture uploads to /api/predict (the page's compact form), plain and gzipped`, async () => {
    const digits = await startPreview(DIGITS_MODEL);
    try {
      const picture = { width: 8, height: 8, channels: 'L', layout: 'NCHW', scale: 16 / 255, invert: true } as const;
      const request = predictRequest({ inputs: { image: new PictureUpload(new Uint8Array(8 * 8 * 3).fill(200), picture, [1, 1, 8, 8]) } });
      const base = { body: Buffer.from(request.body), headers: request.headers };
      const random = generator(SEED + 1);
      const statuses = new Map<number, number>();
      for (let round = 0; round < ROUNDS / 2; round += 8) {
        await Promise.all(Array.from({ length: 8 }, async (_x, k) => {
          const c = mutate(base, random);
          // Every other request gzipped, as the page sends it; a quarter of those with a damaged gzip stream.
          const gzip = k % 2 === 1;
          let body = gzip ? gzipSync(c.body) : c.body;
          if (gzip && k % 4 === 3) body = Buffer.concat([body.subarray(0, Math.floor(random() * body.length)), Buffer.from([1, 2, 3])]);
          const where = `seed ${SEED + 1}, round ${round + k} (${c.what}${gzip ? ', gzipped' : ''})`;
          const res = await fetch(`${digits.baseUrl}/api/predict`, {
            method: 'POST', body, headers: { ...c.headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}), authorization: `Bearer ${digits.shareToken}` },
          }).catch((err: Error) => assert.fail(`${where}: the connection failed: ${err.message}`));
          const text = Buffer.from(await res.arrayBuffer());
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(res.status === 200 || res.status === 400, `${where}: answered ${res.status}: ${text.toString().slice(0, 300)}`);
          if (res.status === 400) assert.equal(typeof (JSON.parse(text.toString()) as { error: unknown }).error, 'string', `${where}: a JSON error`);
        }));
      }
      assert.ok((statuses.get(400) ?? 0) > ROUNDS / 8 && (statuses.get(200) ?? 0) > 0, `statuses: ${JSON.stringify([...statuses])}`);
      const res = await fetch(`${digits.baseUrl}/api/predict`, { method: 'POST', body: gzipSync(base.body), headers: { ...base.headers, 'content-encoding': 'gzip', authorization: `Bearer ${digits.shareToken}` } });
      assert.equal(res.status, 200, await res.text());
    } finally {
      await digits.stop();
    }
  });
});
