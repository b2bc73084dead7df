import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SidecarSchema } from '../../src/shared/sidecar';
import { REPO, runCli } from './cli-process';

const FIXTURES = path.join(REPO, 'test/fixtures/models');
const copyModel = (from: string): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-init-page-'));
  const model = path.join(dir, path.basename(from));
  copyFileSync(from, model);
  return model;
};

describe('model-preview init-page', () => {
  it('writes <model>.preview.json beside the iris export with its feature and class names, valid against the schema', async () => {
    const model = copyModel(path.join(REPO, 'examples/iris/iris.onnx'));
    const { code, stdout } = await runCli(['init-page', model]);
    assert.equal(code, 0);
    const file = model.replace(/\.onnx$/, '.preview.json');
    assert.match(stdout, /^wrote .*iris\.preview\.json \(6 things read from the model\)/);
    const sidecar = SidecarSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    assert.deepEqual(sidecar.inputs?.features.fields?.map((f) => f.label), ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
    assert.deepEqual(sidecar.outputs?.logits.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(sidecar.examples?.[0].inputs, { features: [[0, 0, 0, 0]] });
    assert.match(readFileSync(file, 'utf8'), /"classNames": \["setosa", "versicolor", "virginica"\]/, 'lists of values on one line, for people to edit');
  });

  it('a DataFrame pipeline: one entry per column with its categories or typical range, and an example of typical values', async () => {
    const model = copyModel(path.join(FIXTURES, 'sklearn-dataframe.onnx'));
    assert.equal((await runCli(['init-page', model])).code, 0);
    const sidecar = SidecarSchema.parse(JSON.parse(readFileSync(model.replace(/\.onnx$/, '.preview.json'), 'utf8')));
    assert.deepEqual(sidecar.inputs?.contract, { label: 'contract', choices: ['month-to-month', 'one year', 'two year'] });
    assert.equal(sidecar.inputs?.tenure_months.default, 27.6);
    assert.deepEqual(sidecar.outputs?.output_probability.classNames, ['churns', 'stays']);
    assert.deepEqual(sidecar.examples?.[0], {
      name: 'Typical values',
      inputs: { tenure_months: [[27.6]], monthly_charges: [[64.7]], contract: [['month-to-month']], payment_method: [['bank transfer']] },
    });
  });

  it('never overwrites an existing sidecar (it holds someone’s edits) unless --force', async () => {
    const model = copyModel(path.join(REPO, 'examples/iris/iris.onnx'));
    const file = model.replace(/\.onnx$/, '.preview.json');
    writeFileSync(file, '{"title": "mine"}\n');
    const refused = await runCli(['init-page', model]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /iris\.preview\.json exists already \(it may hold your edits\): edit it, or add --force/);
    assert.equal(readFileSync(file, 'utf8'), '{"title": "mine"}\n');
    assert.equal((await runCli(['init-page', '--force', model])).code, 0);
    assert.match(readFileSync(file, 'utf8'), /sepal length/);
  });

  it('a file that is not a model is one line and exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-init-page-'));
    writeFileSync(path.join(dir, 'notes.onnx'), 'not a model');
    const { code, stderr } = await runCli(['init-page', path.join(dir, 'notes.onnx')]);
    assert.equal(code, 2);
    assert.match(stderr, /^model-preview: .*notes\.onnx: not an ONNX model/);
  });
});

describe('model-preview inspect: the labels and where each came from', () => {
  it('the iris export: its metadata’s feature and class names', async () => {
    const model = copyModel(path.join(REPO, 'examples/iris/iris.onnx'));
    const { code, stdout } = await runCli(['inspect', model]);
    assert.equal(code, 0);
    assert.match(stdout, /input 'features' \[0\]\s+label\s+sepal length \(cm\)\s+metadata: metadata 'feature_names'/);
    assert.match(stdout, /output 'logits'\s+classNames\s+setosa, versicolor, virginica\s+metadata: metadata 'class_names'/);
  });

  it('a sidecar beside the model wins, and says so', async () => {
    const model = copyModel(path.join(REPO, 'examples/iris/iris.onnx'));
    writeFileSync(model.replace(/\.onnx$/, '.preview.json'), JSON.stringify({ inputs: { features: { fields: [{ label: 'Sepal length', unit: 'cm' }] } } }));
    const { stdout } = await runCli(['inspect', model]);
    assert.match(stdout, /input 'features' \[0\]\s+label\s+Sepal length\s+sidecar: iris\.preview\.json inputs\.features\.fields\[0\]\.label/);
    assert.match(stdout, /input 'features' \[1\]\s+label\s+sepal width \(cm\)\s+metadata/, 'the metadata still names the fields the sidecar does not');
    const json = JSON.parse((await runCli(['inspect', '--json', model])).stdout);
    assert.ok(json.labels.some((f: { tier: string; property: string }) => f.tier === 'sidecar' && f.property === 'unit'));
  });

  it('the graph of a DataFrame pipeline: categories from the encoders, ranges from the scaler', async () => {
    const { stdout } = await runCli(['inspect', path.join(FIXTURES, 'sklearn-dataframe.onnx')]);
    assert.match(stdout, /input 'contract' \[0\]\s+choices\s+month-to-month, one year, two year\s+graph: OneHotEncoder node 'OneHotEncoder' \(cats_strings\)/);
    assert.match(stdout, /input 'tenure_months' \[0\]\s+default\s+27\.6\s+graph: Scaler node 'Scaler'/);
    assert.match(stdout, /served as\n {2}output 'output_probability' is a ZipMap/);
  });

  it('a model that says nothing: how to add labels', async () => {
    const { stdout } = await runCli(['inspect', path.join(FIXTURES, 'two-inputs.onnx')]);
    assert.match(stdout, /labels {5}none for the inputs and outputs: the page uses their names \(`model-preview init-page` writes a sidecar to fill in\)/);
  });
});
