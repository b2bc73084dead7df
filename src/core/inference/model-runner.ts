import * as ort from 'onnxruntime-node';
import type { ModelDescription } from '../../shared/model-card';
import { TensorInputError } from './codec';
import { explainOrtFailure } from './ort-errors';
import { terminalSafe, visibleLine } from '../../shared/visible-text';
import { stringifyWithBigInt } from './json';
import { storedPrediction } from '../feedback/stored-prediction';
import { binaryBody, tensorBytes } from './binary-tensors';
import { encodeTensorForJson } from './codec';
import { encodeOutputs, predictResponse, preparePredict, prepareV2, v2Response, type PreparedRun } from './requests';
import { BINARY_OUTPUT_DATATYPES, BINARY_OUTPUT_MIN_ELEMENTS } from '../../shared/picture-upload';
import { nowAbsoluteMs, type JobKind, type JobResult } from './worker-protocol';
import type { TextEncoding } from '../onnx/text-encoding';

const json = (status: number, value: unknown): JobResult => ({ status, body: stringifyWithBigInt(value) });

/**
 * One loaded model version inside a worker thread: runs jobs synchronously on this thread's onnxruntime session. The
 * worker's entry (core/inference-worker.ts) loads the session and describes the model (model/), then hands both here.
 */
export class ModelRunner {
  /** `tokenizer`: for a model that takes text (a Hugging Face folder with tokenizer.json), the text path of /api/predict. */
  constructor(private readonly session: ort.InferenceSession, readonly description: ModelDescription, private readonly tokenizer?: TextEncoding) {}

  /** `jsonLength`: the request's Inference-Header-Content-Length, when it had one (binary tensor data). */
  async run(kind: JobKind, body: Uint8Array, receivedAt: number, jsonLength?: number): Promise<JobResult> {
    try {
      return kind === 'v2' ? await this.runV2(body, jsonLength) : await this.runPredict(body, receivedAt, jsonLength);
    } catch (err) {
      // Messages quote what the client sent (an input name, a value): control and direction characters made visible.
      if (err instanceof TensorInputError) return json(400, { error: visibleLine(err.message), ...(err.details ? { details: terminalSafe(err.details) } : {}) });
      throw err;
    }
  }

  private async infer(prepared: PreparedRun): Promise<{ results: Record<string, ort.Tensor>; inferenceMs: number }> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(prepared.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const started = performance.now();
    try {
      const results = await this.session.run(feeds, prepared.fetches.map((s) => s.name));
      return { results: results as Record<string, ort.Tensor>, inferenceMs: performance.now() - started };
    } catch (err) {
      // Past our own checks, what onnxruntime refuses is still the request's content (a text that is not a number, a
      // size a layer cannot take): a 400 in words, with ORT's own in `details`, never a 500.
      throw explainOrtFailure(this.description, prepared.feeds, err);
    }
  }

  private async runV2(body: Uint8Array, jsonLength: number | undefined): Promise<JobResult> {
    const prepared = prepareV2(this.description, body, jsonLength);
    const { results, inferenceMs } = await this.infer(prepared);
    // Outputs asked for as binary carry only their size in the JSON; their bytes follow it, in output order.
    const sections: Uint8Array[] = [];
    const outputs = prepared.fetches.map(({ name, datatype }, i) => {
      if (!prepared.binary[i]) return encodeTensorForJson(name, datatype, results[name], 'exact');
      const bytes = tensorBytes(datatype, results[name]);
      sections.push(bytes);
      return { name, datatype, shape: Array.from(results[name].dims), parameters: { binary_data_size: bytes.length } };
    });
    const answer = json(200, v2Response(this.description, prepared.id, outputs));
    // As Triton: the header (and the bytes after the JSON) only when some binary output has bytes at all.
    if (!sections.some((s) => s.length > 0)) return { ...answer, inferenceMs };
    return { status: 200, ...binaryBody(answer.body as string, sections), inferenceMs };
  }

  private async runPredict(body: Uint8Array, receivedAt: number, jsonLength: number | undefined): Promise<JobResult> {
    const prepared = preparePredict(this.description, body, jsonLength, this.tokenizer);
    const { results, inferenceMs } = await this.infer(prepared);
    const outputs = encodeOutputs(prepared.fetches, results, 'string');
    const timing = { inferenceMs: round3(inferenceMs), totalMs: round3(nowAbsoluteMs() - receivedAt) };
    const { answer, record } = predictResponse(this.description, prepared.feeds, outputs, timing, prepared.text);
    const { line: predictionRecord, blobs: predictionBlobs } = storedPrediction(record);
    const stored = { predictionRecord, predictionBlobs, inferenceMs };
    if (!prepared.binaryOutputs) return { ...json(200, answer), ...stored };
    // Large outputs as bytes after the JSON (the record keeps them as JSON data, in blobs, as always).
    const sections: Uint8Array[] = [];
    const answered: Record<string, unknown> = { ...answer.outputs };
    let offset = 0;
    for (const spec of prepared.fetches) {
      const tensor = results[spec.name];
      if (!answersAsBytes(spec.datatype, tensor.size)) continue;
      const bytes = tensorBytes(spec.datatype, tensor);
      sections.push(bytes);
      answered[spec.name] = { datatype: spec.datatype, shape: Array.from(tensor.dims), parameters: { binary_data_offset: offset, binary_data_size: bytes.length } };
      offset += bytes.length;
    }
    if (sections.length === 0) return { ...json(200, answer), ...stored };
    return { status: 200, ...binaryBody(stringifyWithBigInt({ ...answer, outputs: answered }), sections), ...stored };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

const BINARY_DATATYPES: ReadonlySet<string> = new Set(BINARY_OUTPUT_DATATYPES);
const answersAsBytes = (datatype: string, size: number): boolean => size > BINARY_OUTPUT_MIN_ELEMENTS && BINARY_DATATYPES.has(datatype);

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
