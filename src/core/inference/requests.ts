import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Tensor } from 'onnxruntime-node';
import type { ModelDescription } from '../../shared/model-card';
import type { TensorSpec, V2InferResponse, V2ResponseOutput } from '../../shared/v2';
import { BinarySections, decodeBinaryTensor, elementBytes, splitStrings } from './binary-tensors';
import { decodeTensor, encodeTensor, formatShape, TensorInputError, type DecodedTensor, type Int64Encoding } from './codec';
import { decodePictureInput } from './picture-input';
import { elementCount, exampleShapes } from '../../shared/example-shape';
import { isPictureInput } from '../../shared/picture-upload';
import type { EncodedText, TextEncoding } from '../onnx/text-encoding';

/**
 * Turns a request body into onnxruntime feeds and the answer back into JSON, for both front doors: the Open Inference
 * Protocol (`/v2/models/{name}/infer`) and the page's simpler `/api/predict`. The envelope is checked with zod; the
 * tensor data (possibly millions of numbers) by the codec, in one pass.
 */

const V2RequestSchema = z.object({
  id: z.string().max(1000).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  inputs: z.array(z.object({
    name: z.string(),
    // Optional here so that their absence is reported below with the input's name, not as a bare schema path.
    shape: z.unknown().optional(),
    datatype: z.unknown().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    data: z.unknown().optional(),
  })).min(1, 'at least one input is required'),
  outputs: z.array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() })).optional(),
});

const PredictRequestSchema = z.object({
  // Optional only when "text" fills the inputs (a model with a tokenizer); checked below with a message that says so.
  inputs: z.record(z.string(), z.unknown()).optional(),
  text: z.string().max(100_000, 'a text of at most 100,000 characters').optional(),
  outputs: z.array(z.string()).optional(),
  parameters: z.object({ binary_data_output: z.boolean().optional() }).optional(),
});

/** A /api/predict request that sent a text: what it was and the tokens the model was given. */
export interface TextRun {
  text: string;
  encoded: EncodedText;
}

export interface PreparedRun {
  feeds: Record<string, DecodedTensor>;
  fetches: TensorSpec[];
}

/** `binaryOutputs`: the request asked for large outputs as bytes after the JSON (`parameters.binary_data_output`). */
export interface PreparedPredictRun extends PreparedRun {
  text?: TextRun;
  binaryOutputs: boolean;
}

export interface PreparedV2Run extends PreparedRun {
  id?: string;
  /** Per fetch: answer it as binary data (the binary tensor data extension) rather than JSON "data". */
  binary: boolean[];
}

