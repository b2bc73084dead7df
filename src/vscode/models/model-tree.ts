import type { ModelDescription, TensorSpec } from '../../shared/model-card';

/**
 * The Models view as plain data: one node per model file, its signature as children. Built from what
 * `model-preview inspect --json` reports, so this file needs no `vscode` and is unit-tested as is;
 * `models-tree-provider.ts` turns the nodes into TreeItems.
 */
export interface ModelEntry {
  /** Absolute path of the .onnx file. */
  file: string;
  /** Path shown to people, relative to its workspace folder. */
  relativePath: string;
  description?: ModelDescription;
  /** Why the file could not be inspected (not ONNX, truncated, still being written). */
  error?: string;
  /** Set while a preview of this file runs. */
  published?: { modelVersion: string; shareUrl: string; tunnel: string };
}

export type ModelNodeKind = 'model' | 'model.published' | 'model.broken' | 'group' | 'tensor' | 'info';

export interface ModelNode {
  id: string;
  kind: ModelNodeKind;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id. */
  icon: string;
  /** The model file the node belongs to (commands run on it). */
  file: string;
  children: ModelNode[];
}

export const shapeText = (shape: Array<number | string>): string => `[${shape.map((d) => (d === -1 ? '?' : String(d))).join(', ')}]`;

function tensorNode(file: string, group: string, t: TensorSpec): ModelNode {
  return { id: `${file}#${group}/${t.name}`, kind: 'tensor', label: t.name, description: `${t.datatype} ${shapeText(t.shape)}`, icon: 'symbol-field', file, children: [] };
}

export function modelNode(entry: ModelEntry): ModelNode {
  const { file, description: d } = entry;
  if (!d) {
    return {
      id: file, kind: 'model.broken', label: entry.relativePath, description: entry.error ? 'cannot be read' : 'reading…',
      tooltip: entry.error, icon: entry.error ? 'warning' : 'loading~spin', file, children: [],
    };
  }
  const published = entry.published;
  const children: ModelNode[] = [
    { id: `${file}#inputs`, kind: 'group', label: 'Inputs', icon: 'arrow-right', file, children: d.inputs.map((t) => tensorNode(file, 'inputs', t)) },
    { id: `${file}#outputs`, kind: 'group', label: 'Outputs', icon: 'arrow-left', file, children: d.outputs.map((t) => tensorNode(file, 'outputs', t)) },
  ];
  for (const skipped of d.nonTensorOutputs) {
    children.push({ id: `${file}#skipped/${skipped.name}`, kind: 'info', label: skipped.name, description: 'not a tensor: not served', tooltip: skipped.note, icon: 'info', file, children: [] });
  }
  children.push({ id: `${file}#version`, kind: 'info', label: 'Version', description: d.version, tooltip: `sha256 ${d.sha256}`, icon: 'versions', file, children: [] });
  if (published) {
    children.push({ id: `${file}#link`, kind: 'info', label: 'Share link', description: published.tunnel === 'none' ? 'this machine only' : `via ${published.tunnel}`, tooltip: 'Copy it with the inline action', icon: 'link', file, children: [] });
  }
  return {
    id: file,
    kind: published ? 'model.published' : 'model',
    label: d.name,
    description: published ? `published · ${published.modelVersion}` : entry.relativePath,
    tooltip: `${entry.relativePath}\nversion ${d.version}${d.producer ? `\nproducer ${d.producer.name} ${d.producer.version}` : ''}`,
    icon: published ? 'broadcast' : 'symbol-namespace',
    file,
    children,
  };
}

/** Every model, sorted by path, published ones first. */
export function modelNodes(entries: Iterable<ModelEntry>): ModelNode[] {
  return [...entries]
    .sort((a, b) => Number(Boolean(b.published)) - Number(Boolean(a.published)) || a.relativePath.localeCompare(b.relativePath))
    .map(modelNode);
}
