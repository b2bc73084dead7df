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
  /** The Hugging Face export files read beside the model (config.json, tokenizer.json...), and what could not be used. */
  folder?: { files: string[]; problems: string[] };
  /** Set when the model takes a text through its tokenizer (a text box on the page, `"text"` in /api/predict). */
  text?: TextInputDescription;
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

/** A model whose token inputs are filled from a text by the tokenizer beside it (tokenizer.json). */
export interface TextInputDescription {
  /** The model's inputs the tokenizer fills: token ids, and the attention mask and token types when the model has them. */
  inputs: { ids: string; attentionMask?: string; tokenTypeIds?: string };
  /** Tokens at most, special tokens included; a longer text is cut (its end is dropped) to fit. */
  maxLength: number;
  /** Where `maxLength` came from, in words ("tokenizer_config.json model_max_length"). */
  maxLengthFrom: string;
  /** The tokenizer in words: "WordPiece, 182 tokens, lower-cases". */
  tokenizer: string;
}
