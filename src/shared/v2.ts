/**
 * Open Inference Protocol (V2) REST types, as in the KServe / Triton specification.
 * Shared by the server, the CLI and (later) the browser page and the extension.
 */

/** Every V2 datatype onnxruntime-node can serve. BF16 is in the protocol but ORT-node cannot load such models. */
export const V2_DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES',
] as const;
export type V2Datatype = (typeof V2_DATATYPES)[number];

/** A tensor's declared signature. A dimension is a number (fixed), or a string naming a symbolic (dynamic) dim. */
export interface TensorSpec {
  name: string;
  datatype: V2Datatype;
  shape: Array<number | string>;
}

/** An output the model declares that is not a tensor (e.g. an sklearn ZipMap); it is skipped when serving. */
export interface NonTensorOutput {
  name: string;
  note: string;
}

export type TensorData = unknown[];

export interface V2RequestInput {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, unknown>;
  data: TensorData;
}

export interface V2InferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: V2RequestInput[];
  outputs?: Array<{ name: string; parameters?: Record<string, unknown> }>;
}

export interface V2ResponseOutput {
  name: string;
  shape: number[];
  datatype: V2Datatype;
  parameters?: Record<string, unknown>;
  data: Array<number | string | boolean>;
}

/** An output answered as binary data (Triton's binary tensor data extension): its bytes follow the JSON. */
export interface V2BinaryOutput {
  name: string;
  shape: number[];
  datatype: V2Datatype;
  parameters: { binary_data_size: number };
}

export interface V2InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: Array<V2ResponseOutput | V2BinaryOutput>;
}

/** `GET /v2/models/{name}`: dynamic dims are -1 as the specification says. */
export interface V2ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: Array<{ name: string; datatype: V2Datatype; shape: number[] }>;
  outputs: Array<{ name: string; datatype: V2Datatype; shape: number[] }>;
}

export interface ErrorBody {
  error: string;
}
