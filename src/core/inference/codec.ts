import { Float16Array } from '@petamoriken/float16';
import type { TensorSpec, V2Datatype, V2ResponseOutput } from '../../shared/v2';
import { BIGINT_BOUNDS, INT_BOUNDS, isV2Datatype, ortFromV2, type OrtType } from '../onnx/datatypes';
import { JsonNumbers } from './json';
import type { JsonText } from '../feedback/stored-prediction';

/**
 * JSON <-> onnxruntime tensors. Everything a client sends is checked against the model's signature here, before it
 * reaches onnxruntime, so a mistake is answered with a message that names the input and what was expected.
 */

export type TensorArray =
  | Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | string[];

export interface DecodedTensor {
  type: OrtType;
  dims: number[];
  data: TensorArray;
  /**
   * The values as the client wrote them in JSON, flat (5.1 stays 5.1 in a record, not its float32 widening
   * 5.0999999). Absent for a tensor that came as bytes (binary-tensors.ts): `data` is then exactly what was sent.
   * For a large picture, their JSON text (picture-input.ts).
   */
  sent?: unknown[] | JsonText;
}

/**
 * A client mistake in a tensor: always answered with 400 and this message, plus `details` (onnxruntime's own words,
 * when it was onnxruntime that refused) for whoever needs to dig deeper.
 */
export class TensorInputError extends Error {
  override readonly name = 'TensorInputError';
  constructor(message: string, readonly details?: string) {
    super(message);
  }
}

export interface TensorInput {
  /** Required by the V2 protocol; optional for `/api/predict`, where it is worked out from the data. */
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

export function formatShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(', ')}]`;
}

const isDynamic = (dim: number | string): boolean => typeof dim === 'string' || dim < 0;

/** Deeper nesting than any real tensor has; it also bounds the recursion below against a hostile body. */
export const MAX_RANK = 32;

/** Flattens row-major nested arrays, checking they are rectangular. A scalar counts as a rank-0 tensor. */
export function flattenNested(data: unknown, where: string): { flat: unknown[]; shape: number[] } {
  if (!Array.isArray(data)) return { flat: [data], shape: [] };
  if (data.length === 0 || !Array.isArray(data[0])) return { flat: data, shape: [data.length] };
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) {
    if (shape.length === MAX_RANK) throw new TensorInputError(`${where}: data is nested more than ${MAX_RANK} levels deep`);
    shape.push(level.length);
  }
  const flat: unknown[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new TensorInputError(`${where}: data is nested deeper in some places than others`);
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new TensorInputError(`${where}: data is not rectangular (expected ${shape[depth]} items at depth ${depth})`);
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(data, 0);
  return { flat, shape };
}

export function readGivenShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new TensorInputError(`${where}: "shape" must be an array of at most ${MAX_RANK} non-negative integers`);
  }
  return shape as number[];
}

/**
 * For `/api/predict`, where people send data without a shape: use the nesting; accept one example without the batch
 * dimension when the model's first dimension is dynamic; a lone value for an input that holds one value per example
 * (`[batch, 1]`, as skl2onnx writes a data frame's column, or a CSV cell gives it); and fill in a flat list when only
 * one dimension is open.
 */
function inferShape(spec: TensorSpec, nested: number[], count: number): number[] {
  const rank = spec.shape.length;
  const candidates: number[][] = [nested];
  if (nested.length === rank - 1 && isDynamic(spec.shape[0])) candidates.push([1, ...nested]);
  if (nested.length === 0 && rank > 0 && spec.shape.every((d) => isDynamic(d) || d === 1)) candidates.push(spec.shape.map(() => 1));
  if (nested.length === 1 && rank > 1) {
    const open = spec.shape.filter(isDynamic).length;
    const fixed = spec.shape.reduce<number>((p, d) => (isDynamic(d) ? p : p * (d as number)), 1);
    if (open === 0) candidates.push(spec.shape as number[]);
    if (open === 1 && fixed > 0 && count % fixed === 0 && count > 0) {
      candidates.push(spec.shape.map((d) => (isDynamic(d) ? count / fixed : (d as number))));
    }
  }
  // The first reading that fits the signature wins; if none does, the nesting is reported as the shape given.
  return candidates.find((shape) => fitsSpec(spec, shape) && shape.reduce((p, d) => p * d, 1) === count) ?? nested;
}

const fitsSpec = (spec: TensorSpec, shape: number[]): boolean =>
  shape.length === spec.shape.length && spec.shape.every((d, i) => isDynamic(d) || d === shape[i]);

export function checkShape(spec: TensorSpec, shape: number[], where: string): void {
  if (!fitsSpec(spec, shape)) {
    throw new TensorInputError(
      `${where}: expected shape ${formatShape(spec.shape)} (rank ${spec.shape.length}), got ${formatShape(shape)}`,
    );
  }
}

function describeValue(v: unknown): string {
  const text = typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v); // JSON.stringify(Infinity) is "null"

  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A float output as JSON can carry it: a number, or for NaN and the infinities the strings "NaN", "Infinity", "-Infinity". */
const floatToJson = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

/**
 * onnxruntime-node hands string tensors to onnxruntime as C strings: a NUL character ends the element there, and the
 * model would silently see only the text before it ("a\0b" compares equal to "a"). Refused, so nothing is cut unseen.
 */
export function refuseNul(text: string, index: number, where: string): void {
  if (text.includes('\0')) {
    throw new TensorInputError(`${where}: element ${index} contains a NUL character (\\u0000 or byte 0); onnxruntime's strings end at it, so the model would see only the text before it`);
  }
}

