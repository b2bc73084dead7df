/**
 * A model version's files as model/ reads them and inference/ hands them to each worker (both layers use it, so it
 * lives here): what describes the version, never its weights.
 */

/**
 * What identifies a file's content without reading it: a file rewritten (in place, or replaced by a rename) changes
 * one of these. Taken around the hash, and checked again once onnxruntime has read the file by its path, so a session
 * always holds the version whose hash it is reported with.
 */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** A data file of a model that keeps its weights outside the `.onnx` file. */
export interface ExternalDataFile {
  /** As the model names it (relative to the model's folder). */
  location: string;
  path: string;
  identity: FileIdentity;
}

/**
 * A model as found on disk, without its weights in memory: the `.onnx` file's skeleton (model-skeleton.ts), the version
 * hash of all its files (computed by streaming them), and what identifies each file's content. onnxruntime reads the
 * weights itself, from the path. Small enough to post to every worker.
 */
export interface ModelFile {
  path: string;
  identity: FileIdentity;
  /** The model without its large weights: what describing it decodes. */
  skeleton: Uint8Array;
  /** The version: see modelSha256. */
  sha256: string;
  externalData?: ExternalDataFile[];
  /** A Hugging Face export's files beside the model (config.json, tokenizer.json...: model/hf-folder.ts), by name. */
  folder?: Partial<Record<string, string>>;
}

/** Bytes of the model and its data files together. */
export function modelSize(model: Pick<ModelFile, 'identity' | 'externalData'>): number {
  return model.identity.size + (model.externalData ?? []).reduce((sum, d) => sum + d.identity.size, 0);
}
