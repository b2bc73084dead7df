import type { NonTensorOutput, TensorSpec, V2Datatype } from './v2';
import type { Sidecar } from './sidecar';

/** What `model-preview inspect` reports and what a page needs to render a model (`GET /api/card`). */
export interface ModelDescription {
  /** Served name: the file name without `.onnx`. */
  name: string;
  file: string;
  fileSize: number;
  /** sha256 of the file bytes, hex. */
  sha256: string;
  /** Short version id shown to people and used as the V2 model version: the first 12 hex digits of the sha256. */
  version: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  nonTensorOutputs: NonTensorOutput[];
  irVersion?: number;
  opsets: Array<{ domain: string; version: number }>;
  producer?: { name: string; version: string };
  docString?: string;
  metadataProps: Record<string, string>;
}

export interface ModelCard extends ModelDescription {
  sidecar?: Sidecar;
  /** Why the sidecar file beside the model was ignored, when it exists but is invalid. */
  sidecarError?: string;
  loadedAt: string;
}

export type { TensorSpec, V2Datatype };