/** The largest magnitudes each float type holds; beyond them a value would become an infinity. */
const FLOAT_RANGE = { FP16: '±65504', FP32: '±3.4028235e38' } as const;

function convert(datatype: V2Datatype, flat: unknown[], where: string): TensorArray {
  const bad = (i: number, expected: string): never => {
    throw new TensorInputError(`${where}: element ${i} is ${describeValue(flat[i])}, expected ${expected}`);
  };
  // One rule for every spelling: float inputs are finite numbers within their type's range. JSON has no NaN or
  // infinities; the strings "NaN"/"Infinity", a number too large for a double (1e400 parses as Infinity) and one
  // too large for the type (1e39 as FP32) are refused, never turned into a NaN or an infinity the client did not mean.
  const notFinite = (i: number): never => {
    const v = flat[i];
    if (typeof v === 'number') return bad(i, 'a finite number');
    return bad(i, typeof v === 'string' && /^[+-]?(nan|inf(inity)?)$/i.test(v.trim()) ? 'a finite number (inputs cannot be NaN or infinite)' : 'a number');
  };
const n = flat.length;
  switch (datatype) {
    case 'FP32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) notFinite(i);
        const single = Math.fround(v as number);
        if (single === Infinity || single === -Infinity) bad(i, `a number within the FP32 range ${FLOAT_RANGE.FP32}`);
        out[i] = single;
      }
      return out;
    }
    case 'FP64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) notFinite(i);
        out[i] = v as number;
      }
      return out;
    }
    case 'FP16': {
      const out = new Float16Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) notFinite(i);
        if (Math.abs(v as number) > 65504) bad(i, `a number within the FP16 range ${FLOAT_RANGE.FP16}`);
        out[i] = v as number;
      }
      return new Uint16Array(out.buffer);
    }
    case 'BOOL': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (v === true || v === 1) out[i] = 1;
        else if (v !== false && v !== 0) bad(i, 'true or false');
      }
      return out;
    }
    case 'BYTES': {
      for (let i = 0; i < n; i++) {
        if (typeof flat[i] !== 'string') bad(i, 'a string');
        refuseNul(flat[i] as string, i, where);
      }
      return flat as string[];
    }
    case 'INT64':
    case 'UINT64': {
      const [lo, hi] = BIGINT_BOUNDS[datatype]!;
      const out = datatype === 'INT64' ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        let big: bigint;
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) bad(i, `an integer (${datatype})`);
          // JSON numbers are doubles: past 2^53 the value the client meant may already be lost. Say so, never guess.
          if (!Number.isSafeInteger(v)) bad(i, 'an integer within ±2^53 (send larger INT64/UINT64 values as decimal strings)');
          big = BigInt(v as number);
        } else if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) {
          big = BigInt(v);
        } else {
          big = bad(i, `an integer (${datatype}), as a number or a decimal string`);
        }
        if (big < lo || big > hi) bad(i, `a value in the ${datatype} range`);
        out[i] = big;
      }
      return out;
    }
    default: {
      const [lo, hi] = INT_BOUNDS[datatype]!;
      const Ctor = { UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, INT8: Int8Array, INT16: Int16Array, INT32: Int32Array }[datatype];
      const out = new Ctor(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isInteger(v)) bad(i, `an integer (${datatype})`);
        if ((v as number) < lo || (v as number) > hi) bad(i, `an integer from ${lo} to ${hi} (${datatype})`);
        out[i] = v as number;
      }
      return out;
    }
  }
}

