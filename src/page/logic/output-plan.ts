import type { Sidecar } from '../../shared/sidecar';
import { isIntegerType } from './input-plan';
import { isProbabilityRow } from './scores';
import { pictureLayout } from './array-views';

/**
 * How one output of a prediction is shown:
 * - `scores`: a float output with more than one value per example (`[batch, C]`, or a fixed `[C]`) that is known to
 *   hold classes — class names exist (sidecar or ONNX metadata), or its name says so (logits, probabilities, scores...),
 *   or its first row already is a probability distribution: top-5 bars;
 * - `label`: one integer, string or boolean per example (`[batch]` or `[batch, 1]`): text, through the class names;
 * - `regression`: other numeric outputs of rank <= 2: the numbers (with the sidecar's unit); integers shown exactly;
 * - `sequence`: a `[N, T, C]` numeric output with class names (a vocabulary): the decoded sequence (CTC);
 * - `picture`: a `[N, 1-4, H, W]` or `[N, H, W]` numeric output (a mask, a probability map): a picture;
 * - `json`: anything else (rank > 2, several booleans or strings): the data as JSON, or a summary when large.
 * The sidecar's `kind` wins when the data allows it. Without any sign of classes, a float vector is shown as numbers:
 * a softmax over regression values would be a made-up answer.
 */
export type OutputHints = NonNullable<Sidecar['outputs']>[string];
export type OutputKind = 'scores' | 'label' | 'regression' | 'picture' | 'sequence' | 'json';

export interface PredictedTensor {
  datatype: string;
  shape: number[];
  data: unknown[];
}

/** The answer of `POST /api/predict`. */
export interface PredictResponse {
  predictionId: string;
  model: string;
  modelVersion: string;
  outputs: Record<string, PredictedTensor>;
  /** For a text (a model with a tokenizer): the tokens the model read, and how many were cut to fit `maxLength`. */
  tokens?: { ids: number[]; tokens: string[]; cut: number; maxLength?: number };
  timing?: { inferenceMs?: number; totalMs?: number };
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Values per example: everything after the batch dimension (1 for a rank-0 or rank-1 tensor). */
export function valuesPerExample(shape: readonly number[]): number {
  return shape.length <= 1 ? 1 : product(shape.slice(1));
}

/** Output names that announce class scores (torch and sklearn exports, and the common hand-written ones). */
const SCORE_NAME = /logit|prob|score|softmax|confidence|class/i;

export interface OutputContext {
  name?: string;
  /** Class names are known for this output (sidecar or ONNX metadata). */
  hasClassNames?: boolean;
}

/**
 * `declared` is the output's signature shape (symbolic dims as strings): a rank-1 float output with a fixed dim > 1
 * may be an unbatched score vector; with an open dim it is one number per example.
 */
export function outputKind(
  tensor: Pick<PredictedTensor, 'datatype' | 'shape'> & { data?: unknown[] },
  declared: ReadonlyArray<number | string> | undefined,
  hints?: OutputHints,
  context: OutputContext = {},
): OutputKind {
  const { datatype, shape } = tensor;
  const isFloat = datatype.startsWith('FP') || datatype === 'BF16';
  const isNumber = isFloat || isIntegerType(datatype);
  const perExample = valuesPerExample(shape);
  const unbatched = isFloat && shape.length === 1 && shape[0] > 1 && typeof declared?.[0] === 'number';
  const scoresShape = isFloat && ((shape.length === 2 && shape[1] > 1) || unbatched);
  switch (hints?.kind) {
    case 'json':
      return 'json';
    case 'scores':
      if (isFloat && (shape.length === 1 || shape.length === 2)) return 'scores';
      break;
    case 'label':
      if (perExample === 1 && shape.length <= 2) return 'label';
      break;
    case 'regression':
      if (isNumber && shape.length <= 2) return 'regression';
      break;
  }
  if (datatype === 'BYTES' || datatype === 'BOOL' || isIntegerType(datatype)) {
    if (perExample === 1 && shape.length <= 2) return 'label';
    return isNumber && shape.length <= 2 ? 'regression' : 'json';
  }
  if (scoresShape) {
    const width = unbatched ? shape[0] : shape[1];
    const firstRow = (tensor.data ?? []).slice(0, width).map(asNumber);
    if (context.hasClassNames || (context.name !== undefined && SCORE_NAME.test(context.name)) || isProbabilityRow(firstRow)) return 'scores';
  }
  if (isFloat && shape.length <= 2) return 'regression';
  if (isNumber && shape.length === 3 && context.hasClassNames && shape[2] > 1) return 'sequence';
  if (isNumber && pictureLayout(shape)) return 'picture';
  return 'json';
}

/** The values of each example (row-major rows of `valuesPerExample`); an unbatched `[C]` vector is one row. */
export function rowsOf(tensor: PredictedTensor, unbatched: boolean): unknown[][] {
  const { shape, data } = tensor;
  const width = unbatched || shape.length === 0 ? data.length : valuesPerExample(shape);
  const rows: unknown[][] = [];
  for (let i = 0; i < data.length; i += Math.max(1, width)) rows.push(data.slice(i, i + Math.max(1, width)));
  return rows;
}

/** A JSON element as a number: numbers as they are, decimal strings (exact INT64) parsed, anything else NaN. */
export function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return NaN;
}

/** A number for people: up to 6 significant digits, no exponent for everyday magnitudes, "—" for NaN. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v !== 0 && (Math.abs(v) >= 1e9 || Math.abs(v) < 1e-4)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** "3 ms", "0.21 ms", "1.4 s". */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A guard for the predict answer (the page never trusts a shape it did not check). */
export function isPredictResponse(v: unknown): v is PredictResponse {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (typeof r.predictionId !== 'string' || typeof r.modelVersion !== 'string' || typeof r.outputs !== 'object' || r.outputs === null) return false;
  return Object.values(r.outputs as Record<string, unknown>).every((t) => {
    const o = t as Record<string, unknown>;
    return typeof o === 'object' && o !== null && typeof o.datatype === 'string' && Array.isArray(o.shape) && Array.isArray(o.data);
  });
}
