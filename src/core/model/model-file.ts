import { createHash } from 'node:crypto';
import { constants as bufferLimits } from 'node:buffer';
import { open, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ModelLoadError } from '../onnx/model-load-error';
import { externalDataNeeds, externalDataPath, mayHaveExternalData } from './external-data';
import { decodeOnnxModel } from './onnx-metadata';
import { HF_FOLDER_FILES, readHfFolder, type HfFolderTexts } from './hf-folder';

/** A data file of a model that keeps its weights outside the `.onnx` file. */
export interface ExternalDataFile {
  /** As the model names it (relative to the model's folder); onnxruntime is given the bytes under this name. */
  location: string;
  path: string;
  bytes: Uint8Array;
}

/** A model as read from disk: the `.onnx` bytes and any external data files, read together as one version. */
export interface ModelFile {
  path: string;
  bytes: Uint8Array;
  externalData?: ExternalDataFile[];
  /** A Hugging Face export's files beside the model (config.json, tokenizer.json...), when there are any. */
  folder?: HfFolderTexts;
}

const reasonFor = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a model file'
    : code === 'EACCES' ? 'permission denied' : (err as Error).message;
};

/** Reads a model file and its external data files, turning the file system's errors into a one-line reason. */
export async function readModelFile(file: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ModelLoadError(file, reasonFor(err));
  }
  if (bytes.length === 0) throw new ModelLoadError(file, 'the file is empty');
  const model: ModelFile = { path: path.resolve(file), bytes };
  const [externalData, folder] = await Promise.all([readExternalData(model), readHfFolder(model.path)]);
  return {
    ...model,
    ...(externalData.length > 0 ? { externalData } : {}),
    ...(Object.keys(folder).length > 0 ? { folder } : {}),
  };
}

/**
 * The data files the model names, each checked to be long enough for the tensors in it: a re-export that has written
 * the new model but not yet all of its data is "incomplete", not a broken model (the watcher waits for the rest).
 */
async function readExternalData(model: ModelFile): Promise<ExternalDataFile[]> {
  if (!mayHaveExternalData(model.bytes)) return [];
  let needs;
  try {
    needs = externalDataNeeds(decodeOnnxModel(model.bytes));
  } catch (err) {
    // Not decodable: the worker explains why when it loads it; a bad reference is explained here.
    if (/outside the model|names no file/.test((err as Error).message)) throw new ModelLoadError(model.path, (err as Error).message);
    return [];
  }
  const files = needs.map(({ location }) => {
    try {
      return externalDataPath(model.path, location);
    } catch (err) {
      throw new ModelLoadError(model.path, (err as Error).message);
    }
  });
  return Promise.all(needs.map(async ({ location, minBytes }, i) => {
    let bytes: Uint8Array;
    try {
      bytes = await readLargeFile(files[i]);
    } catch (err) {
      // Missing may mean "not written yet" by a re-export that writes the model first: incomplete, not broken.
      const reason = `its external data file '${location}' cannot be read: ${reasonFor(err)} (copy it beside the model)`;
      throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? new IncompleteModelError(model.path, reason, files) : new ModelLoadError(model.path, reason);
    }
    if (bytes.length < minBytes) {
      throw new IncompleteModelError(model.path, `its external data file '${location}' has ${bytes.length} bytes, fewer than the ${minBytes} its tensors need (still being written?)`, files);
    }
    return { location, path: files[i], bytes };
  }));
}

/**
 * A whole file in one buffer, past `readFile`'s 2 GiB limit (a data file of a model over 2 GB is one such file), up to
 * the largest buffer Node makes (4 GiB on 64-bit): onnxruntime-node takes external data only as bytes.
 */
export async function readLargeFile(file: string, chunkBytes = 1 << 30): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > bufferLimits.MAX_LENGTH) {
      throw new Error(`it has ${size} bytes, more than the ${bufferLimits.MAX_LENGTH} one file can hold in memory here`);
    }
    const bytes = Buffer.allocUnsafe(size);
    for (let at = 0; at < size;) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(chunkBytes, size - at), at);
      if (bytesRead === 0) return bytes.subarray(0, at); // shortened while read: the size check below says so
      at += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** The model's files are not all written yet (a data file missing, or shorter than its tensors need). */
export class IncompleteModelError extends ModelLoadError {
  /** Every data file the model names: the ones to watch for the rest of the export. */
  constructor(file: string, reason: string, readonly dataFiles: string[]) {
    super(file, reason);
  }
}

/**
 * The model's version: the sha256 of the `.onnx` bytes, then each data file's name and bytes (so new weights are a new
 * version), then the Hugging Face folder's files (a new tokenizer or new labels change the answers too).
 */
export function modelSha256(model: Pick<ModelFile, 'bytes' | 'externalData' | 'folder'>): string {
  const hash = createHash('sha256').update(model.bytes);
  for (const data of model.externalData ?? []) hash.update(`\0${data.location}\0`).update(data.bytes);
  for (const name of HF_FOLDER_FILES) if (model.folder?.[name] !== undefined) hash.update(`\0${name}\0`).update(model.folder[name]);
  return hash.digest('hex');
}

/** Bytes of the model and its data files together. */
export function modelSize(model: ModelFile): number {
  return model.bytes.length + (model.externalData ?? []).reduce((sum, d) => sum + d.bytes.length, 0);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The short version id people see: enough digits to tell exports apart, short enough to read aloud. */
export function shortVersion(sha256: string): string {
  return sha256.slice(0, 12);
}

/** The served model name: the file name without `.onnx`. */
export function modelNameFromPath(file: string): string {
  return path.basename(file).replace(/\.onnx$/i, '');
}
