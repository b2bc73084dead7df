import { isImageDataUrl } from './image-data-url';
import { isFeedbackCard, type FeedbackCard } from './webview-messages';

/**
 * Messages between the extension and the `.onnx` model editor (src/vscode/editors/model-editor-provider.ts,
 * src/webview/model/), typed once here with the guards both sides run on what they receive. Plain TypeScript with no
 * runtime imports but webview-messages.ts and image-data-url.ts (the editor's bundle must not pull in zod or Node).
 *
 * Unlike the Feedback view, the editor shows the share link: it is the owner's own editor of that model, and the link
 * is what they came to copy. Tokens other than the link's never cross.
 */

export interface TensorRow {
  name: string;
  datatype: string;
  shape: string;
}

/** Everything the editor shows of one model file. */
export interface ModelEditorState {
  name: string;
  relativePath: string;
  /** Bytes of the file (and its external data). */
  fileSize?: number;
  version?: string;
  inputs: TensorRow[];
  outputs: TensorRow[];
  /** Producer, IR version, opsets and the file's metadata_props, as label/value pairs. */
  details: Array<[string, string]>;
  /** The sidecar beside the model: missing, present, or present but ignored (why). */
  sidecar: { state: 'missing' | 'present' | 'ignored'; file: string; problem?: string };
  /** Set while a preview of this model runs. */
  /** `qrCode`: the share link's QR code, an SVG data URL (`image-data-url.ts`). */
  published?: { shareUrl: string; modelVersion: string; tunnel: string; qrCode?: string };
  /** The newest feedback on this model (newest first, a few). */
  feedback: FeedbackCard[];
  /** Why the file could not be inspected. */
  error?: string;
}

export type ToModelEditor = { type: 'model'; model: ModelEditorState };

/** What the editor's buttons ask for: a closed list, never a command name. */
export type ModelEditorAction = 'publish' | 'stop' | 'copy-link' | 'open-page' | 'customize' | 'open-table';
const ACTIONS: readonly string[] = ['publish', 'stop', 'copy-link', 'open-page', 'customize', 'open-table'];

export type FromModelEditor =
  | { type: 'ready' }
  | { type: 'action'; action: ModelEditorAction }
  | { type: 'open-record'; previewId: string; id: string };

type Fields = Record<string, unknown>;
const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x);
const isText = (x: unknown, max = 10_000): x is string => typeof x === 'string' && x.length <= max;
const isTensorRow = (x: unknown): boolean => isObject(x) && isText(x.name) && isText(x.datatype) && isText(x.shape);
const isList = (x: unknown, each: (item: unknown) => boolean, max = 10_000): boolean => Array.isArray(x) && x.length <= max && x.every(each);

export function isModelEditorState(x: unknown): x is ModelEditorState {
  if (!isObject(x)) return false;
  const sidecar = x.sidecar;
  const published = x.published;
  return isText(x.name) && isText(x.relativePath)
    && (x.fileSize === undefined || (typeof x.fileSize === 'number' && x.fileSize >= 0))
    && (x.version === undefined || isText(x.version))
    && isList(x.inputs, isTensorRow) && isList(x.outputs, isTensorRow)
    && isList(x.details, (d) => Array.isArray(d) && d.length === 2 && isText(d[0]) && isText(d[1]))
    && isObject(sidecar) && (sidecar.state === 'missing' || sidecar.state === 'present' || sidecar.state === 'ignored') && isText(sidecar.file)
    && (sidecar.problem === undefined || isText(sidecar.problem))
    && (published === undefined || (isObject(published) && isText(published.shareUrl) && isText(published.modelVersion) && isText(published.tunnel)
      && (published.qrCode === undefined || isImageDataUrl(published.qrCode))))
    && isList(x.feedback, isFeedbackCard, 100)
    && (x.error === undefined || isText(x.error));
}

export function isToModelEditor(x: unknown): x is ToModelEditor {
  return isObject(x) && x.type === 'model' && isModelEditorState(x.model);
}

export function isFromModelEditor(x: unknown): x is FromModelEditor {
  if (!isObject(x)) return false;
  if (x.type === 'ready') return true;
  if (x.type === 'action') return typeof x.action === 'string' && ACTIONS.includes(x.action);
  if (x.type === 'open-record') return isText(x.previewId, 200) && x.previewId !== '' && isText(x.id, 200) && x.id !== '';
  return false;
}