/** `jsonLength`: the Inference-Header-Content-Length the JSON was cut at, when the request had one. */
function parseJson(body: Uint8Array, jsonLength?: number): unknown {
  const text = Buffer.from(body.buffer, body.byteOffset, jsonLength ?? body.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    // Python's json.dumps writes NaN and Infinity by default, which no JSON parser takes: say so.
    let hint = /(^|[^"\w])-?(NaN|Infinity)\b/.test(text) ? '; NaN and Infinity are not JSON, and inputs must be finite numbers' : '';
    // Binary tensor data with the header missing (the bytes read as JSON), or with a header that cuts the JSON wrong.
    if (jsonLength !== undefined) hint += `; Inference-Header-Content-Length (${jsonLength}) must be the exact byte length of the JSON before the binary data`;
    else if (text.includes('"binary_data_size"')) hint += '; binary tensor data (binary_data_size) needs the Inference-Header-Content-Length header, the byte length of the JSON before the binary data';
    throw new TensorInputError(`the request body is not valid JSON (${(err as Error).message})${hint}`);
  }
}

/**
 * Checks the envelope. `inputs` of the wrong shape is usually a body meant for the other route (the V2 list sent to
 * /api/predict, or the reverse): `wrongInputs` explains what this route takes, with an example for this model.
 */
function parseEnvelope<T>(schema: z.ZodType<T>, json: unknown, wrongInputs: (inputs: unknown) => string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.code === 'invalid_type' && issue.path.length === 1 && issue.path[0] === 'inputs') {
    throw new TensorInputError(wrongInputs((json as { inputs?: unknown }).inputs));
  }
  const where = issue.path.length > 0 ? issue.path.join('.') : 'the request body';
  throw new TensorInputError(`${where}: ${issue.message}`);
}

/** Placeholder data of an input's example shape (shared/example-shape.ts), short enough for a one-line example. */
function exampleData(model: ModelDescription, spec: TensorSpec): { shape: number[]; data: string } {
  const shape = exampleShapes(model).get(spec.name)!;
  const count = elementCount(shape);
  const value = spec.datatype === 'BYTES' ? '"text"' : spec.datatype === 'BOOL' ? 'false' : '0';
  return { shape, data: count <= 8 ? `[${Array<string>(count).fill(value).join(', ')}]` : '[…]' };
}

const v2Path = (model: ModelDescription): string => `/v2/models/${encodeURIComponent(model.name)}/infer`;

function v2Example(model: ModelDescription): string {
  const first = model.inputs[0];
  const { shape, data } = exampleData(model, first);
  return `{"inputs": [{"name": ${JSON.stringify(first.name)}, "shape": [${shape.join(', ')}], "datatype": "${first.datatype}", "data": ${data}}]}`;
}

function predictExample(model: ModelDescription): string {
  return `{"inputs": {${model.inputs.map((s) => `${JSON.stringify(s.name)}: ${exampleData(model, s).data}`).join(', ')}}}`;
}

const received = (inputs: unknown): string => (inputs === undefined ? 'no "inputs"' : inputs === null ? '"inputs": null' : `"inputs" as ${typeof inputs}`);

const listNames = (specs: TensorSpec[]): string => specs.map((s) => s.name).join(', ');

function checkInputNames(model: ModelDescription, given: string[]): void {
  const seen = new Set<string>();
  for (const name of given) {
    if (seen.has(name)) throw new TensorInputError(`input '${name}' is given twice`);
    seen.add(name);
    // onnxruntime silently ignores inputs it does not know: reject them so a typo is not mistaken for a result.
    if (!model.inputs.some((s) => s.name === name)) {
      throw new TensorInputError(`unknown input '${name}'; the model's inputs are: ${listNames(model.inputs)}`);
    }
  }
  const missing = model.inputs.filter((s) => !seen.has(s.name));
  if (missing.length > 0) {
    throw new TensorInputError(`input '${missing[0].name}' is missing; the model needs: ${listNames(model.inputs)}`);
  }
}

function selectOutputs(model: ModelDescription, names: string[] | undefined): TensorSpec[] {
  if (names === undefined || names.length === 0) return model.outputs;
  // Triton refuses a repeated output ("already exists in request"); answering it twice was only a longer answer.
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new TensorInputError(`output '${twice}' is asked for twice; list each output once`);
  return names.map((name) => {
    const spec = model.outputs.find((s) => s.name === name);
    if (spec) return spec;
    const skipped = model.nonTensorOutputs.find((o) => o.name === name);
    throw new TensorInputError(skipped ? skipped.note : `unknown output '${name}'; the model's outputs are: ${listNames(model.outputs)}`);
  });
}

const specFor = (model: ModelDescription, name: string): TensorSpec => model.inputs.find((s) => s.name === name)!;

/**
 * Within one input, dimensions with the same symbolic name (a square `[n, n]`) must agree. Across inputs a name means
 * nothing certain: exporters reuse names with different meanings (a voice model's `input` [dim0, dim1] and `state`
 * [2, dim1, 128]), and onnxruntime, which knows the graph, is the judge — its refusal is explained like any other.
 */
function checkRepeatedDims(model: ModelDescription, feeds: Record<string, DecodedTensor>): void {
  for (const [name, tensor] of Object.entries(feeds)) {
    const seen = new Map<string, number>();
    specFor(model, name).shape.forEach((dim, i) => {
      if (typeof dim !== 'string') return;
      const first = seen.get(dim);
      if (first === undefined) return void seen.set(dim, i);
      if (tensor.dims[first] !== tensor.dims[i]) {
        throw new TensorInputError(`input '${name}': dimensions ${first} and ${i} are both '${dim}' and must be equal (got ${tensor.dims[first]} and ${tensor.dims[i]})`);
      }
    });
  }
}

/**
 * Triton's shared memory extensions (tritonclient's `set_shared_memory`): the server is on another machine behind a
 * link and has no such region. Ignored, an output would be answered in the JSON while the client reads its region,
 * and an input would be "missing its data": say what is not supported instead. `GET /v2` does not list them.
 */
function refuseSharedMemory(where: string, parameters: Record<string, unknown> | undefined): void {
  if (parameters?.shared_memory_region !== undefined) {
    throw new TensorInputError(`${where}: parameters.shared_memory_region: the shared memory extensions are not supported; `
      + 'send the tensor in the request (JSON "data", or binary data with parameters.binary_data_size)');
  }
}

/** A request's `binary_data_output` or an output's `binary_data`: true, false, or not given. */
function binaryFlag(value: unknown, where: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new TensorInputError(`${where} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * The outputs to fetch and which go back binary: `binary_data_output` is the default for every output, listed or not;
 * an output's own `binary_data` overrides it (Triton's rule).
 */
function chooseOutputs(model: ModelDescription, request: z.infer<typeof V2RequestSchema>): { fetches: TensorSpec[]; binary: boolean[] } {
  const byDefault = binaryFlag(request.parameters?.binary_data_output, 'parameters.binary_data_output') ?? false;
  const listed = request.outputs ?? [];
  const fetches = selectOutputs(model, listed.map((o) => o.name));
  if (listed.length === 0) return { fetches, binary: fetches.map(() => byDefault) };
  const binary = listed.map((o) => {
    if (o.parameters?.classification !== undefined) {
      throw new TensorInputError(`output '${o.name}': the classification extension is not supported; ask for the output itself`);
    }
    refuseSharedMemory(`output '${o.name}'`, o.parameters);
    return binaryFlag(o.parameters?.binary_data, `output '${o.name}': parameters.binary_data`) ?? byDefault;
  });
  return { fetches, binary };
}

/**
 * `jsonLength` is the request's Inference-Header-Content-Length (checked against the body's length by the HTTP
 * thread): the JSON is that many bytes, and the inputs with `parameters.binary_data_size` take their bytes from what
 * follows. Undefined: the whole body is JSON. 0: the whole body is the one input's bytes (Triton's raw request).
 */
export function prepareV2(model: ModelDescription, body: Uint8Array, jsonLength?: number): PreparedV2Run {
  if (jsonLength !== undefined && jsonLength > body.length) {
    throw new TensorInputError(`Inference-Header-Content-Length is ${jsonLength}, but the body has only ${body.length} bytes`);
  }
  if (jsonLength === 0) return prepareRaw(model, body);
  const request = parseEnvelope(V2RequestSchema, parseJson(body, jsonLength), (inputs) => {
    const takes = `inputs: ${v2Path(model)} takes a list of tensors, e.g. ${v2Example(model)}`;
    return typeof inputs === 'object' && inputs !== null
      ? `${takes}; this body has an object of input names to data, the shape /api/predict takes: send it there, or make "inputs" a list`
      : `${takes}; this body has ${received(inputs)}`;
  });
  checkInputNames(model, request.inputs.map((i) => i.name));
  const sections = new BinarySections(body, jsonLength);
  const feeds: Record<string, DecodedTensor> = {};
  for (const input of request.inputs) {
    if (input.shape === undefined) throw new TensorInputError(`input '${input.name}': "shape" is missing`);
    if (input.datatype === undefined) throw new TensorInputError(`input '${input.name}': "datatype" is missing`);
    refuseSharedMemory(`input '${input.name}'`, input.parameters);
    const size = input.parameters?.binary_data_size;
    if (size === undefined) feeds[input.name] = decodeTensor(specFor(model, input.name), input);
    else if (input.data !== undefined) throw new TensorInputError(`input '${input.name}': give either "data" or parameters.binary_data_size, not both`);
    else feeds[input.name] = decodeBinaryTensor(specFor(model, input.name), input, sections.take(input.name, size));
  }
  sections.finish();
  checkRepeatedDims(model, feeds);
  return { id: request.id, feeds, ...chooseOutputs(model, request) };
}

/**
 * Triton's raw request: the body is the bytes of the model's only input, and every output comes back binary. The
 * shape is the declared one, with at most one open dimension worked out from the number of elements.
 */
function prepareRaw(model: ModelDescription, body: Uint8Array): PreparedV2Run {
  const rawRequest = `a raw binary request (Inference-Header-Content-Length: 0)`;
  if (model.inputs.length !== 1) {
    throw new TensorInputError(`${rawRequest} needs a model with one input; this one has ${model.inputs.length}: ${listNames(model.inputs)}. `
      + 'Send a JSON header that names each input');
  }
  const spec = model.inputs[0];
  const size = elementBytes(spec.datatype);
  const count = size === undefined ? splitStrings(body, `input '${spec.name}'`).length : body.length / size;
  const open = spec.shape.filter((d) => typeof d === 'string' || d < 0).length;
  const fixed = spec.shape.reduce<number>((p, d) => (typeof d === 'number' && d >= 0 ? p * d : p), 1);
  const fits = Number.isInteger(count) && (open === 0 ? count === fixed : open === 1 && fixed > 0 && count % fixed === 0);
  if (!fits) {
    throw new TensorInputError(`${rawRequest} of ${body.length} bytes does not fit input '${spec.name}' ${formatShape(spec.shape)} of ${spec.datatype}; `
      + 'send a JSON header with the shape instead');
  }
  const shape = spec.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : count / fixed));
  const feeds = { [spec.name]: decodeBinaryTensor(spec, { shape, datatype: spec.datatype }, body) };
  return { feeds, fetches: model.outputs, binary: model.outputs.map(() => true) };
}

/**
 * `tokenizer`: the model takes text (a Hugging Face folder with tokenizer.json): a `"text"` in the body is tokenized
 * into the token inputs, which the body then leaves out.
 */
export function preparePredict(model: ModelDescription, body: Uint8Array, jsonLength?: number, tokenizer?: TextEncoding): PreparedPredictRun {
  if (jsonLength === 0) {
    throw new TensorInputError(`a raw binary request (Inference-Header-Content-Length: 0) is for ${v2Path(model)}; /api/predict takes JSON, `
      + 'with pictures\' pixels after it (Inference-Header-Content-Length: the JSON\'s length)');
  }
  const takes = `inputs: /api/predict takes an object of input names to data, e.g. ${predictExample(model)}`
    + (tokenizer ? ', or a text: {"text": "a sentence"}' : '');
  const request = parseEnvelope(PredictRequestSchema, parseJson(body, jsonLength), (inputs) =>
    Array.isArray(inputs)
      ? `${takes}; this body has a list of tensors, the shape ${v2Path(model)} (the Open Inference Protocol) takes: send it there`
      : `${takes}; this body has ${received(inputs)}`);
  let given: Record<string, unknown>;
  let text: TextRun | undefined;
  if (request.text !== undefined) {
    if (!tokenizer) {
      throw new TensorInputError(`"text": this model takes no text (no tokenizer.json beside it that fits its inputs); send its inputs as tensors, e.g. ${predictExample(model)}`);
    }
    const encoded = tokenizer.encode(request.text);
    const tokenInputs = tokenizer.feeds(encoded);
    const twice = Object.keys(request.inputs ?? {}).find((name) => name in tokenInputs);
    if (twice) throw new TensorInputError(`input '${twice}' is given twice: "text" fills it; send either the text or the token inputs`);
    given = { ...request.inputs, ...tokenInputs };
    text = { text: request.text, encoded };
  } else if (request.inputs === undefined) {
    throw new TensorInputError(`${takes}; this body has no "inputs"`);
  } else {
    given = request.inputs;
  }
  checkInputNames(model, Object.keys(given));
  // Pictures' pixels follow the JSON in the order of the inputs (shared/picture-upload.ts).
  const sections = new BinarySections(body, jsonLength);
  const feeds: Record<string, DecodedTensor> = {};
  for (const [name, data] of Object.entries(given)) {
    feeds[name] = isPictureInput(data) ? decodePictureInput(specFor(model, name), data, sections) : decodeTensor(specFor(model, name), { data });
  }
  sections.finish();
  checkRepeatedDims(model, feeds);
  const binaryOutputs = request.parameters?.binary_data_output ?? false;
  return { feeds, fetches: selectOutputs(model, request.outputs), ...(text ? { text } : {}), binaryOutputs };
}

export function encodeOutputs(fetches: TensorSpec[], results: Record<string, Tensor>, int64: Int64Encoding): V2ResponseOutput[] {
  return fetches.map((spec) => encodeTensor(spec.name, spec.datatype, results[spec.name], int64));
}

/** `outputs`: as V2InferResponse has them, or with typed arrays still to serialise (encodeTensorForJson). */
export function v2Response<O = V2InferResponse['outputs'][number]>(model: ModelDescription, id: string | undefined, outputs: O[]): Omit<V2InferResponse, 'outputs'> & { outputs: O[] } {
  return { model_name: model.name, model_version: model.version, ...(id !== undefined ? { id } : {}), outputs };
}

export interface PredictionTiming {
  inferenceMs: number;
  totalMs: number;
}

/** The `/api/predict` answer, and the predictions.jsonl record that later feedback refers to by `predictionId`. */
export function predictResponse(model: ModelDescription, feeds: Record<string, DecodedTensor>, outputs: V2ResponseOutput[], timing: PredictionTiming, text?: TextRun) {
  const predictionId = randomUUID();
  const byName = (list: V2ResponseOutput[]) =>
    Object.fromEntries(list.map((o) => [o.name, { datatype: o.datatype, shape: o.shape, data: o.data }]));
  const inputs = Object.entries(feeds).map(([name, t]): V2ResponseOutput => ({
    name, datatype: model.inputs.find((s) => s.name === name)!.datatype, shape: t.dims, data: (t.sent ?? Array.from(t.data as ArrayLike<unknown>)) as V2ResponseOutput['data'],
  }));
  // The tokens the model was given (the page shows them under "details"), and whether the text was cut to fit.
  const tokens = text && { ids: text.encoded.ids, tokens: text.encoded.tokens, cut: text.encoded.cut, maxLength: model.text?.maxLength };
  const answer = { predictionId, model: model.name, modelVersion: model.version, outputs: byName(outputs), ...(tokens ? { tokens } : {}), timing };
  const record = {
    predictionId, ts: new Date().toISOString(), model: model.name, modelVersion: model.version,
    ...(text ? { text: text.text } : {}), inputs: byName(inputs), outputs: byName(outputs), timing,
  };
  return { answer, record };
}
