import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { inspectModel } from '../../src/core/model/describe';
import { readLargeFile, readModelFile } from '../../src/core/model/model-file';
import { parseNameList } from '../../src/core/model/name-lists';
import { factsInEffect, resolvePageHints, sidecarFacts, type ModelFact } from '../../src/shared/model-facts';
import { SidecarSchema } from '../../src/shared/sidecar';
import { FIXTURE_DIR, IRIS_MODEL } from '../helpers/preview';

const describeFixture = async (name: string) => inspectModel(await readModelFile(path.join(FIXTURE_DIR, `${name}.onnx`)));
const where = (facts: ModelFact[]) => facts.map((f) => `${f.target} ${'input' in f ? f.input : 'output' in f ? f.output : ''}${'index' in f ? `[${f.index}]` : ''} ${f.property} <- ${f.tier}: ${f.from}`);

describe('what a model says about itself (labels, classes, categories) and where it came from', () => {
  it('name lists as exporters write them: comma-separated, JSON, id2label, label2id, Python reprs', () => {
    assert.deepEqual(parseNameList('setosa, versicolor ,virginica'), ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(parseNameList('["a", "b, c"]'), ['a', 'b, c']);
    assert.deepEqual(parseNameList('{"0": "NEGATIVE", "1": "POSITIVE"}'), ['NEGATIVE', 'POSITIVE']);
    assert.deepEqual(parseNameList('{"NEGATIVE": 0, "POSITIVE": 1}'), ['NEGATIVE', 'POSITIVE'], 'label2id is turned around');
    assert.deepEqual(parseNameList("{0: 'person', 1: 'bicycle', 2: \"traffic light\"}"), ['person', 'bicycle', 'traffic light'], 'Ultralytics names');
    assert.deepEqual(parseNameList("['sepal length (cm)', 'sepal width (cm)']"), ['sepal length (cm)', 'sepal width (cm)']);
    assert.deepEqual(parseNameList('{"0": "a", "2": "c"}'), ['a', '', 'c'], 'a gap stays empty (shown as "class 1")');
    assert.deepEqual(parseNameList('cat\ndog\n'), ['cat', 'dog']);
    assert.equal(parseNameList('  '), undefined);
    assert.equal(parseNameList('{"nested": {"x": 1}}'), undefined);
    assert.equal(parseNameList('[1, [2]]'), undefined);
  });

  it('the iris export: feature_names label the four fields, class_names the logits (model metadata)', async () => {
    const d = await inspectModel(await readModelFile(IRIS_MODEL));
    const hints = resolvePageHints(d.facts);
    assert.deepEqual(hints.inputs.features.fields?.map((f) => f.label), ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
    assert.deepEqual(hints.outputs.logits.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.ok(d.facts.every((f) => f.tier === 'metadata'));
    assert.ok(where(d.facts).includes("field features[0] label <- metadata: metadata 'feature_names'"));
  });

  it('other spellings: a JSON `Features` list, an `id2label` object, and the input’s and output’s doc strings', async () => {
    const d = await describeFixture('metadata-spellings');
    const hints = resolvePageHints(d.facts);
    assert.deepEqual(hints.inputs.applicant.fields?.map((f) => f.label), ['age', 'income', 'credit score']);
    assert.equal(hints.inputs.applicant.description, "The applicant's figures");
    assert.deepEqual(hints.outputs.probs, { classNames: ['approve', 'reject'], label: 'Decision' });
  });

  it('names that do not fit the model are not put on it', async () => {
    const d = await describeFixture('two-inputs'); // [batch, 3] inputs
    assert.deepEqual(d.facts.filter((f) => f.target !== 'model'), []);
  });

  it('a ZipMap output is served as its FP32 [batch, n] probabilities, named by the ZipMap’s class labels (int and string)', async () => {
    const ints = await describeFixture('sklearn-zipmap-int');
    assert.deepEqual(ints.outputs, [
      { name: 'output_label', datatype: 'INT64', shape: ['dim0'] },
      { name: 'output_probability', datatype: 'FP32', shape: ['dim0', 3] },
    ]);
    assert.deepEqual(ints.nonTensorOutputs, []);
    assert.match(ints.adaptations?.[0] ?? '', /output 'output_probability' is a ZipMap .* served as its FP32 probabilities tensor/);
    assert.deepEqual(resolvePageHints(ints.facts).outputs.output_probability.classNames, ['0', '1', '2']);
    const strings = await describeFixture('sklearn-zipmap-strings');
    assert.deepEqual(resolvePageHints(strings.facts).outputs.output_probability.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.ok(where(strings.facts).includes("output output_probability classNames <- graph: ZipMap node 'ZipMap' (classlabels_strings)"));
  });

  it('model metadata beats the graph: class_names over the ZipMap’s 0, 1, 2', async () => {
    const d = await describeFixture('zipmap-classifier');
    assert.deepEqual(resolvePageHints(d.facts).outputs.probabilities.classNames, ['cat', 'dog', 'bird']);
    assert.equal(d.outputs[1].shape[0], 'batch', 'the batch dim is the one the other outputs declare');
  });

  it('a DataFrame pipeline: encoder categories as choices, the scaler’s typical range and value per numeric column', async () => {
    const d = await describeFixture('sklearn-dataframe');
    const hints = resolvePageHints(d.facts);
    assert.deepEqual(hints.inputs.contract.fields?.[0].choices, ['month-to-month', 'one year', 'two year']);
    assert.deepEqual(hints.inputs.payment_method.fields?.[0].choices, ['bank transfer', 'credit card', 'electronic check', 'mailed check']);
    const tenure = hints.inputs.tenure_months.fields?.[0];
    assert.ok(tenure && tenure.default !== undefined && tenure.min !== undefined && tenure.max !== undefined);
    assert.ok(tenure.min < (tenure.default as number) && (tenure.default as number) < tenure.max);
    assert.ok(Math.abs((tenure.default as number) - 27.6) < 1, 'the training mean of tenure_months');
    assert.deepEqual(hints.outputs.output_probability.classNames, ['churns', 'stays']);
    assert.ok(where(d.facts).includes("field contract[0] choices <- graph: OneHotEncoder node 'OneHotEncoder' (cats_strings)"));
    assert.ok(where(d.facts).includes("field payment_method[0] choices <- graph: LabelEncoder node 'LabelEncoder' (keys_strings)"));
  });

  it('a ColumnTransformer over a matrix: columns traced through ArrayFeatureExtractor and Imputer; integer categories; a classifier’s own labels (zipmap=False)', async () => {
    const d = await describeFixture('sklearn-array-pipeline');
    const fields = resolvePageHints(d.facts).inputs.X.fields ?? [];
    assert.equal(fields.length, 3);
    assert.ok(Math.abs((fields[0].default as number) - 50) < 2 && Math.abs((fields[2].default as number) - 3) < 0.3, JSON.stringify(fields));
    assert.deepEqual(fields[1], { choices: [1, 2, 3] });
    assert.deepEqual(resolvePageHints(d.facts).outputs.output_probability.classNames, ['0', '1']);
    assert.ok(where(d.facts).includes("output output_probability classNames <- graph: LinearClassifier node 'LinearClassifier' (classlabels_ints)"));
  });

  it('precedence: sidecar > metadata > graph > guess, per property (a sidecar label keeps the graph’s range)', () => {
    const facts: ModelFact[] = [
      { tier: 'guess', from: 'input name', target: 'field', input: 'age', index: 0, property: 'label', value: 'age' },
      { tier: 'graph', from: "Scaler node 'Scaler'", target: 'field', input: 'age', index: 0, property: 'min', value: 18 },
      { tier: 'graph', from: "Scaler node 'Scaler'", target: 'field', input: 'age', index: 0, property: 'label', value: 'graph label' },
      { tier: 'metadata', from: "metadata 'feature_names'", target: 'field', input: 'age', index: 0, property: 'label', value: 'Age' },
      ...sidecarFacts(SidecarSchema.parse({ inputs: { age: { label: 'Age of the applicant', unit: 'years' } } }), 'm.preview.json'),
    ];
    const hints = resolvePageHints(facts);
    assert.deepEqual(hints.inputs.age.fields, [{ label: 'Age of the applicant', min: 18, unit: 'years' }]);
    assert.equal(hints.inputs.age.label, 'Age of the applicant');
    const label = factsInEffect(facts).find((f) => f.target === 'field' && f.property === 'label');
    assert.deepEqual(label && [label.tier, label.from], ['sidecar', 'm.preview.json inputs.age.label']);
  });

  it('a sidecar’s vector fields become per-field facts, and its examples and title the model’s', () => {
    const sidecar = SidecarSchema.parse({
      title: 'Iris', examples: [{ name: 'Typical setosa', inputs: { features: [5.1, 3.5, 1.4, 0.2] } }],
      inputs: { features: { fields: [{ label: 'Sepal length', unit: 'cm' }, { label: 'Sepal width' }] } },
      outputs: { logits: { classNames: ['a', 'b', 'c'] } },
    });
    const hints = resolvePageHints(sidecarFacts(sidecar, 'iris.preview.json'));
    assert.equal(hints.title, 'Iris');
    assert.deepEqual(hints.examples.map((e) => e.name), ['Typical setosa']);
    assert.deepEqual(hints.inputs.features.fields, [{ label: 'Sepal length', unit: 'cm' }, { label: 'Sepal width' }]);
    assert.deepEqual(hints.outputs.logits.classNames, ['a', 'b', 'c']);
  });
});

describe('reading a model’s external data file', () => {
  it('reads a file whole in chunks (how a data file past readFile’s 2 GiB limit is read)', async () => {
    const data = path.join(FIXTURE_DIR, 'external-data.onnx.data');
    const whole = await readLargeFile(data, 7);
    assert.deepEqual(Buffer.from(whole), readFileSync(data));
  });
});
