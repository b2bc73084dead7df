import { onnx } from 'onnx-proto';

/**
 * scikit-learn classifiers exported by skl2onnx end in a ZipMap by default (`zipmap=True`): the probabilities become a
 * list of {class: probability} maps, which onnxruntime-node cannot return. Serving the ZipMap's input instead — the
 * FP32 [batch, n_classes] tensor it zips — gives exactly what `zipmap=False` would have exported, under the same output
 * name, and the ZipMap's class labels name its columns.
 */

export interface ZipMapOutput {
  /** The graph output that was a ZipMap and is now its probabilities tensor. */
  output: string;
  node: string;
  classLabels: string[];
  /** Which attribute held them: `classlabels_strings` or `classlabels_int64s`. */
  attribute: string;
}

const attr = (node: onnx.INodeProto, name: string) => node.attribute?.find((a) => a.name === name);

function classLabelsOf(node: onnx.INodeProto): { labels: string[]; attribute: string } | undefined {
  const strings = attr(node, 'classlabels_strings');
  if (strings?.strings?.length) return { labels: strings.strings.map((s) => Buffer.from(s).toString('utf8')), attribute: 'classlabels_strings' };
  const ints = attr(node, 'classlabels_int64s');
  if (ints?.ints?.length) return { labels: ints.ints.map((i) => String(i)), attribute: 'classlabels_int64s' };
  return undefined;
}

/** The ZipMaps whose result is a graph output, with their class labels. */
export function zipMapOutputs(model: onnx.IModelProto): ZipMapOutput[] {
  const outputs = new Set(model.graph?.output?.map((o) => o.name));
  const found: ZipMapOutput[] = [];
  for (const node of model.graph?.node ?? []) {
    if (node.opType !== 'ZipMap' || node.domain !== 'ai.onnx.ml' || !outputs.has(node.output?.[0])) continue;
    const labels = classLabelsOf(node);
    if (labels) found.push({ output: node.output![0], node: node.name || 'ZipMap', classLabels: labels.labels, attribute: labels.attribute });
  }
  return found;
}

/**
 * The model with each output ZipMap replaced by an Identity of its input, the output declared as FP32
 * [batch, n_classes] (batch as the graph's first output declares it). Returns undefined when there is nothing to change.
 */
export function withoutOutputZipMaps(model: onnx.ModelProto, zipMaps: ZipMapOutput[]): Uint8Array | undefined {
  if (zipMaps.length === 0 || !model.graph) return undefined;
  const graph = model.graph as onnx.GraphProto; // decoded: its repeated fields are arrays
  const byOutput = new Map(zipMaps.map((z) => [z.output, z]));
  graph.node = graph.node.map((node) => {
    const zip = node.opType === 'ZipMap' ? byOutput.get(node.output?.[0] ?? '') : undefined;
    return zip ? onnx.NodeProto.create({ name: node.name, opType: 'Identity', input: [node.input?.[0] ?? ''], output: [zip.output], domain: '' }) : node;
  });
  const batchDim = graph.output.map((o) => o.type?.tensorType?.shape?.dim?.[0] as onnx.TensorShapeProto.Dimension | undefined).find((d) => d !== undefined && d !== null);
  graph.output = graph.output.map((output) => {
    const zip = byOutput.get(output.name ?? '');
    if (!zip) return output;
    const batch = batchDim?.value === 'dimParam' ? { dimParam: batchDim.dimParam } : batchDim?.value === 'dimValue' ? { dimValue: batchDim.dimValue } : {};
    const dims = [onnx.TensorShapeProto.Dimension.create(batch), onnx.TensorShapeProto.Dimension.create({ dimValue: zip.classLabels.length })];
    return onnx.ValueInfoProto.create({
      name: output.name, docString: output.docString,
      type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT, shape: onnx.TensorShapeProto.create({ dim: dims }) }) }),
    });
  });
  return onnx.ModelProto.encode(model).finish();
}
