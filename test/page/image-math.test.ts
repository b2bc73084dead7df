import assert from 'node:assert/strict';
import { containRect, tensorToPreview } from '../../src/page/logic/image-math';
import { imageToTensor, tensorValues, type Preprocessing } from '../../src/shared/image-tensor';

/** RGBA bytes from [r, g, b] pixels (alpha 255). */
const rgba = (...px: Array<[number, number, number]>) => Uint8ClampedArray.from(px.flatMap(([r, g, b]) => [r, g, b, 255]));
const base: Preprocessing = { width: 2, height: 1, channels: 'RGB', layout: 'NCHW', scale: 1, invert: false };
const approx = (actual: ArrayLike<number>, expected: number[], eps = 1e-5) => {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= eps, `[${i}] ${actual[i]} != ${e}`));
};

describe('page: image preprocessing math', () => {
  const pixels = rgba([10, 20, 30], [40, 50, 60]);

  it('NCHW puts each channel in its own plane; NHWC interleaves', () => {
    approx(imageToTensor(pixels, base), [10, 40, 20, 50, 30, 60]);
    approx(imageToTensor(pixels, { ...base, layout: 'NHWC' }), [10, 20, 30, 40, 50, 60]);
  });

  it('BGR swaps the channel order', () => {
    approx(imageToTensor(pixels, { ...base, channels: 'BGR', layout: 'NHWC' }), [30, 20, 10, 60, 50, 40]);
  });

  it('L is BT.601 luminance (as PIL convert("L"))', () => {
    approx(imageToTensor(rgba([255, 0, 0], [100, 100, 100]), { ...base, channels: 'L' }), [0.299 * 255, 100], 1e-3);
  });

  it('order: invert, then scale, then (x - mean) / std per channel; one mean/std value serves every channel', () => {
    const p: Preprocessing = { ...base, layout: 'NHWC', invert: true, scale: 1 / 255, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1] };
    const [r, g, b] = [245, 235, 225].map((v) => v / 255); // 255 - (10, 20, 30)
    approx(imageToTensor(pixels, p).slice(0, 3), [(r - 0.5) / 0.5, (g - 0.25) / 0.25, b]);
    const single = imageToTensor(pixels, { ...base, layout: 'NHWC', mean: [10], std: [2] });
    approx(single.slice(0, 3), [0, 5, 10]);
  });

  it('ImageNet normalisation gives the values torchvision would', () => {
    const p: Preprocessing = { width: 1, height: 1, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, invert: false, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    approx(imageToTensor(rgba([255, 255, 255]), p), [(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225]);
  });

  it('digits: white paper becomes 0 and black ink 16 (invert, scale 16/255)', () => {
    const p: Preprocessing = { width: 2, height: 1, channels: 'L', layout: 'NCHW', scale: 16 / 255, invert: true };
    approx(imageToTensor(rgba([255, 255, 255], [0, 0, 0]), p), [0, 16]);
  });

  it('refuses RGBA data of the wrong size', () => {
    assert.throws(() => imageToTensor(new Uint8ClampedArray(4), base), /expected 8 RGBA bytes/);
  });

  it('the preview maps the tensor back to pixels (keeping the inversion the model sees)', () => {
    const p: Preprocessing = { ...base, channels: 'BGR', scale: 1 / 255, mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.4] };
    approx(tensorToPreview(imageToTensor(pixels, p), p), [10, 20, 30, 255, 40, 50, 60, 255], 0);
    const inv: Preprocessing = { ...base, channels: 'L', invert: true };
    approx(tensorToPreview(imageToTensor(rgba([200, 200, 200], [0, 0, 0]), inv), inv), [55, 55, 55, 255, 255, 255, 255, 255], 0);
  });

  it('fits a picture whole and centred', () => {
    assert.deepEqual(containRect(64, 64, 8, 8), { x: 0, y: 0, width: 8, height: 8 });
    assert.deepEqual(containRect(400, 200, 8, 8), { x: 0, y: 2, width: 8, height: 4 });
    assert.deepEqual(containRect(100, 300, 224, 224), { x: 74, y: 0, width: 75, height: 224 });
    assert.deepEqual(containRect(1000, 1, 8, 8), { x: 0, y: 3, width: 8, height: 1 }, 'never thinner than a pixel');
  });

  it('request values: integers rounded and clamped to the datatype, floats short but float32-exact', () => {
    assert.deepEqual(tensorValues(Float32Array.from([-3, 12.6, 300]), 'UINT8'), [0, 13, 255]);
    assert.deepEqual(tensorValues(Float32Array.from([-200]), 'INT8'), [-128]);
    const f = Float32Array.from([1 / 3, 0.1, 16]);
    const v = tensorValues(f, 'FP32');
    assert.deepEqual(Float32Array.from(v), f, 'round-trips through float32');
    assert.ok(JSON.stringify(v).length < JSON.stringify(Array.from(f)).length);
  });
});
