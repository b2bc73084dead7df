import * as path from 'node:path';
import { onnx } from 'onnx-proto';

/**
 * ONNX external data: `torch.onnx.export` writes a model over 2 GB (and the dynamo exporter sometimes a smaller one)
 * as `model.onnx` plus data files beside it, named in each tensor's `external_data` (`location`, `offset`, `length`).
 */

/** One data file a model refers to, and how many bytes its tensors need from it (0 when no tensor says its length). */
export interface ExternalDataNeed {
  location: string;
  minBytes: number;
}

/** The data files a decoded model refers to, in a stable order (by location). */
export function externalDataNeeds(model: onnx.ModelProto): ExternalDataNeed[] {
  const needs = new Map<string, number>();
  const visitTensor = (t: onnx.ITensorProto | null | undefined): void => {
    if (!t || t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return;
    const entry = (key: string) => t.externalData?.find((e) => e.key === key)?.value ?? undefined;
    const location = entry('location');
    if (!location) throw new Error(`tensor '${t.name ?? ''}' is stored outside the model but names no file (no "location")`);
    const end = Number(entry('offset') ?? 0) + Number(entry('length') ?? 0);
    needs.set(location, Math.max(needs.get(location) ?? 0, end));
  };
  const visitGraph = (g: onnx.IGraphProto | null | undefined): void => {
    if (!g) return;
    g.initializer?.forEach(visitTensor);
    g.sparseInitializer?.forEach((s) => { visitTensor(s.values); visitTensor(s.indices); });
    for (const node of g.node ?? []) {
      for (const a of node.attribute ?? []) {
        visitTensor(a.t);
        a.tensors?.forEach(visitTensor);
        visitGraph(a.g);
        a.graphs?.forEach(visitGraph);
      }
    }
  };
  visitGraph(model.graph);
  model.functions?.forEach((f) => f.node?.forEach((n) => n.attribute?.forEach((a) => { visitTensor(a.t); visitGraph(a.g); })));
  return [...needs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([location, minBytes]) => ({ location, minBytes }));
}

/**
 * Where a data file is, beside the model. Like onnxruntime, a location that leaves the model's folder (absolute, or
 * through `..`) is refused: a model must not make the server read any other file on the machine.
 */
export function externalDataPath(modelFile: string, location: string): string {
  const dir = path.dirname(path.resolve(modelFile));
  const resolved = path.resolve(dir, location);
  if (path.isAbsolute(location) || !resolved.startsWith(dir + path.sep)) {
    throw new Error(`its external data location '${location}' is outside the model's folder; keep the data files beside the model`);
  }
  return resolved;
}

/** A cheap test before decoding a whole model on the HTTP thread: every external reference has the key "location". */
export function mayHaveExternalData(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('location');
}
