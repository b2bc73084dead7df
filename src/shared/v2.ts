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

/**
 * Triton's model configuration DataType (model_config.proto `enum DataType`) for each V2 datatype. The names follow
 * the V2 ones but for BYTES, which Triton's configuration calls TYPE_STRING. Typed by V2Datatype, so a datatype added
 * to V2_DATATYPES does not compile until it has its name here.
 */
export const TRITON_CONFIG_DATATYPES = {
  BOOL: 'TYPE_BOOL', UINT8: 'TYPE_UINT8', UINT16: 'TYPE_UINT16', UINT32: 'TYPE_UINT32', UINT64: 'TYPE_UINT64',
  INT8: 'TYPE_INT8', INT16: 'TYPE_INT16', INT32: 'TYPE_INT32', INT64: 'TYPE_INT64',
  FP16: 'TYPE_FP16', FP32: 'TYPE_FP32', FP64: 'TYPE_FP64', BYTES: 'TYPE_STRING',
} as const satisfies Record<V2Datatype, `TYPE_${string}`>;
export type TritonConfigDatatype = (typeof TRITON_CONFIG_DATATYPES)[V2Datatype];

/** An input of `GET /v2/models/{name}/config` (Triton's ModelInput, with the defaults Triton prints). */
export interface TritonModelInput {
  name: string;
  data_type: TritonConfigDatatype;
  format: 'FORMAT_NONE';
  dims: number[];
  is_shape_tensor: false;
  allow_ragged_batch: false;
  optional: false;
  is_non_linear_format_io: false;
}

/** An output of `GET /v2/models/{name}/config` (Triton's ModelOutput, with the defaults Triton prints). */
export interface TritonModelOutput {
  name: string;
  data_type: TritonConfigDatatype;
  dims: number[];
  label_filename: '';
  is_shape_tensor: false;
  is_non_linear_format_io: false;
}

/**
 * `GET /v2/models/{name}[/versions/{version}]/config`: Triton's model configuration extension, the part of Triton's
 * ModelConfig message (model_config.proto) that is true of this server. See src/core/server/triton-model-config.ts.
 */
export interface TritonModelConfig {
  name: string;
  platform: 'onnxruntime_onnx';
  backend: 'onnxruntime';
  version_policy: { latest: { num_versions: 1 } };
  max_batch_size: 0;
  input: TritonModelInput[];
  output: TritonModelOutput[];
  batch_input: [];
  batch_output: [];
  instance_group: Array<{
    name: string; kind: 'KIND_CPU'; count: number; gpus: []; secondary_devices: []; profile: []; passive: false; host_policy: '';
  }>;
  /** Only `metadata`, and only for a model with metadata_props: see triton-model-config.ts. */
  parameters?: { metadata: { string_value: string } };
}
