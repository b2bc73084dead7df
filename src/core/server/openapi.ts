import { elementCount, exampleShapes } from '../../shared/example-shape';
import type { ModelCard } from '../../shared/model-card';
import { TRITON_CONFIG_DATATYPES, type TensorSpec, type V2Datatype } from '../../shared/v2';
import { MODEL_PREVIEW_VERSION } from '../../shared/version';
import { PASSWORD_HEADER } from './access';

/*
 * `GET /openapi.json`: an OpenAPI 3.1 document for the routes a program calls on this model — V2 metadata, Triton's
 * model configuration and infer, and /api/predict — with the model's real input and output schemas (names, datatypes,
 * shapes), so that Swagger UI, an API client generator or a person can call it without reading our docs. It is built from the served model's card
 * and answered behind the share token, like the routes it describes.
 */

const INTEGER_RANGE: Partial<Record<V2Datatype, [number, number]>> = {
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295], INT8: [-128, 127], INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
};

/** The JSON schema of one element of a tensor's `data`. */
function elementSchema(datatype: V2Datatype): Record<string, unknown> {
  switch (datatype) {
    case 'BOOL': return { type: 'boolean' };
    case 'BYTES': return { type: 'string' };
    case 'FP16': case 'FP32': case 'FP64': return { type: 'number' };
    case 'INT64': case 'UINT64':
      return { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]{1,20}$', description: 'beyond ±2^53: the exact value as decimal digits' }] };
    default: {
      const [minimum, maximum] = INTEGER_RANGE[datatype]!;
      return { type: 'integer', minimum, maximum };
    }
  }
}

const shapeText = (spec: TensorSpec): string => `[${spec.shape.join(', ')}]`;
const exampleElement = (datatype: V2Datatype): unknown => (datatype === 'BYTES' ? 'text' : datatype === 'BOOL' ? false : 0);
/** Examples are left out of the document beyond this many elements (an image's would weigh megabytes). */
const EXAMPLE_LIMIT = 1024;

/** Placeholder data nested to the example shape, as /api/predict reads it whatever dimensions are open. */
function nestedExample(datatype: V2Datatype, shape: number[]): unknown {
  const build = (dims: number[]): unknown => (dims.length === 0 ? exampleElement(datatype) : Array.from({ length: dims[0] }, () => build(dims.slice(1))));
  return build(shape);
}

/** A V2 tensor of this spec: `data` flat (row-major) or nested, or binary (`parameters.binary_data_size`). */
function v2Tensor(spec: TensorSpec, direction: 'input' | 'output'): Record<string, unknown> {
  return {
    type: 'object',
    description: `${direction} '${spec.name}': ${spec.datatype}, shape ${shapeText(spec)} (a name is an open dimension, any size)`,
    required: ['name', 'shape', 'datatype'],
    properties: {
      name: { const: spec.name },
      datatype: { const: spec.datatype },
      shape: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: spec.shape.length, maxItems: spec.shape.length },
      data: { type: 'array', description: 'the elements, flat in row-major order (requests may also nest them)', items: direction === 'input' ? {} : elementSchema(spec.datatype) },
      parameters: {
        type: 'object',
        properties: { binary_data_size: { type: 'integer', minimum: 0, description: 'binary tensor data: this many bytes follow the JSON, in tensor order' } },
      },
    },
  };
}

/** Nested arrays as a person writes a tensor for /api/predict: one element, or lists of them. */
function nestedSchema(spec: TensorSpec): Record<string, unknown> {
  let schema: Record<string, unknown> = elementSchema(spec.datatype);
  for (let i = 0; i < spec.shape.length; i++) schema = { type: 'array', items: schema };
  return { ...schema, description: `'${spec.name}': ${spec.datatype}, shape ${shapeText(spec)}; the batch dimension may be left out for one example` };
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, details: { type: 'string' } } } } },
});

