import type * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import type { ModelDescription } from '../../shared/model-card';
import { graphFacts } from './graph-facts';
import { metadataFacts } from './metadata-facts';
import { ModelLoadError } from '../onnx/model-load-error';
import { modelNameFromPath, modelSha256, modelSize, shortVersion, type ModelFile } from './model-file';
import { decodeOnnxModel, onnxMetadataOf } from './onnx-metadata';
import { createOrtSession, type OrtLogOptions } from '../onnx/ort-session';
import { signatureFromSession } from './signature';
import { withoutOutputZipMaps, zipMapOutputs, type ZipMapOutput } from './zipmap-outputs';

/** A model decoded and made servable: the bytes onnxruntime loads (a ZipMap output replaced by its tensor) and what changed. */
export interface PreparedModel {
  proto: onnx.ModelProto;
  /** What onnxruntime is given: the file's bytes, or the rewritten model. */
  servedBytes: Uint8Array;
  zipMaps: ZipMapOutput[];
}

/** Checks the bytes are an ONNX model before onnxruntime sees them (a clearer reason than ORT gives), and adapts it. */
export function prepareModel(model: ModelFile): PreparedModel {
  let proto: onnx.ModelProto;
  try {
    proto = decodeOnnxModel(model.bytes);
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
  const zipMaps = zipMapOutputs(proto);
  // The graph facts later read the rewritten graph: each ZipMap is an Identity there, and `zipMaps` keeps its labels.
  const servedBytes = withoutOutputZipMaps(proto, zipMaps) ?? model.bytes;
  return { proto, servedBytes, zipMaps };
}

/** A session for the prepared model, with its external data handed over by name. */
export function createModelSession(model: ModelFile, prepared: PreparedModel, ortLog: OrtLogOptions): Promise<ort.InferenceSession> {
  return createOrtSession(prepared.servedBytes, model.path, ortLog, model.externalData?.map((d) => ({ path: d.location, data: d.bytes })));
}

export function describeLoadedModel(model: ModelFile, prepared: PreparedModel, session: ort.InferenceSession): ModelDescription {
  const meta = onnxMetadataOf(prepared.proto);
  let signature;
  try {
    signature = signatureFromSession(session);
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
  const sha256 = modelSha256(model);
  const served = prepared.zipMaps.map((z) =>
    `output '${z.output}' is a ZipMap (a list of {class: probability} maps) in the file: served as its FP32 probabilities tensor, one column per class`);
  return {
    name: modelNameFromPath(model.path),
    file: model.path,
    fileSize: modelSize(model),
    ...(model.externalData?.length ? { externalData: model.externalData.map((d) => ({ location: d.location, size: d.bytes.length })) } : {}),
    sha256,
    version: shortVersion(sha256),
    ...signature,
    ...(served.length > 0 ? { adaptations: served } : {}),
    irVersion: meta.irVersion,
    opsets: meta.opsets,
    producer: meta.producer,
    docString: meta.docString,
    metadataProps: meta.metadataProps,
    facts: [
      ...metadataFacts(prepared.proto, meta.metadataProps, signature.inputs, signature.outputs),
      ...graphFacts(prepared.proto, prepared.zipMaps),
    ],
  };
}

/** Loads a model in this thread just to describe it (`model-preview inspect`); the server never does this. */
export async function inspectModel(model: ModelFile, ortLog: OrtLogOptions = {}): Promise<ModelDescription> {
  const prepared = prepareModel(model);
  const session = await createModelSession(model, prepared, ortLog);
  try {
    return describeLoadedModel(model, prepared, session);
  } finally {
    await session.release();
  }
}
