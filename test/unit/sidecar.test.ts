import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSidecar, sidecarPathFor } from '../../src/core/model/sidecar-file';
import { SidecarSchema } from '../../src/shared/sidecar';
import { readOnnxMetadata } from '../../src/core/model/onnx-metadata';
import { decodeTensor } from '../../src/core/inference/codec';

const repoRoot = path.resolve(__dirname, '../../..');

describe('SidecarSchema', () => {
  it('the committed examples/iris/iris.preview.json is valid and fits the iris model', () => {
    const file = path.join(repoRoot, 'examples/iris/iris.preview.json');
    const parsed = SidecarSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues));
    const sidecar = parsed.data;
    // iris.onnx: input features FP32 [batch, 4], output logits [batch, 3] with class_names setosa,versicolor,virginica.
    const meta = readOnnxMetadata(fs.readFileSync(path.join(repoRoot, 'examples/iris/iris.onnx')));
    assert.deepEqual(sidecar.outputs?.logits.classNames, meta.metadataProps.class_names.split(','));
    assert.equal(sidecar.inputs?.features.fields?.length, 4);
    const features = { name: 'features', datatype: 'FP32' as const, shape: ['batch', 4] };
    assert.ok((sidecar.examples ?? []).length > 0);
    for (const example of sidecar.examples ?? []) {
      assert.deepEqual(Object.keys(example.inputs), ['features']);
      assert.deepEqual(decodeTensor(features, { data: example.inputs.features }).dims, [1, 4], example.name);
    }
  });

  it('accepts a complete sidecar', () => {
    const parsed = SidecarSchema.parse({
      $schema: '../../docs/sidecar.schema.json',
      title: 'Iris',
      description: 'Guess the species',
      inputs: { features: { kind: 'vector', fields: [{ label: 'Sepal length', unit: 'cm', min: 4, max: 8, step: 0.1, default: 5.1 }] } },
      outputs: { logits: { kind: 'scores', classNames: ['setosa', 'versicolor', 'virginica'] } },
      examples: [{ name: 'Setosa', inputs: { features: [5.1, 3.5, 1.4, 0.2] } }],
    });
    assert.deepEqual(parsed.outputs?.logits.classNames, ['setosa', 'versicolor', 'virginica']);
  });

  it('takes choices (a dropdown) and a text default, per field or inline for a one-value input', () => {
    const parsed = SidecarSchema.parse({
      inputs: {
        contract: { label: 'Contract', choices: ['month-to-month', 'one year'], default: 'one year' },
        x: { fields: [{ label: 'code', choices: [1, 2, 3] }] },
      },
    });
    assert.deepEqual(parsed.inputs?.contract.choices, ['month-to-month', 'one year']);
    assert.equal(parsed.inputs?.contract.default, 'one year');
    assert.equal(SidecarSchema.safeParse({ inputs: { c: { choices: [] } } }).success, false, 'an empty list of choices');
    assert.equal(SidecarSchema.safeParse({ inputs: { c: { choices: [{}] } } }).success, false, 'a choice is a text or a number');
  });

  it('rejects unknown keys at every level', () => {
    assert.equal(SidecarSchema.safeParse({ titel: 'x' }).success, false);
    assert.equal(SidecarSchema.safeParse({ inputs: { x: { lable: 'x' } } }).success, false);
    assert.equal(SidecarSchema.safeParse({ inputs: { x: { fields: [{ label: 'a', units: 'cm' }] } } }).success, false);
  });
});

describe('readSidecar', () => {
  let dir: string;
  let model: string;
  let sidecar: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-'));
    model = path.join(dir, 'iris.onnx');
    sidecar = path.join(dir, 'iris.preview.json');
  });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('puts the sidecar beside the model, named <model>.preview.json', () => {
    assert.equal(sidecarPathFor('/m/iris.onnx'), '/m/iris.preview.json');
    assert.equal(sidecarPathFor('/m/IRIS.ONNX'), '/m/IRIS.preview.json');
    assert.equal(sidecarPathFor('/m/model.v2.onnx'), '/m/model.v2.preview.json');
  });

  it('returns {} when there is no sidecar', async () => {
    assert.deepEqual(await readSidecar(model), {});
  });

  it('returns the parsed sidecar', async () => {
    fs.writeFileSync(sidecar, JSON.stringify({ title: 'Iris', outputs: { logits: { classNames: ['a', 'b'] } } }));
    assert.deepEqual(await readSidecar(model), { sidecar: { title: 'Iris', outputs: { logits: { classNames: ['a', 'b'] } } } });
  });

  it('reports an unknown top-level key with the file name and the key', async () => {
    fs.writeFileSync(sidecar, JSON.stringify({ titel: 'Iris' }));
    const result = await readSidecar(model);
    assert.equal(result.sidecar, undefined);
    assert.ok(result.error?.startsWith(`${sidecar}: `), result.error);
    assert.match(result.error!, /\(top level\): .*titel/);
  });

  it('reports an unknown nested key with its path', async () => {
    fs.writeFileSync(sidecar, JSON.stringify({ inputs: { features: { image: { width: 28, height: 28, chanels: 'L' } } } }));
    const result = await readSidecar(model);
    assert.ok(result.error?.startsWith(`${sidecar}: `), result.error);
    assert.match(result.error!, /inputs\.features\.image: .*chanels/);
  });

  it('reports a value of the wrong type with its path', async () => {
    fs.writeFileSync(sidecar, JSON.stringify({ outputs: { logits: { classNames: 'setosa,versicolor' } } }));
    const result = await readSidecar(model);
    assert.match(result.error!, /outputs\.logits\.classNames: /);
  });

  it('reports invalid JSON with the file name', async () => {
    fs.writeFileSync(sidecar, '{"title": "Iris",}');
    const result = await readSidecar(model);
    assert.equal(result.sidecar, undefined);
    assert.ok(result.error?.startsWith(`${sidecar}: not valid JSON (`), result.error);
  });

  it('reports a sidecar path that cannot be read (a directory) instead of failing', async () => {
    fs.mkdirSync(sidecar);
    const result = await readSidecar(model);
    assert.ok(result.error?.startsWith(`${sidecar}: `), result.error);
  });

  it('applies the image preprocessing defaults', async () => {
    fs.writeFileSync(sidecar, JSON.stringify({ inputs: { image: { kind: 'image', image: { width: 28, height: 28 } } } }));
    const result = await readSidecar(model);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.sidecar?.inputs?.image.image, {
      width: 28, height: 28, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, invert: false,
    });
  });

  it('keeps image preprocessing values that are given', async () => {
    fs.writeFileSync(sidecar, JSON.stringify({
      inputs: { pixels: { image: { width: 4, height: 2, channels: 'L', layout: 'NHWC', scale: 1, mean: [0.5], std: [0.25], invert: true } } },
    }));
    const result = await readSidecar(model);
    assert.deepEqual(result.sidecar?.inputs?.pixels.image, {
      width: 4, height: 2, channels: 'L', layout: 'NHWC', scale: 1, mean: [0.5], std: [0.25], invert: true,
    });
  });
});
