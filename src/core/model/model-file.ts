import { createHash, type Hash } from 'node:crypto';
import { constants as bufferLimits } from 'node:buffer';
import { open, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ModelLoadError } from '../onnx/model-load-error';
import type { ExternalDataFile, FileIdentity, ModelFile } from '../onnx/model-files';
import { externalDataNeeds, externalDataPath, mayHaveExternalData } from './external-data';
import { decodeOnnxModel } from './onnx-metadata';
import { readModelSkeleton } from './model-skeleton';
import { HF_FOLDER_FILES, readHfFolder } from './hf-folder';

export type { ExternalDataFile, FileIdentity, ModelFile };

const reasonFor = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a model file'
    : code === 'EACCES' ? 'permission denied' : (err as Error).message;
};

const identityOf = async (file: string): Promise<FileIdentity> => {
  const s = await stat(file);
  if (s.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
};

const sameIdentity = (a: FileIdentity, b: FileIdentity): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

/**
 * Reads what describes a model (its skeleton, the external data files it names, the Hugging Face files beside it) and
 * hashes its files by streaming them, turning the file system's errors into a one-line reason. A file that changes while
 * it is read is "incomplete" (an export still writing it): the watcher's next event reads it again.
 */
export async function readModelFile(file: string): Promise<ModelFile> {
  const resolved = path.resolve(file);
  let identity: FileIdentity;
  let skeleton: Uint8Array;
  try {
    identity = await identityOf(resolved);
    if (identity.size === 0) throw new ModelLoadError(resolved, 'the file is empty');
    skeleton = readModelSkeleton(resolved);
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(resolved, (err as NodeJS.ErrnoException).code ? reasonFor(err) : (err as Error).message);
  }
  const [externalData, folder] = await Promise.all([readExternalData(resolved, skeleton), readHfFolder(resolved)]);
  const model: ModelFile = {
    path: resolved, identity, skeleton, sha256: '',
    ...(externalData.length > 0 ? { externalData } : {}),
    ...(Object.keys(folder).length > 0 ? { folder } : {}),
  };
  model.sha256 = await modelSha256(model);
  await assertUnchanged(model, (reason) => new IncompleteModelError(resolved, reason, (externalData ?? []).map((d) => d.path)));
  return model;
}

/**
 * Throws (what `fail` makes of the reason) when any of the model's files is no longer the one that was hashed: checked
 * after hashing, and after onnxruntime has read the files.
 */
export async function assertUnchanged(model: Pick<ModelFile, 'path' | 'identity' | 'externalData'>, fail: (reason: string) => Error): Promise<void> {
  const files = [{ name: 'the model file', path: model.path, identity: model.identity },
    ...(model.externalData ?? []).map((d) => ({ name: `its external data file '${d.location}'`, path: d.path, identity: d.identity }))];
  for (const f of files) {
    const now = await identityOf(f.path).catch(() => undefined);
    if (!now || !sameIdentity(now, f.identity)) throw fail(`${f.name} changed while it was being read (still being written?)`);
  }
}

/**
 * The data files the model names, each checked to be long enough for the tensors in it: a re-export that has written
 * the new model but not yet all of its data is "incomplete", not a broken model (the watcher waits for the rest).
 */
async function readExternalData(modelPath: string, skeleton: Uint8Array): Promise<ExternalDataFile[]> {
  if (!mayHaveExternalData(skeleton)) return [];
  let needs;
  try {
    needs = externalDataNeeds(decodeOnnxModel(skeleton));
  } catch (err) {
    // Not decodable: the worker explains why when it loads it; a bad reference is explained here.
    if (/outside the model|names no file/.test((err as Error).message)) throw new ModelLoadError(modelPath, (err as Error).message);
    return [];
  }
  const files = needs.map(({ location }) => {
    try {
      return externalDataPath(modelPath, location);
    } catch (err) {
      throw new ModelLoadError(modelPath, (err as Error).message);
    }
  });
  return Promise.all(needs.map(async ({ location, minBytes }, i) => {
    let identity: FileIdentity;
    try {
      identity = await identityOf(files[i]);
    } catch (err) {
      // Missing may mean "not written yet" by a re-export that writes the model first: incomplete, not broken.
      const reason = `its external data file '${location}' cannot be read: ${reasonFor(err)} (copy it beside the model)`;
      throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? new IncompleteModelError(modelPath, reason, files) : new ModelLoadError(modelPath, reason);
    }
    if (identity.size < minBytes) {
      throw new IncompleteModelError(modelPath, `its external data file '${location}' has ${identity.size} bytes, fewer than the ${minBytes} its tensors need (still being written?)`, files);
    }
    return { location, path: files[i], identity };
  }));
}

/**
 * A whole file in one buffer, past `readFile`'s 2 GiB limit (a data file of a model over 2 GB is one such file), up to
 * the largest buffer Node makes (4 GiB on 64-bit). Only a model served rewritten (a ZipMap output) is read whole: it is
 * given to onnxruntime as bytes, and its external data files too (onnxruntime-node takes them only as bytes then).
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
 * Feeds a file to a hash through one reused 1 MiB buffer: a model of gigabytes never sits in memory whole to be hashed,
 * and hashing it leaves no garbage behind (a read stream's chunks would stay resident until a collection).
 */
async function hashFile(hash: Hash, file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let read; (read = (await handle.read(chunk, 0, chunk.length, null)).bytesRead) > 0;) hash.update(chunk.subarray(0, read));
  } finally {
    await handle.close();
  }
}

/**
 * The model's version: the sha256 of the `.onnx` file, then each data file's name and bytes (so new weights are a new
 * version), then the Hugging Face folder's files (a new tokenizer or new labels change the answers too).
 */
export async function modelSha256(model: Pick<ModelFile, 'path' | 'externalData' | 'folder'>): Promise<string> {
  const hash = createHash('sha256');
  try {
    await hashFile(hash, model.path);
    for (const data of model.externalData ?? []) {
      hash.update(`\0${data.location}\0`);
      await hashFile(hash, data.path);
    }
  } catch (err) {
    throw new ModelLoadError(model.path, reasonFor(err));
  }
  for (const name of HF_FOLDER_FILES) if (model.folder?.[name] !== undefined) hash.update(`\0${name}\0`).update(model.folder[name]);
  return hash.digest('hex');
}

/**
 * Bytes of a model file and of the external data files it names, without reading or hashing them (0 when it cannot be
 * read: loading it says why). A 2 GB model exported with external data has a `.onnx` file of a few kB.
 */
export async function modelSizeOnDisk(file: string): Promise<number> {
  try {
    const resolved = path.resolve(file);
    const data = await readExternalData(resolved, readModelSkeleton(resolved));
    return (await identityOf(resolved)).size + data.reduce((sum, d) => sum + d.identity.size, 0);
  } catch {
    return 0;
  }
}


/** The short version id people see: enough digits to tell exports apart, short enough to read aloud. */
export function shortVersion(sha256: string): string {
  return sha256.slice(0, 12);
}

/** The served model name: the file name without `.onnx`. */
export function modelNameFromPath(file: string): string {
  return path.basename(file).replace(/\.onnx$/i, '');
}
