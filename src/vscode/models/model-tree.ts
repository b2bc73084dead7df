import type { ModelDescription, TensorSpec } from '../../shared/model-card';
import { hfFolderLines } from '../../shared/hf-folder-text';

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
  published?: { modelVersion: string; shareUrl: string; tunnel: string; problems?: PreviewProblems };
}

/** What the running server reported wrong that still holds (its `error` events' messages). */
export interface PreviewProblems {
  /** The re-exported file did not load: the preview still serves `modelVersion`, unless `unserved` says it was unloaded. */
  reload?: string;
  /**
   * No version is served: the old one was unloaded to make room for the re-export (a reload without overlap), and
   * requests get 503 until a version loads.
   */
  unserved?: string;
  /** The sidecar file is invalid: the page shows the model without it. */
  sidecar?: string;
  /** The tunnel is up, but its public URL does not reach the preview from outside (the keeper's checks fail). */
  unreachable?: string;
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
  /** Drawn in the warning colour: something about this model needs the owner's attention. */
  warning?: boolean;
  /** The model file the node belongs to (commands run on it). */
  file: string;
  children: ModelNode[];
}

export const shapeText = (shape: Array<number | string>): string => `[${shape.map((d) => (d === -1 ? '?' : String(d))).join(', ')}]`;

function tensorNode(file: string, group: string, t: TensorSpec): ModelNode {
  return { id: `${file}#${group}/${t.name}`, kind: 'tensor', label: t.name, description: `${t.datatype} ${shapeText(t.shape)}`, icon: 'symbol-field', file, children: [] };
}

export function modelNode(entry: ModelEntry): ModelNode {
  const { file, description: d, published } = entry;
  if (!d && !published) {
    return {
      id: file, kind: 'model.broken', label: entry.relativePath, description: entry.error ? 'cannot be read' : 'reading…',
      tooltip: entry.error, icon: entry.error ? 'warning' : 'loading~spin', file, children: [],
    };
  }
  const children: ModelNode[] = [];
  if (d) {
    children.push(
      { id: `${file}#inputs`, kind: 'group', label: 'Inputs', icon: 'arrow-right', file, children: d.inputs.map((t) => tensorNode(file, 'inputs', t)) },
      { id: `${file}#outputs`, kind: 'group', label: 'Outputs', icon: 'arrow-left', file, children: d.outputs.map((t) => tensorNode(file, 'outputs', t)) },
    );
    for (const skipped of d.nonTensorOutputs) {
      children.push({ id: `${file}#skipped/${skipped.name}`, kind: 'info', label: skipped.name, description: 'not a tensor: not served', tooltip: skipped.note, icon: 'info', file, children: [] });
    }
    const folder = hfFolderNode(file, d);
    if (folder) children.push(folder);
    children.push({ id: `${file}#version`, kind: 'info', label: 'Version', description: d.version, tooltip: `sha256 ${d.sha256}`, icon: 'versions', file, children: [] });
  }
  const tooltip = d
    ? `${entry.relativePath}\nversion ${d.version}${d.producer ? `\nproducer ${d.producer.name} ${d.producer.version}` : ''}`
    : `${entry.relativePath}${entry.error ? `\n${entry.error}` : ''}`;
  if (!published) {
    return { id: file, kind: 'model', label: d!.name, description: entry.relativePath, tooltip, icon: 'symbol-namespace', file, children };
  }
  const problems = problemsShown(entry);
  for (const p of problems) children.push({ id: `${file}#problem/${p.label}`, kind: 'info', label: p.label, description: p.message, tooltip: p.message, icon: 'warning', warning: true, file, children: [] });
  children.push({ id: `${file}#link`, kind: 'info', label: 'Share link', description: LINK_KINDS[published.tunnel] ?? `via ${published.tunnel}`, tooltip: 'Copy it with the inline action', icon: 'link', file, children: [] });
  const reloadFailed = problems.some((p) => p.label === RELOAD_FAILED);
  const unserved = problems.some((p) => p.label === NOT_SERVING);
  const state = reloadFailed
    ? (unserved ? 'reload failed — nothing served until a re-export loads' : `reload failed — still serving ${published.modelVersion}`)
    : unserved
      ? 'reloading — nothing served meanwhile'
      : [`published · ${published.modelVersion}`, ...problems.map((p) => p.short)].join(' · ');
  return {
    id: file,
    kind: 'model.published',
    // The served name is the file name without .onnx, also while the file on disk cannot be read.
    label: d?.name ?? entry.file.split(/[\\/]/).pop()!.replace(/\.onnx$/i, ''),
    description: state,
    tooltip: [tooltip, ...problems.map((p) => `${p.label}: ${p.message}`)].join('\n'),
    icon: problems.length ? 'warning' : 'broadcast',
    warning: problems.length > 0,
    file,
    children,
  };
}

/** What was read from a Hugging Face export folder beside the model (config.json, tokenizer.json...), and what not. */
function hfFolderNode(file: string, d: ModelDescription): ModelNode | undefined {
  if (!d.folder) return undefined;
  const lines = hfFolderLines(d);
  return {
    id: `${file}#hf-folder`, kind: 'info', label: 'Hugging Face folder', description: d.folder.files.join(', ') || 'nothing usable',
    tooltip: lines.join('\n'), icon: d.folder.problems.length > 0 ? 'warning' : 'json', warning: d.folder.problems.length > 0, file,
    children: lines.map((line, i) => ({ id: `${file}#hf-folder/${i}`, kind: 'info', label: line, icon: 'dash', file, children: [] })),
  };
}

const RELOAD_FAILED = 'Reload failed';
const NOT_SERVING = 'Not serving';

/** Who can open the link, by how it is reached; a tunnel provider shows as "via <provider>". */
const LINK_KINDS: Record<string, string> = { none: 'this machine only', lan: 'on this network', vscode: 'via VS Code port forwarding' };

/**
 * The problems of a published model worth showing now. A failed reload stops mattering once the file on disk is the
 * version served again (the notebook exported the good model again: the server has nothing to reload then, so no event
 * clears it).
 */
function problemsShown(entry: ModelEntry): Array<{ label: string; short: string; message: string }> {
  const problems = entry.published?.problems ?? {};
  const shown: Array<{ label: string; short: string; message: string }> = [];
  if (problems.reload !== undefined && entry.description?.version !== entry.published!.modelVersion) {
    shown.push({ label: RELOAD_FAILED, short: 'reload failed', message: problems.reload });
  }
  if (problems.unserved !== undefined) shown.push({ label: NOT_SERVING, short: 'not serving', message: problems.unserved });
  if (problems.sidecar !== undefined) shown.push({ label: 'Sidecar ignored', short: 'sidecar ignored', message: problems.sidecar });
  if (problems.unreachable !== undefined) shown.push({ label: 'Not reachable from outside', short: 'not reachable from outside', message: problems.unreachable });
  return shown;
}

/** Every model, sorted by path, published ones first. */
export function modelNodes(entries: Iterable<ModelEntry>): ModelNode[] {
  return [...entries]
    .sort((a, b) => Number(Boolean(b.published)) - Number(Boolean(a.published)) || a.relativePath.localeCompare(b.relativePath))
    .map(modelNode);
}
