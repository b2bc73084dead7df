import { onnx } from 'onnx-proto';

/** What the ONNX protobuf says about a model beyond its signature (onnxruntime-node exposes none of it). */
export interface OnnxMetadata {
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  producer?: { name: string; version: string };
  docString?: string;
  metadataProps: Record<string, string>;
}

/** Decodes an ONNX file. Throws with a short reason when the bytes are not an ONNX model. */
export function decodeOnnxModel(bytes: Uint8Array): onnx.ModelProto {
  // Serialisers write fields in order, and every ONNX file starts with field 1, ir_version (tag byte 0x08).
  if (bytes[0] !== 0x08) throw new Error('not an ONNX model (it does not start with an ONNX IR version)');
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    const detail = (err as Error).message;
    const truncated = /index out of range/.test(detail);
    throw new Error(truncated ? 'the file is truncated (it ends in the middle of the model)' : `not an ONNX model (${detail})`);
  }
  if (!model.graph || !model.irVersion) throw new Error('not an ONNX model (no graph or IR version in the file)');
  return model;
}

/** The ModelProto header fields of a decoded model. */
export function onnxMetadataOf(model: onnx.ModelProto): OnnxMetadata {
  // fromEntries defines each key as the object's own: an assignment of a key named "__proto__" set the prototype
  // instead, and the property was gone.
  const metadataProps: Record<string, string> = Object.fromEntries(
    model.metadataProps.filter((prop) => prop.key).map((prop) => [prop.key, prop.value ?? '']),
  );
  return {
    irVersion: Number(model.irVersion),
    opsets: model.opsetImport.map((o) => ({ domain: o.domain || 'ai.onnx', version: Number(o.version) })),
    producer: model.producerName ? { name: model.producerName, version: model.producerVersion } : undefined,
    docString: model.docString || model.graph?.docString || undefined,
    metadataProps,
  };
}

/** Decodes the ModelProto header fields. Throws with a short reason when the bytes are not an ONNX model. */
export function readOnnxMetadata(bytes: Uint8Array): OnnxMetadata {
  return onnxMetadataOf(decodeOnnxModel(bytes));
}
