import type { NonTensorOutput, TensorSpec, V2Datatype } from './v2';
import type { Sidecar } from './sidecar';
import type { ModelFact, PageHints } from './model-facts';

/** What `model-preview inspect` reports and what a page needs to render a model (`GET /api/card`). */
export interface ModelDescription {
  /** Served name: the file name without `.onnx`. */
  name: string;
  file: string;
  /** Bytes of the model file and its external data files. */
  fileSize: number;
  /** sha256 of the file bytes (and of its external data files, if any), hex. */
  sha256: string;
  /** Short version id shown to people and used as the V2 model version: the first 12 hex digits of the sha256. */
  version: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  nonTensorOutputs: NonTensorOutput[];
  /** How the served model differs from the file (a ZipMap output served as its probabilities tensor), in words. */
  adaptations?: string[];
  /** The data files a model keeps its weights in (ONNX external data), beside it; hashed into `sha256`. */
  externalData?: Array<{ location: string; size: number }>;
  irVersion?: number;
  opsets: Array<{ domain: string; version: number }>;
  producer?: { name: string; version: string };
  docString?: string;
  metadataProps: Record<string, string>;
  /** What the model file itself says about presenting it (metadata, doc strings, graph), with where each came from. */
  facts: ModelFact[];
}

export interface ModelCard extends ModelDescription {
  sidecar?: Sidecar;
  /** Why the sidecar file beside the model was ignored, when it exists but is invalid. */
  sidecarError?: string;
  /** How the page presents the model: the sidecar's facts and the model's, resolved by precedence. */
  hints: PageHints;
  loadedAt: string;
}

export type { TensorSpec, V2Datatype };
