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
import { parseHfFolder, type HfFolder } from './hf-folder';
import { configFacts, preprocessorFacts, vocabularyFacts } from './hf-facts';
import { textInputsOf } from './text-inputs';
import { loadTextTokenizer, type TextTokenizer } from './text-tokenizer';

/** A model decoded and made servable: the bytes onnxruntime loads (a ZipMap output replaced by its tensor) and what changed. */
export interface PreparedModel {
  proto: onnx.ModelProto;
  /** What onnxruntime is given: the file's bytes, or the rewritten model. */
  servedBytes: Uint8Array;
  zipMaps: ZipMapOutput[];
  /** The Hugging Face export files beside the model, parsed. */
  folder: HfFolder;
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
  return { proto, servedBytes, zipMaps, folder: parseHfFolder(model.folder) };
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
  const folder: HfFolder = { ...prepared.folder, problems: [...prepared.folder.problems] };
  const folderFacts = [...configFacts(folder, signature.outputs), ...preprocessorFacts(folder, signature.inputs), ...vocabularyFacts(folder, signature.outputs)];
  const text = textInputsOf(folder, signature.inputs);
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
    ...(folder.files.length > 0 || folder.problems.length > 0 ? { folder: { files: folder.files, problems: folder.problems } } : {}),
    ...(text ? { text } : {}),
    irVersion: meta.irVersion,
    opsets: meta.opsets,
    producer: meta.producer,
    docString: meta.docString,
    metadataProps: meta.metadataProps,
    facts: [
      ...metadataFacts(prepared.proto, meta.metadataProps, signature.inputs, signature.outputs),
      ...graphFacts(prepared.proto, prepared.zipMaps),
      ...folderFacts,
    ],
  };
}

/** The tokenizer of a model that takes text (undefined for other models); a tokenizer.json that cannot be used fails the load. */
export async function textTokenizerFor(model: ModelFile, prepared: PreparedModel, description: ModelDescription): Promise<TextTokenizer | undefined> {
  if (!description.text) return undefined;
  try {
    const tokenizer = await loadTextTokenizer(prepared.folder, description.text);
    tokenizer.encode('a check that the tokenizer works');
    return tokenizer;
  } catch (err) {
    throw new ModelLoadError(model.path, `its tokenizer.json cannot be used: ${(err as Error).message}`);
  }
}

/** Loads a model in this thread just to describe it (`model-preview inspect`); the server never does this. */
export async function inspectModel(model: ModelFile, ortLog: OrtLogOptions = {}): Promise<ModelDescription> {
  const prepared = prepareModel(model);
  const session = await createModelSession(model, prepared, ortLog);
  try {
    const description = describeLoadedModel(model, prepared, session);
    await textTokenizerFor(model, prepared, description);
    return description;
  } finally {
    await session.release();
  }
}
