import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ModelLoadError } from '../onnx/model-load-error';

export interface ModelFile {
  path: string;
  bytes: Uint8Array;
}

/** Reads a model file, turning the file system's errors into a one-line reason. */
export async function readModelFile(file: string): Promise<ModelFile> {
  try {
    const bytes = await readFile(file);
    if (bytes.length === 0) throw new ModelLoadError(file, 'the file is empty');
    return { path: path.resolve(file), bytes };
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a model file'
      : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ModelLoadError(file, reason);
  }
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
