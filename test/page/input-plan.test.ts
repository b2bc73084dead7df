import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TensorSpec } from '../../src/shared/v2';
import { SidecarSchema } from '../../src/shared/sidecar';
import { EXAMPLE_TOKEN_COUNT, exampleShape } from '../../src/shared/example-shape';
import { flatten, guessImageLayout, imageTensorShape, MAX_GUESSED_VECTOR_FIELDS, nest, planInput, repeatForBatch, shapeText, type InputHints } from '../../src/page/logic/input-plan';

const repoRoot = path.resolve(__dirname, '../../..');
const sidecarOf = (example: string) =>
  SidecarSchema.parse(JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', example, `${example}.preview.json`), 'utf8')));
const spec = (datatype: TensorSpec['datatype'], shape: Array<number | string>, name = 'x'): TensorSpec => ({ name, datatype, shape });

describe('page: input plans (what the page asks for, from signature + sidecar)', () => {
  it('iris: a [batch, 4] vector with the sidecar’s labels, units, bounds and defaults, sent as one row', () => {
    const plan = planInput(spec('FP32', ['batch', 4], 'features'), sidecarOf('iris').inputs?.features);
    assert.equal(plan.kind, 'vector');
    if (plan.kind !== 'vector') return;
    assert.equal(plan.label, 'Flower measurements');
    assert.equal(plan.nesting, 'row');
    assert.deepEqual(plan.fields[0], { label: 'Sepal length', unit: 'cm', min: 4, max: 8, step: 0.1, initial: 5.8 });
    assert.deepEqual(plan.fields.map((f) => f.label), ['Sepal length', 'Sepal width', 'Petal length', 'Petal width']);
  });

  it('a vector without a sidecar: x[i] labels, 0 to start, flat for [K], whole numbers for integer types', () => {
    const plan = planInput(spec('INT32', [3]));
    assert.equal(plan.kind, 'vector');
    if (plan.kind !== 'vector') return;
    assert.equal(plan.nesting, 'flat');
    assert.equal(plan.integer, true);
    assert.deepEqual(plan.fields.map((f) => [f.label, f.initial, f.step]), [['x[0]', 0, 1], ['x[1]', 0, 1], ['x[2]', 0, 1]]);
    const fixedBatch = planInput(spec('FP64', [1, 2]));
    assert.equal(fixedBatch.kind === 'vector' && fixedBatch.nesting, 'row');
  });

  it('starts a field in the middle of its bounds when there is no default', () => {
    const plan = planInput(spec('FP32', ['n', 2]), { fields: [{ label: 'Age', min: 18, max: 90 }, { label: 'Weight' }] });
    assert.equal(plan.kind === 'vector' && plan.fields[0].initial, 54);
  });

  it('an open K takes its length from the sidecar’s fields', () => {
    const plan = planInput(spec('FP32', ['batch', 'k']), { fields: [{ label: 'a' }, { label: 'b' }] });
    assert.equal(plan.kind === 'vector' && plan.fields.length, 2);
    assert.equal(planInput(spec('FP32', ['batch', 'k'])).kind, 'json', 'without fields K is unknown');
  });

  it('a long vector without sidecar fields is edited as JSON', () => {
    assert.equal(planInput(spec('FP32', ['batch', MAX_GUESSED_VECTOR_FIELDS])).kind, 'vector');
    assert.equal(planInput(spec('FP32', ['batch', MAX_GUESSED_VECTOR_FIELDS + 1])).kind, 'json');
    assert.equal(planInput(spec('FP32', ['batch', 100]), { kind: 'vector' }).kind, 'vector', 'unless the sidecar asks for a vector');
  });

  it('digits: the sidecar’s image preprocessing, as a [1, 1, 8, 8] tensor', () => {
    const plan = planInput(spec('FP32', ['batch', 1, 8, 8], 'image'), sidecarOf('digits').inputs?.image);
    assert.equal(plan.kind, 'image');
    if (plan.kind !== 'image') return;
    assert.deepEqual(plan.tensorShape, [1, 1, 8, 8]);
    assert.equal(plan.preprocessing.channels, 'L');
    assert.equal(plan.preprocessing.invert, true);
    assert.equal(plan.preprocessing.scale, 16 / 255);
  });

  it('rank-4 inputs without a sidecar are images: the channel dim (1 or 3) gives the layout', () => {
    const nchw = planInput(spec('FP32', ['N', 3, 224, 224]));
    assert.equal(nchw.kind, 'image');
    if (nchw.kind === 'image') {
      assert.deepEqual([nchw.preprocessing.layout, nchw.preprocessing.channels, nchw.preprocessing.width, nchw.preprocessing.height], ['NCHW', 'RGB', 224, 224]);
      assert.equal(nchw.preprocessing.scale, 1 / 255);
      assert.deepEqual(nchw.tensorShape, [1, 3, 224, 224]);
    }
    const nhwc = planInput(spec('UINT8', ['N', 32, 48, 1]));
    assert.equal(nhwc.kind, 'image');
    if (nhwc.kind === 'image') {
      assert.deepEqual([nhwc.preprocessing.layout, nhwc.preprocessing.channels, nhwc.preprocessing.height, nhwc.preprocessing.width], ['NHWC', 'L', 32, 48]);
      assert.equal(nhwc.preprocessing.scale, 1, 'an integer input takes raw 0-255 pixels');
      assert.deepEqual(nhwc.tensorShape, [1, 32, 48, 1]);
    }
    assert.deepEqual(guessImageLayout(['N', 3, 'h', 'w']), { layout: 'NCHW', channels: 'RGB', height: 224, width: 224 });
    assert.equal(planInput(spec('FP32', ['N', 5, 7, 9])).kind, 'json', 'no dim looks like channels');
  });

  it('a sidecar can make an image of a rank-2 or rank-3 input', () => {
    const image: InputHints['image'] = { width: 28, height: 28, channels: 'L', layout: 'NCHW', scale: 1 / 255, invert: false };
    const r2 = planInput(spec('FP32', [28, 28]), { kind: 'image', image });
    assert.equal(r2.kind === 'image' && r2.tensorShape.join(), '28,28');
    const r3 = planInput(spec('FP32', ['batch', 28, 28]), { kind: 'image', image });
    assert.equal(r3.kind === 'image' && r3.tensorShape.join(), '1,28,28');
    assert.deepEqual(imageTensorShape([3, 'h', 'w'], { width: 4, height: 2, channels: 'RGB', layout: 'NCHW' }), [3, 2, 4]);
  });

  it('string inputs with one element are a text area; the text is wrapped to the rank', () => {
    const text = planInput(spec('BYTES', ['batch', 1]));
    assert.equal(text.kind, 'text');
    assert.deepEqual(text.kind === 'text' && text.tensorShape, [1, 1]);
    assert.equal(planInput(spec('BYTES', [2])).kind, 'json', 'two strings: raw JSON');
    assert.equal(planInput(spec('FP32', ['batch', 4]), { kind: 'text' }).kind, 'vector', 'numbers cannot be typed as text');
  });

  it('anything else is raw JSON, with a template of the right shape when small', () => {
    const bool = planInput(spec('BOOL', ['batch', 2]));
    assert.equal(bool.kind, 'json');
    assert.equal(bool.kind === 'json' && bool.template, '[[false,false]]');
    const forced = planInput(spec('FP32', ['batch', 4]), { kind: 'json' });
    assert.equal(forced.kind === 'json' && forced.template, '[[0,0,0,0]]');
    assert.equal(forced.kind === 'json' && forced.shapeText, '[batch, 4]');
    const big = planInput(spec('FP32', ['batch', 3, 4, 100, 100]));
    assert.equal(big.kind === 'json' && big.template, '');
    assert.equal(planInput(spec('FP32', [])).kind, 'column', 'a scalar is one number');
    assert.equal(planInput(spec('FP32', [2, 3, 4])).kind, 'json');
    assert.equal(shapeText([-1, 'n', 3]), '[?, n, 3]');
  });

  it('nest and flatten are inverse (row-major)', () => {
    assert.deepEqual(nest([1, 2, 3, 4, 5, 6], [2, 3]), [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(nest([1, 2, 3, 4], [1, 1, 2, 2]), [[[[1, 2], [3, 4]]]]);
    assert.equal(nest(['x'], []), 'x');
    assert.throws(() => nest([1, 2, 3], [2, 2]), /do not fill/);
    assert.deepEqual(flatten([[[1, 2], [3, 4]]]), [1, 2, 3, 4]);
    assert.deepEqual(flatten(5), [5]);
  });
});

describe('page: input plans for models as notebooks export them', () => {
  const columns = [spec('FP32', ['N', 1], 'tenure_months'), spec('BYTES', ['N', 1], 'contract'), spec('BYTES', ['N', 1], 'note')];

  it('a DataFrame column is one field named after the column; a string column with categories is a dropdown', () => {
    const tenure = planInput(columns[0], { fields: [{ default: 27.6, min: -6.01, max: 61.3 }] }, columns);
    assert.equal(tenure.kind, 'column');
    if (tenure.kind !== 'column') return;
    assert.deepEqual(tenure.field, { label: 'tenure_months', min: -6.01, max: 61.3, initial: 27.6 });
    assert.deepEqual(tenure.tensorShape, [1, 1]);
    const contract = planInput(columns[1], { fields: [{ choices: ['month-to-month', 'one year', 'two year'] }] }, columns);
    assert.equal(contract.kind === 'column' && contract.text, true);
    assert.deepEqual(contract.kind === 'column' && contract.field, { label: 'contract', choices: ['month-to-month', 'one year', 'two year'], initial: 'month-to-month' });
  });

  it('a string column without categories beside other columns is a one-line text field; alone, a text area', () => {
    const note = planInput(columns[2], undefined, columns);
    assert.equal(note.kind === 'column' && note.field.choices, undefined);
    assert.equal(note.kind === 'column' && note.field.initial, '', 'no made-up text');
    assert.equal(planInput(columns[2], undefined, [columns[2]]).kind, 'text');
  });

  it('a default that is one of the choices is where the dropdown starts; choices of the wrong type are dropped', () => {
    const plan = planInput(spec('BYTES', ['N', 1], 'c'), { fields: [{ choices: ['a', 'b', 3], default: 'b' }] });
    assert.deepEqual(plan.kind === 'column' && plan.field.choices, ['a', 'b']);
    assert.equal(plan.kind === 'column' && plan.field.initial, 'b');
    const ints = planInput(spec('INT64', ['N', 1], 'k'), { fields: [{ choices: [1, 2.5, 7] }] });
    assert.deepEqual(ints.kind === 'column' && ints.field.choices, [1, 7]);
  });

  it('a fixed batch larger than one keeps the model’s shape: the example is repeated to fill it', () => {
    const image = planInput(spec('FP32', [2, 3, 16, 16], 'image'));
    assert.equal(image.kind, 'image');
    assert.equal(image.batch, 2);
    assert.deepEqual(image.kind === 'image' && image.tensorShape, [2, 3, 16, 16]);
    const vector = planInput(spec('FP32', [2, 4], 'x'));
    assert.equal(vector.kind === 'vector' && vector.nesting, 'row');
    assert.equal(vector.batch, 2);
    assert.deepEqual(repeatForBatch([1, 2, 3, 4], vector.batch), [[1, 2, 3, 4], [1, 2, 3, 4]]);
    const column = planInput(spec('FP32', [2, 1], 'x'));
    assert.deepEqual(column.kind === 'column' && column.tensorShape, [2, 1]);
    assert.equal(planInput(spec('FP32', ['N', 4])).batch, 1, 'an open batch takes one example');
  });

  it('a string tensor is never pre-filled with "" (the model would refuse it): its shape is a placeholder', () => {
    const strings = planInput(spec('BYTES', [3, 4], 'input'));
    assert.equal(strings.kind, 'json');
    if (strings.kind !== 'json') return;
    assert.equal(strings.template, '');
    assert.equal(strings.placeholder, '[["text","text","text","text"],["text","text","text","text"],["text","text","text","text"]]');
  });

  it('a state tensor of a few hundred numbers starts as zeros of its shape (something that runs)', () => {
    const state = planInput(spec('FP32', [2, 'dim1', 128], 'state'));
    assert.equal(state.kind === 'json' && JSON.parse(state.template).flat(2).length, 256);
  });
});

describe('page: the example shapes the "Use via API" snippets and /openapi.json send are the ones the page sends', () => {
  /** The concrete shape the page sends for this plan (one example; a fixed batch repeated). */
  function pageShape(s: TensorSpec, hints?: InputHints): number[] {
    const plan = planInput(s, hints, [s]);
    switch (plan.kind) {
      case 'image': case 'column': case 'text': return plan.tensorShape;
      case 'vector': return plan.nesting === 'flat' ? [plan.fields.length] : [plan.batch, plan.fields.length];
      case 'json': {
        // The editor's template is zeros of the page's shape: read the shape back off its nesting.
        const shape: number[] = [];
        for (let v: unknown = JSON.parse(plan.template || 'null'); Array.isArray(v); v = v[0]) shape.push(v.length);
        return shape;
      }
      case 'audio': return assert.fail('audio is a recording of any length');
    }
  }
  const cases: Array<[string, TensorSpec, InputHints?]> = [
    ['an image with open height and width (a U-Net export)', spec('FP32', ['batch', 3, 'height', 'width'], 'image')],
    ['NHWC with open sides, greyscale', spec('UINT8', ['N', 'h', 'w', 1], 'image')],
    ['an image of fixed size', spec('FP32', ['batch', 3, 320, 320], 'image')],
    ['a fixed batch of 2 pictures', spec('FP32', [2, 3, 16, 16], 'image')],
    ['the sidecar\'s size', spec('FP32', ['batch', 3, 'h', 'w'], 'image'), { image: { width: 16, height: 12 } }],
    ['the sidecar\'s size and layout for a rank-3 input', spec('FP32', [3, 'h', 'w'], 'image'), { image: { width: 8, height: 4, layout: 'NCHW' } }],
    ['the sidecar says image, no size', spec('FP32', ['batch', 'c', 'h', 'w'], 'image'), { kind: 'image' }],
    ['the sidecar says JSON for a picture-like input', spec('FP32', ['batch', 3, 'h', 'w'], 'image'), { kind: 'json' }],
    ['the sidecar says vector for a picture-like input', spec('FP32', ['batch', 3, 'h', 'w'], 'image'), { kind: 'vector' }],
    ['embeddings with two open dimensions', spec('FP32', ['batch_size', 'sequence_length', 96], 'inputs_embeds')],
    ['an open K given by the sidecar\'s fields', spec('FP32', ['batch', 'k'], 'features'), { fields: [{ label: 'a' }, { label: 'b' }, { label: 'c' }] }],
    ['an open [K] the sidecar calls a vector', spec('FP32', ['k'], 'features'), { kind: 'vector', fields: [{ label: 'a' }, { label: 'b' }] }],
    ['an open [K] with fields but no kind: one value per example', spec('FP32', ['k'], 'features'), { fields: [{ label: 'a' }, { label: 'b' }] }],
    ['a DataFrame column', spec('BYTES', ['N', 1], 'city')],
    ['a text', spec('BYTES', ['batch'], 'text')],
    ['a 4-channel tensor', spec('FP32', ['batch', 4, 'h', 'w'], 'planes')],
  ];
  for (const [what, s, hints] of cases) {
    it(what, () => assert.deepEqual(exampleShape(s, { hints }), pageShape(s, hints)));
  }
  it('audio: one second of samples at the model\'s rate; token inputs a few tokens; open dims elsewhere 1', () => {
    assert.deepEqual(exampleShape(spec('FP32', ['batch', 'samples']), { hints: { audio: { samplingRate: 8000 } } }), [1, 8000]);
    assert.deepEqual(exampleShape(spec('INT64', ['batch', 'sequence']), { tokens: true }), [1, EXAMPLE_TOKEN_COUNT]);
    assert.deepEqual(exampleShape(spec('INT64', ['batch', 'sequence'])), [1, 1]);
  });
});
