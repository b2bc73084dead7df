import type { ModelCard } from '../../shared/model-card';
import { TRITON_CONFIG_DATATYPES, type TensorSpec, type TritonModelConfig, type TritonModelInput, type TritonModelOutput } from '../../shared/v2';

/*
 * `GET /v2/models/{name}[/versions/{version}]/config`: Triton's model configuration extension
 * (triton-inference-server/server docs/protocol/extension_model_configuration.md), which answers "the JSON
 * representation of the model's configuration described by the ModelConfig message from model_config.proto"
 * (triton-inference-server/common protobuf/model_config.proto). Triton's clients read it: tritonclient's
 * get_model_config, and Ultralytics' TritonRemoteModel, which takes the input and output names and each input's
 * data_type ("TYPE_FP32") from it, and eval()s parameters.metadata.string_value.
 *
 * The JSON is shaped as Triton writes it (triton-inference-server/core src/model_config_utils.cc, ModelConfigToJson):
 * protobuf's JSON printer with preserve_proto_field_names (snake_case keys) and always_print_primitive_fields (so a
 * message that is present carries its default fields too: `format: "FORMAT_NONE"`, `optional: false`...), after which
 * Triton turns the int64 fields protobuf prints as strings back into JSON numbers ("the int64 fields fixes to be
 * actual numbers instead of the string madness done by protobuf"): `dims` are numbers. The int32/uint32 fields
 * (max_batch_size, count, num_versions) are numbers in protobuf's JSON already.
 *
 * What Triton's auto-complete fills in for an onnxruntime model that describes Triton's own machinery (optimization,
 * default_model_filename, model_warmup, response_cache, dynamic batching) is left out: it would be a claim about
 * something this server does not have. What is here is true of this server: the model's signature, one version
 * served at a time, and the inference workers as a CPU instance group of that many instances.
 */

/**
 * Always 0, which in Triton means "no batching by the server": `dims` are then the full shapes a request must have,
 * batch dimension included. Triton's onnxruntime auto-complete sets a max_batch_size > 0 and strips the first
 * dimension from `dims` when every input and output starts with an open dimension, because Triton then batches
 * requests together itself. This server does neither: it runs each request's tensors as sent, and an ONNX model's
 * first dimension need not be a batch at all (a fixed 1, a sequence length). With max_batch_size 0 a client sends the
 * same shapes as `GET /v2/models/{name}` lists, and its batch dimension (if any) stays an open -1 in `dims`.
 */
const MAX_BATCH_SIZE = 0;

/** Open (symbolic) dimensions as -1, Triton's wildcard dimension. */
const dimsOf = (spec: TensorSpec): number[] => spec.shape.map((d) => (typeof d === 'number' ? d : -1));

const inputOf = (spec: TensorSpec): TritonModelInput => ({
  name: spec.name, data_type: TRITON_CONFIG_DATATYPES[spec.datatype], format: 'FORMAT_NONE', dims: dimsOf(spec),
  is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false,
});

const outputOf = (spec: TensorSpec): TritonModelOutput => ({
  name: spec.name, data_type: TRITON_CONFIG_DATATYPES[spec.datatype], dims: dimsOf(spec), label_filename: '',
  is_shape_tensor: false, is_non_linear_format_io: false,
});

/**
 * `parameters.metadata`: the model file's own metadata_props, as a JSON object of strings — what Ultralytics' Triton
 * export puts there, and what its ONNX backend reads from the same file (custom_metadata_map), so its Triton client
 * gets the same class names and sizes either way. Ultralytics eval()s this string: JSON.stringify of an object whose
 * keys and values are all strings writes only string literals, braces, colons and commas, which Python evaluates as a
 * dict of str literals and nothing else (the tests check it with ast.literal_eval). Absent when the model has no
 * metadata, as on Triton without a configured parameter (Ultralytics then evals its default, "None").
 */
function parametersOf(card: ModelCard): Pick<TritonModelConfig, 'parameters'> {
  const props = card.metadataProps;
  if (Object.keys(props).length === 0) return {};
  const strings = Object.fromEntries(Object.entries(props).map(([k, v]) => [String(k), String(v)]));
  return { parameters: { metadata: { string_value: JSON.stringify(strings) } } };
}

/** The served model's Triton model configuration; `workers` is the number of inference workers running it. */
export function tritonModelConfig(card: ModelCard, workers: number): TritonModelConfig {
  return {
    name: card.name,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    // One version is served at a time (a new file replaces it): Triton's default policy, the latest one version.
    version_policy: { latest: { num_versions: 1 } },
    max_batch_size: MAX_BATCH_SIZE,
    input: card.inputs.map(inputOf),
    output: card.outputs.map(outputOf),
    batch_input: [],
    batch_output: [],
    // Triton names a group it makes up after the model (model_config_utils.cc: group->set_name(config->name())).
    instance_group: [{
      name: card.name, kind: 'KIND_CPU', count: workers, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '',
    }],
    ...parametersOf(card),
  };
}
