import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { imageToTensor } from '../../src/shared/image-tensor';
import { modelPicture } from '../../src/page/logic/model-picture';
import { pilResize } from '../../src/page/logic/pil-resize';

/**
 * The page's Pillow resize and Hugging Face preprocessing, against Pillow 9.4 + numpy as ViTImageProcessor runs them
 * (test/fixtures/hf/image-colours/expected.json, written by scripts/make-hf-fixtures.py from a 120 x 80 picture).
 */
const FOLDER = path.resolve(__dirname, '../../../test/fixtures/hf/image-colours');
interface Case { rgb: { width: number; height: number; base64: string }; pixel_values: { shape: number[]; data: number[] } }
const expected = (JSON.parse(readFileSync(path.join(FOLDER, 'expected.json'), 'utf8')) as { cases: Case[] }).cases[0];
const preprocessor = JSON.parse(readFileSync(path.join(FOLDER, 'preprocessor_config.json'), 'utf8')) as { image_mean: number[]; image_std: number[]; rescale_factor: number };

describe('page: Hugging Face image preprocessing', () => {
  const rgb = new Uint8Array(Buffer.from(expected.rgb.base64, 'base64'));
  const { width, height } = expected.rgb;

  it('resize BICUBIC 120x80 -> 32x32, rescale, ImageNet mean/std: the tensor ViTImageProcessor makes, value for value', () => {
    const rgba = modelPicture(rgb, width, height, { width: 32, height: 32, resize: 'stretch', resample: 'bicubic' });
    const tensor = imageToTensor(rgba, {
      width: 32, height: 32, channels: 'RGB', layout: 'NCHW', scale: preprocessor.rescale_factor, mean: preprocessor.image_mean, std: preprocessor.image_std, invert: false,
    });
    assert.equal(tensor.length, expected.pixel_values.data.length);
    let worst = 0;
    tensor.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected.pixel_values.data[i]))));
    // One pixel level is 1 / 255 / 0.229 = 0.017 after normalising: 1e-5 means every resized byte equals Pillow's.
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
  });

  it('the same picture without the Pillow port (a plain stretch) would differ: the test can tell', () => {
    const naive = new Uint8Array(32 * 32 * 3);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
      const s = (Math.floor((y * height) / 32) * width + Math.floor((x * width) / 32)) * 3;
      naive.set(rgb.subarray(s, s + 3), (y * 32 + x) * 3);
    }
    const pil = pilResize(rgb, width, height, 32, 32, 'bicubic');
    assert.ok(pil.some((v, i) => v !== naive[i]));
  });

  it('shortest edge then a centred crop, as CLIP-style processors do (sizes truncated, crop from (H - h) // 2)', () => {
    // 120 x 80 with shortest_edge 40 -> 60 x 40, then a 40 x 40 crop starting at column 10.
    const resized = pilResize(rgb, width, height, 60, 40, 'bilinear');
    const rgba = modelPicture(rgb, width, height, { width: 40, height: 40, resize: 'shortest-edge', shortestEdge: 40, resample: 'bilinear' });
    for (const [x, y] of [[0, 0], [39, 39], [17, 5]]) {
      const o = (y * 40 + x) * 4;
      const s = (y * 60 + x + 10) * 3;
      assert.deepEqual([rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]], [resized[s], resized[s + 1], resized[s + 2], 255], `pixel ${x},${y}`);
    }
  });
});
