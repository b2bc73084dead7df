import type * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import type { ModelDescription } from '../../shared/model-card';
import { graphFacts } from './graph-facts';
import { metadataFacts } from './metadata-facts';
import { ModelLoadError } from '../onnx/model-load-error';
import { assertUnchanged, modelNameFromPath, readLargeFile, shortVersion, type ModelFile } from './model-file';
import { modelSize } from '../onnx/model-files';
import { decodeOnnxModel, onnxMetadataOf } from './onnx-metadata';
import { createOrtSession, type OrtLogOptions } from '../onnx/ort-session';
import { signatureFromSession } from './signature';
import { withoutOutputZipMaps, zipMapOutputs, type ZipMapOutput } from './zipmap-outputs';
import { parseHfFolder, type HfFolder } from './hf-folder';
import { configFacts, preprocessorFacts, vocabularyFacts } from './hf-facts';
import { textInputsOf } from './text-inputs';
import { loadTextTokenizer, type TextTokenizer } from './text-tokenizer';

/** A model's skeleton decoded, and what must change for it to be servable (a ZipMap output replaced by its tensor). */
export interface PreparedModel {
  /** The skeleton (no large weights), with each output ZipMap already an Identity, as onnxruntime will see it. */
  proto: onnx.ModelProto;
  zipMaps: ZipMapOutput[];
  /** The Hugging Face export files beside the model, parsed. */
  folder: HfFolder;
}

/** Checks the file is an ONNX model before onnxruntime sees it (a clearer reason than ORT gives), and what to adapt. */
export function prepareModel(model: ModelFile): PreparedModel {
  let proto: onnx.ModelProto;
  try {
    proto = decodeOnnxModel(model.skeleton);
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
  const zipMaps = zipMapOutputs(proto);
  // The graph facts later read the rewritten graph: each ZipMap is an Identity there, and `zipMaps` keeps its labels.
  withoutOutputZipMaps(proto, zipMaps);
  return { proto, zipMaps, folder: parseHfFolder(model.folder) };
}

/**
 * A session for the prepared model. onnxruntime reads the file (and its external data files) itself, from the path:
 * no copy of the weights lives in JavaScript. Only a model with a ZipMap output (scikit-learn's classifiers, which are
 * small) is read whole, to be served rewritten. Fails when a file is no longer the version that was hashed.
 */
export async function createModelSession(model: ModelFile, prepared: PreparedModel, ortLog: OrtLogOptions): Promise<ort.InferenceSession> {
  const session = prepared.zipMaps.length === 0 ? await createOrtSession(model.path, model.path, ortLog) : await createRewrittenSession(model, ortLog);
  try {
    await assertUnchanged(model, (reason) => new ModelLoadError(model.path, reason));
    return session;
  } catch (err) {
    await session.release();
    throw err;
  }
}

async function createRewrittenSession(model: ModelFile, ortLog: OrtLogOptions): Promise<ort.InferenceSession> {
  let bytes: Uint8Array;
  let externalData: Array<{ path: string; data: Uint8Array }>;
  try {
    bytes = await readLargeFile(model.path);
    externalData = await Promise.all((model.externalData ?? []).map(async (d) => ({ path: d.location, data: await readLargeFile(d.path) })));
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
  let proto: onnx.ModelProto;
  try {
    proto = decodeOnnxModel(bytes);
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
  return createOrtSession(withoutOutputZipMaps(proto, zipMapOutputs(proto)) ?? bytes, model.path, ortLog, externalData);
}

export function describeLoadedModel(model: ModelFile, prepared: PreparedModel, session: ort.InferenceSession): ModelDescription {
  const meta = onnxMetadataOf(prepared.proto);
  let signature;
  try {
    signature = signatureFromSession(session);
  } catch (err) {
    throw new ModelLoadError(model.path, (err as Error).message);
  }
  const sha256 = model.sha256;
  const folder: HfFolder = { ...prepared.folder, problems: [...prepared.folder.problems] };
  const folderFacts = [...configFacts(folder, signature.outputs), ...preprocessorFacts(folder, signature.inputs), ...vocabularyFacts(folder, signature.outputs)];
  const text = textInputsOf(folder, signature.inputs);
  const served = prepared.zipMaps.map((z) =>
    `output '${z.output}' is a ZipMap (a list of {class: probability} maps) in the file: served as its FP32 probabilities tensor, one column per class`);
  return {
    name: modelNameFromPath(model.path),
    file: model.path,
    fileSize: modelSize(model),
    ...(model.externalData?.length ? { externalData: model.externalData.map((d) => ({ location: d.location, size: d.identity.size })) } : {}),
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
