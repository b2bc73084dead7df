import * as assert from 'node:assert/strict';
import { ctcDecode, mapToRgba, pictureLayout, summarise } from '../../src/page/logic/array-views';
import { outputKind } from '../../src/page/logic/output-plan';
import { monoSamples } from '../../src/page/logic/audio-math';

describe('page: outputs as pictures, sequences and summaries', () => {
  it('picture shapes: [N, 1-4, H, W] and [N, H, W] of at least 8 x 8', () => {
    assert.deepEqual(pictureLayout([1, 1, 224, 224]), { channels: 1, height: 224, width: 224 });
    assert.deepEqual(pictureLayout([1, 32, 48]), { channels: 1, height: 32, width: 48 });
    assert.equal(pictureLayout([1, 64, 8, 8]), undefined, '64 channels is a feature map, not a picture');
    assert.equal(pictureLayout([1, 3, 4, 4]), undefined);
  });

  it('a [N, T, C] output with class names is a sequence; without, a map-shaped one is a picture', () => {
    const t = (shape: number[]) => ({ datatype: 'FP32', shape });
    assert.equal(outputKind(t([1, 8, 4]), ['b', 't', 4], undefined, { name: 'logits', hasClassNames: true }), 'sequence');
    assert.equal(outputKind(t([1, 1, 32, 32]), ['b', 1, 32, 32], undefined, { name: 'mask' }), 'picture');
    assert.equal(outputKind(t([1, 40, 97]), ['b', 40, 97], undefined, { name: 'logits' }), 'picture');
    assert.equal(outputKind(t([1, 2, 3]), ['b', 2, 3], undefined, {}), 'json');
  });

  it('greedy CTC: the best class per step, repeats merged, blanks dropped (blank = class 0 named so)', () => {
    const oneHot = (codes: number[], c: number) => codes.flatMap((k) => Array.from({ length: c }, (_, i) => (i === k ? 5 : 0)));
    const names = ['<blank>', 'a', 'b', 'c'];
    assert.deepEqual(ctcDecode(oneHot([1, 1, 0, 2, 2, 0, 3, 1], 4), 8, 4, names).text, ['a', 'b', 'c', 'a']);
    assert.deepEqual(ctcDecode(oneHot([1, 0, 1], 4), 3, 4, names).text, ['a', 'a'], 'a blank between repeats keeps both');
    assert.deepEqual(ctcDecode(oneHot([1, 1, 0], 4), 3, 4, ['x', 'a', 'b', 'c']).text, ['a', 'x'], 'no blank name: class 0 is a class');
  });

  it('summary: count, min, max, mean over finite values, and the first values', () => {
    assert.deepEqual(summarise([3, -1, NaN, 4], 2), { count: 4, min: -1, max: 4, mean: 2, first: [3, -1] });
  });

  it('maps: one channel as grey (scaled from min-max unless already in [0, 1]) or a red layer; several as the winning channel', () => {
    assert.deepEqual(Array.from(mapToRgba([0, 0.5, 1, 0.25], { channels: 1, height: 2, width: 2 }, false)).filter((_, i) => i % 4 === 0), [0, 128, 255, 64]);
    assert.deepEqual(Array.from(mapToRgba([-2, 2, 0, 0], { channels: 1, height: 2, width: 2 }, false)).filter((_, i) => i % 4 === 0), [0, 255, 128, 128]);
    assert.deepEqual(Array.from(mapToRgba([1, 0, 0.2, 0.9], { channels: 2, height: 1, width: 2 }, true)), [0, 0, 0, 0, 230, 40, 40, 160]);
  });
});

describe('page: sound as the model takes it', () => {
  it('channels averaged to mono; do_normalize gives zero mean and unit variance', () => {
    assert.deepEqual(Array.from(monoSamples([Float32Array.from([1, 0.5]), Float32Array.from([0, 0.5])], false)), [0.5, 0.5]);
    const n = monoSamples([Float32Array.from([1, 2, 3, 4])], true);
    const mean = n.reduce((a, b) => a + b, 0) / 4;
    const variance = n.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    assert.ok(Math.abs(mean) < 1e-6 && Math.abs(variance - 1) < 1e-5, `${mean} ${variance}`);
  });
});
