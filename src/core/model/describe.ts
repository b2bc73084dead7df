import type * as ort from 'onnxruntime-node';
import type { ModelDescription } from '../../shared/model-card';
import { ModelLoadError } from '../onnx/model-load-error';
import { modelNameFromPath, sha256Hex, shortVersion, type ModelFile } from './model-file';
import { readOnnxMetadata } from './onnx-metadata';
import { createOrtSession, type OrtLogOptions } from '../onnx/ort-session';
import { signatureFromSession } from './signature';

/** Checks the bytes are an ONNX model before onnxruntime sees them, for a clearer reason than ORT gives. */
export function readMetadataOrExplain(model: ModelFile): ReturnType<typeof readOnnxMetadata> {
  try {
    return readOnnxMetadata(model.bytes);
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
}

export function describeLoadedModel(model: ModelFile, session: ort.InferenceSession): ModelDescription {
  const meta = readMetadataOrExplain(model);
  let signature;
  try {
    signature = signatureFromSession(session);
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
  const sha256 = sha256Hex(model.bytes);
  return {
    name: modelNameFromPath(model.path),
    file: model.path,
    fileSize: model.bytes.length,
    sha256,
    version: shortVersion(sha256),
    ...signature,
    irVersion: meta.irVersion,
    opsets: meta.opsets,
    producer: meta.producer,
    docString: meta.docString,
    metadataProps: meta.metadataProps,
  };
}

/** Loads a model in this thread just to describe it (`model-preview inspect`); the server never does this. */
export async function inspectModel(model: ModelFile, ortLog: OrtLogOptions = {}): Promise<ModelDescription> {
  readMetadataOrExplain(model);
  const session = await createOrtSession(model.bytes, model.path, ortLog);
  try {
    return describeLoadedModel(model, session);
  } finally {
    await session.release();
  }
}