/** A datatype the client gave must be the model's (JSON or binary alike); none given is fine for /api/predict. */
export function checkDatatype(spec: TensorSpec, datatype: unknown, where: string): void {
  if (datatype === undefined) return;
  if (typeof datatype !== 'string' || !isV2Datatype(datatype)) {
    throw new TensorInputError(`${where}: unknown datatype ${describeValue(datatype)}`);
  }
  if (datatype !== spec.datatype) {
    throw new TensorInputError(`${where}: datatype ${datatype} does not match the model's ${spec.datatype}`);
  }
}

/** Checks one client tensor against its spec and turns it into what onnxruntime takes. */
export function decodeTensor(spec: TensorSpec, input: TensorInput): DecodedTensor {
  const where = `input '${spec.name}'`;
  checkDatatype(spec, input.datatype, where);
  if (input.data === undefined) throw new TensorInputError(`${where}: "data" is missing`);
  const { flat, shape: nested } = flattenNested(input.data, where);
  let shape: number[];
  if (input.shape !== undefined) {
    shape = readGivenShape(input.shape, where);
    const expected = shape.reduce((p, d) => p * d, 1);
    if (expected !== flat.length) {
      throw new TensorInputError(`${where}: shape ${formatShape(shape)} holds ${expected} elements but data has ${flat.length}`);
    }
  } else {
    shape = inferShape(spec, nested, flat.length);
  }
  checkShape(spec, shape, where);
  return { type: ortFromV2(spec.datatype), dims: shape, data: convert(spec.datatype, flat, where), sent: flat };
}

/**
 * How INT64/UINT64 outputs are written. `exact`: every value as a JSON integer with all its digits (what Triton does;
 * Python, Go and Java clients read them exactly). `string`: values beyond ±2^53 make the tensor's data decimal
 * strings, for JavaScript readers whose JSON.parse would round them. Either way nothing is rounded silently.
 */
export type Int64Encoding = 'exact' | 'string';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

export interface OrtLikeTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}

export function encodeTensor(name: string, datatype: V2Datatype, tensor: OrtLikeTensor, int64: Int64Encoding): V2ResponseOutput {
  const shape = Array.from(tensor.dims);
  const raw = tensor.data as ArrayLike<unknown>;
  let data: Array<number | string | boolean | bigint>;
  switch (datatype) {
    case 'BOOL':
      data = Array.from(raw as Uint8Array, (b) => b !== 0);
      break;
    case 'FP16': {
      const bits = raw as Uint16Array;
      data = Array.from(new Float16Array(bits.buffer, bits.byteOffset, bits.length), floatToJson);
      break;
    }
    case 'FP32':
    case 'FP64': {
      const floats = raw as Float32Array | Float64Array;
      // JSON.stringify would write NaN and the infinities as null: keep them as strings instead.
      data = floats.every(Number.isFinite) ? Array.from(floats) : Array.from(floats, floatToJson);
      break;
    }
    case 'INT64':
    case 'UINT64': {
      const big = raw as BigInt64Array | BigUint64Array;
      const safe = big.every((v) => v <= MAX_SAFE && v >= MIN_SAFE);
      if (safe) data = Array.from(big, Number);
      else data = int64 === 'exact' ? Array.from(big) : Array.from(big, String);
      break;
    }
    case 'BYTES':
      data = Array.from(raw as string[]);
      break;
    default:
      data = Array.from(raw as ArrayLike<number>);
  }
  return { name, datatype, shape, data: data as V2ResponseOutput['data'] };
}

/** The datatypes whose onnxruntime arrays hold numbers that JSON writes as they are (not BOOL, FP16 bits or BigInts). */
const PLAIN_NUMBERS = new Set<V2Datatype>(['FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'UINT8', 'UINT16', 'UINT32']);

/**
 * encodeTensor for an answer serialised at once by stringifyWithBigInt (the V2 route): a tensor of finite plain numbers
 * keeps its typed array (JsonNumbers), written into the JSON text without becoming a JavaScript array first. The text
 * is the same.
 */
export function encodeTensorForJson(name: string, datatype: V2Datatype, tensor: OrtLikeTensor, int64: Int64Encoding): EncodedOutput {
  const values = tensor.data as ConstructorParameters<typeof JsonNumbers>[0];
  if (PLAIN_NUMBERS.has(datatype) && ArrayBuffer.isView(values) && (datatype.startsWith('FP') ? values.every(Number.isFinite) : true)) {
    return { name, datatype, shape: Array.from(tensor.dims), data: new JsonNumbers(values) };
  }
  return encodeTensor(name, datatype, tensor, int64);
}

/** An output as encodeTensorForJson gives it: its data an array, or a typed array serialised as one. */
export type EncodedOutput = Omit<V2ResponseOutput, 'data'> & { data: V2ResponseOutput['data'] | JsonNumbers };