/** The answer of `GET /v2/models/{name}/config` for this model (see triton-model-config.ts). */
function tritonConfigSchema(card: ModelCard): Record<string, unknown> {
  const tensor = (specs: readonly TensorSpec[]) => ({
    type: 'array',
    items: {
      type: 'object', required: ['name', 'data_type', 'dims'],
      properties: {
        name: { enum: specs.map((s) => s.name) },
        data_type: { enum: [...new Set(specs.map((s) => TRITON_CONFIG_DATATYPES[s.datatype]))] },
        dims: { type: 'array', items: { type: 'integer', minimum: -1 }, description: 'the full shape; -1 is an open dimension' },
      },
    },
  });
  return {
    type: 'object', required: ['name', 'platform', 'backend', 'max_batch_size', 'input', 'output', 'instance_group'],
    properties: {
      name: { const: card.name }, platform: { const: 'onnxruntime_onnx' }, backend: { const: 'onnxruntime' }, max_batch_size: { const: 0 },
      input: tensor(card.inputs), output: tensor(card.outputs),
      instance_group: { type: 'array', items: { type: 'object', properties: { kind: { const: 'KIND_CPU' }, count: { type: 'integer', minimum: 1, description: 'the inference workers' } } } },
      parameters: {
        type: 'object', description: 'only for a model with metadata_props',
        properties: { metadata: { type: 'object', properties: { string_value: { type: 'string', description: "the model file's metadata_props as a JSON object of strings" } } } },
      },
    },
  };
}

