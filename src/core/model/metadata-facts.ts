import type { onnx } from 'onnx-proto';
import type { FactOrigin, ModelFact } from '../../shared/model-facts';
import type { TensorSpec } from '../../shared/v2';
import { parseNameList } from './name-lists';
import { perExampleSize } from './tensor-shapes';

/**
 * What the model file says about itself, as facts of the `metadata` tier: names of the input's features and of the
 * output's classes in the metadata (under the spellings exporters use), the doc strings of the model, its inputs and
 * its outputs.
 */

/** Metadata keys, compared without case, spaces, dashes or underscores. */
const FEATURE_KEYS = ['featurenames', 'features', 'featurenamesin', 'columns', 'columnnames', 'inputfeatures'];
const CLASS_KEYS = ['classnames', 'classes', 'labels', 'classlabels', 'targetnames', 'id2label', 'label2id', 'names', 'categories'];
const UNIT_KEYS = ['featureunits', 'units'];

const normalise = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The first metadata entry under one of the keys (in the keys' order) that reads as a list of names. */
function findList(props: Record<string, string>, keys: string[]): { key: string; names: string[] } | undefined {
  const byNormal = new Map(Object.entries(props).map(([k, v]) => [normalise(k), { key: k, value: v }]));
  for (const wanted of keys) {
    const entry = byNormal.get(wanted);
    const names = entry && parseNameList(entry.value);
    if (entry && names) return { key: entry.key, names };
  }
  return undefined;
}

const isFloat = (spec: TensorSpec) => spec.datatype.startsWith('FP');
const lastDim = (spec: TensorSpec) => spec.shape[spec.shape.length - 1];

/**
 * The input a list of n feature names belongs to: the vector input with n values per example, else the only one whose
 * size is open. Undefined when no input fits (names that do not match the model are not guessed onto it).
 */
function featureInput(inputs: TensorSpec[], n: number): TensorSpec | undefined {
  const vectors = inputs.filter((s) => s.shape.length === 2 || (s.shape.length === 1 && typeof s.shape[0] === 'number'));
  const exact = vectors.find((s) => perExampleSize(s) === n);
  if (exact) return exact;
  const open = vectors.filter((s) => s.shape.length === 2 && typeof s.shape[1] === 'string');
  return open.length === 1 ? open[0] : undefined;
}

/** Outputs n class names describe: scores with n columns (or an open number), and labels (one class index per example). */
export function classOutputs(outputs: TensorSpec[], n: number): TensorSpec[] {
  return outputs.filter((s) => {
    if (isFloat(s)) return s.shape.length >= 1 && (lastDim(s) === n || (s.shape.length === 2 && typeof lastDim(s) === 'string'));
    return perExampleSize(s) === 1 && s.shape.length <= 2;
  });
}

export function metadataFacts(model: onnx.IModelProto, props: Record<string, string>, inputs: TensorSpec[], outputs: TensorSpec[]): ModelFact[] {
  const facts: ModelFact[] = [];
  const meta = (key: string): FactOrigin => ({ tier: 'metadata', from: `metadata '${key}'` });

  const title = Object.entries(props).find(([k]) => normalise(k) === 'title');
  if (title && title[1].trim()) facts.push({ ...meta(title[0]), target: 'model', property: 'title', value: title[1].trim() });
  const description = Object.entries(props).find(([k]) => normalise(k) === 'description');
  if (description && description[1].trim()) facts.push({ ...meta(description[0]), target: 'model', property: 'description', value: description[1].trim() });
  const doc = model.docString || model.graph?.docString;
  if (doc && doc.trim()) facts.push({ tier: 'metadata', from: 'model doc_string', target: 'model', property: 'description', value: doc.trim() });

  const features = findList(props, FEATURE_KEYS);
  if (features) {
    const n = features.names.length;
    const vector = featureInput(inputs, n);
    if (vector) {
      features.names.forEach((label, index) => label && facts.push({ ...meta(features.key), target: 'field', input: vector.name, index, property: 'label', value: label }));
      const units = findList(props, UNIT_KEYS);
      if (units && units.names.length === n) {
        units.names.forEach((unit, index) => unit && facts.push({ ...meta(units.key), target: 'field', input: vector.name, index, property: 'unit', value: unit }));
      }
    } else if (inputs.length === n && inputs.every((s) => perExampleSize(s) === 1)) {
      // One input per column (a DataFrame exported by skl2onnx): the names label the inputs in order.
      inputs.forEach((s, index) => features.names[index] && facts.push(
        { ...meta(features.key), target: 'field', input: s.name, index: 0, property: 'label', value: features.names[index] }));
    }
  }

  const classes = findList(props, CLASS_KEYS);
  if (classes) {
    for (const spec of classOutputs(outputs, classes.names.length)) {
      facts.push({ ...meta(classes.key), target: 'output', output: spec.name, property: 'classNames', value: classes.names });
    }
  }

  for (const value of model.graph?.input ?? []) {
    const text = value.docString?.trim();
    if (text && inputs.some((s) => s.name === value.name)) {
      facts.push({ tier: 'metadata', from: `input '${value.name}' doc_string`, target: 'input', input: value.name!, property: 'description', value: text });
    }
  }
  for (const value of model.graph?.output ?? []) {
    const text = value.docString?.trim();
    // A short doc string names the output well; a long one is documentation, not a heading.
    if (text && text.length <= 80 && !text.includes('\n') && outputs.some((s) => s.name === value.name)) {
      facts.push({ tier: 'metadata', from: `output '${value.name}' doc_string`, target: 'output', output: value.name!, property: 'label', value: text });
    }
  }
  return facts;
}
