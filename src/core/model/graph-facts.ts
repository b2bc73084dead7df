import { onnx } from 'onnx-proto';
import type { ModelFact } from '../../shared/model-facts';
import type { ZipMapOutput } from './zipmap-outputs';

/**
 * What a model's graph implies about presenting it, as facts of the `graph` tier — the shapes skl2onnx gives a
 * scikit-learn pipeline:
 * - the class labels of a ZipMap (or of the classifier whose scores are an output) name the probabilities' columns;
 * - a column feeding a OneHotEncoder (`cats_strings`/`cats_int64s`) or a LabelEncoder (`keys_strings`/`keys_int64s`,
 *   what an OrdinalEncoder becomes) takes only those categories: a dropdown;
 * - a column feeding a Scaler gets its typical value (`offset`) and range (`offset` ± 2/`scale`: a StandardScaler's
 *   mean ± 2 standard deviations).
 * Columns are followed back to the graph's inputs through the nodes skl2onnx puts between them (Identity, Cast,
 * Imputer, Concat, Reshape, Gather and ArrayFeatureExtractor with constant indices).
 */

/** Which input element one column of a tensor is, as far as the graph shows. */
type Column = { input: string; index: number } | undefined;

const CLASSIFIERS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);
/** Nodes that keep a tensor's columns where they are (an Imputer fills gaps in place). */
const SAME_COLUMNS = new Set(['Identity', 'Cast', 'Imputer', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);
/** Nodes between a classifier's scores and the graph output (skl2onnx normalises, then zips). */
const SAME_SCORES = new Set(['Identity', 'Cast', 'Normalizer', 'ZipMap']);

const attr = (node: onnx.INodeProto, name: string) => node.attribute?.find((a) => a.name === name);
const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');

class Graph {
  private readonly producers = new Map<string, onnx.INodeProto>();
  private readonly consumers = new Map<string, onnx.INodeProto[]>();
  private readonly constants = new Map<string, onnx.ITensorProto>();
  readonly inputs = new Map<string, onnx.IValueInfoProto>();

  constructor(readonly graph: onnx.IGraphProto) {
    for (const t of graph.initializer ?? []) if (t.name) this.constants.set(t.name, t);
    for (const v of graph.input ?? []) if (v.name && !this.constants.has(v.name)) this.inputs.set(v.name, v);
    for (const node of graph.node ?? []) {
      for (const out of node.output ?? []) this.producers.set(out, node);
      for (const input of node.input ?? []) this.consumers.set(input, [...(this.consumers.get(input) ?? []), node]);
      const value = attr(node, 'value')?.t;
      if (node.opType === 'Constant' && value && node.output?.[0]) this.constants.set(node.output[0], value);
    }
  }

  nodes(): onnx.INodeProto[] {
    return this.graph.node ?? [];
  }

  /** An integer constant's values (an initializer or a Constant node). */
  ints(name: string): number[] | undefined {
    const t = this.constants.get(name);
    if (!t) return undefined;
    if (t.int64Data?.length) return t.int64Data.map(Number);
    if (t.int32Data?.length) return t.int32Data.map(Number);
    if (t.rawData?.length && t.dataType === onnx.TensorProto.DataType.INT64) {
      const raw = Buffer.from(t.rawData);
      return Array.from({ length: raw.length / 8 }, (_, i) => Number(raw.readBigInt64LE(i * 8)));
    }
    return undefined;
  }

  /** The columns (last-axis elements) of a tensor, traced back to graph inputs; undefined when the trail is lost. */
  columns(tensor: string, depth = 0): Column[] | undefined {
    if (depth > 50) return undefined;
    const input = this.inputs.get(tensor);
    if (input) {
      const dims = input.type?.tensorType?.shape?.dim ?? [];
      const last = dims.length >= 2 ? dims[dims.length - 1] : dims.length === 1 ? undefined : null;
      if (last === null) return undefined;
      // [batch] holds one value per example; [batch, K] holds K.
      const width = last === undefined ? 1 : (last as onnx.TensorShapeProto.Dimension).value === 'dimValue' ? Number(last.dimValue) : undefined;
      return width === undefined || width > 4096 ? undefined : Array.from({ length: width }, (_, index) => ({ input: tensor, index }));
    }
    const node = this.producers.get(tensor);
    if (!node?.input?.length) return undefined;
    const op = node.opType ?? '';
    if (SAME_COLUMNS.has(op)) return this.columns(node.input[0], depth + 1);
    if (op === 'Concat') {
      const axis = Number(attr(node, 'axis')?.i ?? 0);
      if (axis !== 1 && axis !== -1) return undefined;
      const parts = node.input.map((i) => this.columns(i, depth + 1));
      return parts.every((p) => p !== undefined) ? parts.flat() : undefined;
    }
    if (op === 'ArrayFeatureExtractor' || (op === 'Gather' && [1, -1].includes(Number(attr(node, 'axis')?.i ?? 0)))) {
      const from = this.columns(node.input[0], depth + 1);
      const picked = this.ints(node.input[1]);
      return from && picked ? picked.map((i) => from[i < 0 ? from.length + i : i]) : undefined;
    }
    return undefined;
  }

  /** Follows a tensor forward through pass-through nodes to the graph outputs it becomes. */
  outputsFed(tensor: string, outputs: Set<string>, depth = 0): string[] {
    if (outputs.has(tensor)) return [tensor];
    if (depth > 20) return [];
    return (this.consumers.get(tensor) ?? []).filter((n) => SAME_SCORES.has(n.opType ?? ''))
      .flatMap((n) => (n.output ?? []).flatMap((o) => this.outputsFed(o, outputs, depth + 1)));
  }
}

function classLabels(node: onnx.INodeProto): { labels: string[]; attribute: string } | undefined {
  for (const name of ['classlabels_strings']) {
    const a = attr(node, name);
    if (a?.strings?.length) return { labels: a.strings.map(utf8), attribute: name };
  }
  for (const name of ['classlabels_ints', 'classlabels_int64s']) {
    const a = attr(node, name);
    if (a?.ints?.length) return { labels: a.ints.map(String), attribute: name };
  }
  return undefined;
}

/** Three significant digits: a typical range, not a measurement. */
const round = (v: number): number => Number(v.toPrecision(3));

export function graphFacts(model: onnx.IModelProto, zipMaps: ZipMapOutput[]): ModelFact[] {
  if (!model.graph) return [];
  const g = new Graph(model.graph);
  const outputs = new Set((model.graph.output ?? []).map((o) => o.name ?? ''));
  const facts: ModelFact[] = [];
  const named = (node: onnx.INodeProto) => `${node.opType} node${node.name ? ` '${node.name}'` : ''}`;

  for (const zip of zipMaps) {
    facts.push({ tier: 'graph', from: `ZipMap node '${zip.node}' (${zip.attribute})`, target: 'output', output: zip.output, property: 'classNames', value: zip.classLabels });
  }
  for (const node of g.nodes()) {
    const op = node.opType ?? '';
    if (CLASSIFIERS.has(op) && node.domain === 'ai.onnx.ml') {
      const labels = classLabels(node);
      const scores = node.output?.[1];
      if (labels && scores) {
        for (const output of g.outputsFed(scores, outputs)) {
          facts.push({ tier: 'graph', from: `${named(node)} (${labels.attribute})`, target: 'output', output, property: 'classNames', value: labels.labels });
        }
      }
    }
    if ((op === 'OneHotEncoder' || op === 'LabelEncoder') && node.domain === 'ai.onnx.ml' && node.input?.[0]) {
      const keys = op === 'OneHotEncoder' ? ['cats_strings', 'cats_int64s'] : ['keys_strings', 'keys_int64s'];
      const a = keys.map((k) => ({ k, a: attr(node, k) })).find(({ a }) => a?.strings?.length || a?.ints?.length);
      const columns = g.columns(node.input[0]);
      if (a && columns?.length === 1 && columns[0]) {
        const choices = a.a!.strings?.length ? a.a!.strings.map(utf8) : a.a!.ints!.map(Number);
        facts.push({ tier: 'graph', from: `${named(node)} (${a.k})`, target: 'field', input: columns[0].input, index: columns[0].index, property: 'choices', value: choices });
      }
    }
    if (op === 'Scaler' && node.domain === 'ai.onnx.ml' && node.input?.[0]) {
      const offset = attr(node, 'offset')?.floats ?? [];
      const scale = attr(node, 'scale')?.floats ?? [];
      const columns = g.columns(node.input[0]) ?? [];
      columns.forEach((column, j) => {
        const o = offset.length === 1 ? offset[0] : offset[j];
        const s = scale.length === 1 ? scale[0] : scale[j];
        if (!column || o === undefined || s === undefined || !Number.isFinite(o) || !Number.isFinite(s) || s === 0) return;
        const from = `${named(node)} (offset ± 2 / scale)`;
        const at = { tier: 'graph' as const, from, target: 'field' as const, input: column.input, index: column.index };
        facts.push({ ...at, property: 'default', value: round(o) });
        facts.push({ ...at, property: 'min', value: round(o - 2 / Math.abs(s)) });
        facts.push({ ...at, property: 'max', value: round(o + 2 / Math.abs(s)) });
      });
    }
  }
  return facts;
}