export function openApiDocument(card: ModelCard, passwordRequired: boolean): Record<string, unknown> {
  const name = encodeURIComponent(card.name);
  const inputSchemas = card.inputs.map((s) => v2Tensor(s, 'input'));
  const outputSchemas = card.outputs.map((s) => v2Tensor(s, 'output'));
  // The shapes the page would send (a picture at its preprocessing size, not 1x1, which a convolutional model refuses).
  const shapes = exampleShapes(card);
  const small = card.inputs.every((s) => elementCount(shapes.get(s.name)!) <= EXAMPLE_LIMIT);
  const v2Example = small ? {
    example: {
      inputs: card.inputs.map((s) => {
        const shape = shapes.get(s.name)!;
        return { name: s.name, shape, datatype: s.datatype, data: Array<unknown>(elementCount(shape)).fill(exampleElement(s.datatype)) };
      }),
    },
  } : {};
  const predictExample = small ? { example: { inputs: Object.fromEntries(card.inputs.map((s) => [s.name, nestedExample(s.datatype, shapes.get(s.name)!)])) } } : {};
  const security = [{ shareToken: [] }, { shareTokenQuery: [] }];
  const passwordParameter = passwordRequired
    ? [{ name: PASSWORD_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: "the link's password" }]
    : [];
  const infer = {
    summary: `Run ${card.name} (Open Inference Protocol)`,
    description: 'Inputs as JSON `data`, or as bytes after the JSON (Triton\'s binary tensor data extension: '
      + '`Inference-Header-Content-Length` gives the JSON\'s length, each binary input has `parameters.binary_data_size`; '
      + 'ask for binary outputs with `parameters.binary_data_output: true`).',
    operationId: 'infer',
    parameters: [
      ...passwordParameter,
      { name: 'Inference-Header-Content-Length', in: 'header', required: false, schema: { type: 'integer', minimum: 0 }, description: 'binary tensor data: the byte length of the JSON that begins the body' },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['inputs'],
            properties: {
              id: { type: 'string' },
              parameters: { type: 'object', properties: { binary_data_output: { type: 'boolean' } } },
              inputs: { type: 'array', items: inputSchemas.length === 1 ? inputSchemas[0] : { oneOf: inputSchemas }, minItems: card.inputs.length, maxItems: card.inputs.length },
              outputs: {
                type: 'array',
                items: {
                  type: 'object', required: ['name'],
                  properties: { name: { enum: card.outputs.map((s) => s.name) }, parameters: { type: 'object', properties: { binary_data: { type: 'boolean' } } } },
                },
              },
            },
          },
          ...v2Example,
        },
        'application/octet-stream': { schema: { type: 'string', format: 'binary', description: 'the JSON request, then the binary inputs (binary tensor data)' } },
      },
    },
    responses: {
      200: {
        description: 'the outputs',
        content: {
          'application/json': {
            schema: {
              type: 'object', required: ['model_name', 'model_version', 'outputs'],
              properties: {
                model_name: { const: card.name }, model_version: { type: 'string' }, id: { type: 'string' },
                outputs: { type: 'array', items: outputSchemas.length === 1 ? outputSchemas[0] : { oneOf: outputSchemas } },
              },
            },
          },
          'application/octet-stream': { schema: { type: 'string', format: 'binary', description: 'binary outputs: the JSON answer (Inference-Header-Content-Length bytes), then each binary output\'s bytes' } },
        },
      },
      400: errorResponse('a mistake in the request, named'),
      401: errorResponse('no share token, or a wrong one'),
      429: errorResponse('too many predictions from this client; see Retry-After'),
      503: errorResponse('busy or loading; see Retry-After'),
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: card.sidecar?.title || card.name,
      version: card.version,
      description: `${card.sidecar?.description ?? card.docString ?? `The ${card.name} model`}, served by Model Preview ${MODEL_PREVIEW_VERSION}.`,
    },
    // Relative: the document is read through the same link (local, a tunnel, a proxy path) the routes are called on.
    servers: [{ url: '.' }],
    security,
    components: {
      securitySchemes: {
        shareToken: { type: 'http', scheme: 'bearer', description: "the share link's token (its t= part)" },
        shareTokenQuery: { type: 'apiKey', in: 'query', name: 't', description: "the share link's token" },
      },
    },
    paths: {
      [`/v2/models/${name}`]: {
        get: {
          summary: `${card.name}'s signature`, operationId: 'modelMetadata', parameters: passwordParameter,
          responses: { 200: { description: 'name, versions, platform, inputs and outputs (open dimensions as -1)', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      [`/v2/models/${name}/config`]: {
        get: {
          summary: `${card.name}'s Triton model configuration`,
          description: 'Triton\'s model configuration extension, as tritonclient\'s `get_model_config` reads it: Triton\'s ModelConfig as JSON '
            + '(`data_type` as `TYPE_FP32`..., `TYPE_STRING` for BYTES; `dims` the full shapes, open dimensions -1, with `max_batch_size` 0).',
          operationId: 'modelConfig', parameters: passwordParameter,
          responses: {
            200: { description: 'the model configuration', content: { 'application/json': { schema: tritonConfigSchema(card) } } },
            401: errorResponse('no share token, or a wrong one'),
            404: errorResponse('another model or version than the one served'),
          },
        },
      },
      [`/v2/models/${name}/infer`]: { post: infer },
      [`/v2/models/${name}/versions/${encodeURIComponent(card.version)}/infer`]: { post: { ...infer, operationId: 'inferThisVersion', summary: `${infer.summary}, this version only (404 once another is served)` } },
      '/api/predict': {
        post: {
          summary: `Run ${card.name} the page's way: inputs by name, shapes worked out`,
          operationId: 'predict',
          parameters: passwordParameter,
          requestBody: {
            required: true,
            // The page's compact form (an input as a picture's pixels after the JSON) is documented in docs/http-api.md.
            description: 'Inputs by name as nested JSON data. An image input may instead be `{"picture": {...}, "shape": [...], "parameters": {"binary_data_size": n}}` '
              + 'with the picture\'s 8-bit RGB pixels after the JSON (`Inference-Header-Content-Length`, as binary tensor data); '
              + '`parameters.binary_data_output: true` answers outputs of more than 1,024 numbers as bytes after the JSON.',
            content: {
              'application/json': {
                schema: {
                  // A model that takes text (a tokenizer beside it): `text` fills the token inputs instead.
                  type: 'object', ...(card.text ? {} : { required: ['inputs'] }),
                  properties: {
                    inputs: { type: 'object', ...(card.text ? {} : { required: card.inputs.map((s) => s.name) }), properties: Object.fromEntries(card.inputs.map((s) => [s.name, nestedSchema(s)])) },
                    ...(card.text ? { text: { type: 'string', maxLength: 100_000, description: `tokenized by the server; at most ${card.text.maxLength} tokens are read` } } : {}),
                    outputs: { type: 'array', items: { enum: card.outputs.map((s) => s.name) } },
                    parameters: { type: 'object', properties: { binary_data_output: { type: 'boolean' } } },
                  },
                },
                ...(card.text ? { example: { text: 'Where is my parcel?' } } : predictExample),
              },
            },
          },
          responses: {
            200: {
              description: 'the outputs, and the prediction id feedback refers to',
              content: {
                'application/json': {
                  schema: {
                    type: 'object', required: ['predictionId', 'model', 'modelVersion', 'outputs'],
                    properties: {
                      predictionId: { type: 'string' }, model: { const: card.name }, modelVersion: { type: 'string' },
                      outputs: {
                        type: 'object',
                        properties: Object.fromEntries(card.outputs.map((s) => [s.name, {
                          type: 'object', properties: { datatype: { const: s.datatype }, shape: { type: 'array', items: { type: 'integer' } }, data: { type: 'array', items: elementSchema(s.datatype) } },
                        }])),
                      },
                      timing: { type: 'object', properties: { inferenceMs: { type: 'number' }, totalMs: { type: 'number' } } },
                    },
                  },
                },
              },
            },
            400: errorResponse('a mistake in the request, named'),
            401: errorResponse('no share token, or a wrong one'),
          },
        },
      },
    },
  };
}
