import { stringifyWithBigInt } from '../inference/json';
import { blobRef, type PreparedBlob } from '../store/blob-store';

/** Tensors with more elements than this are stored as blobs, not inline. */
export const INLINE_ELEMENTS = 4096;

/**
 * A tensor's values whose JSON text (UTF-8) and blob name were made with them (a picture's: picture-input.ts), so a
 * record stores them as a blob without writing the values again. Anywhere else it serialises as the plain array.
 */
export class JsonText {
  constructor(readonly length: number, readonly bytes: Uint8Array, readonly ref = blobRef(bytes)) {}

  toJSON(): unknown {
    return JSON.parse(new TextDecoder().decode(this.bytes));
  }
}

/** A tensor of a prediction as the worker has it: its values a JSON-ready array, or their JSON text. */
interface TensorValues {
  datatype: string;
  shape: readonly number[];
  data: readonly unknown[] | JsonText;
}

/** What predictions.jsonl gets for one prediction: its line, and the blobs the line refers to (written first). */
export interface StoredPrediction {
  line: string;
  blobs: PreparedBlob[];
}

/**
 * The line and blobs of a prediction record, made where the record is made (the inference worker), so that the HTTP
 * thread, which stores them, never parses or serialises a tensor's values: a 3x320x320 picture is 307,200 numbers,
 * and doing it there cost ~100-300 ms of the thread every request waits on. The stored form is what it always was: a
 * tensor of more than INLINE_ELEMENTS values becomes `{datatype, shape, blob: "blobs/<sha256>.json"}`, the blob being
 * its values as a JSON array (the text JSON.stringify gives for them after the record's JSON round trip).
 */
export function storedPrediction<R extends { inputs: Record<string, TensorValues>; outputs: Record<string, TensorValues> }>(record: R): StoredPrediction {
  const blobs: PreparedBlob[] = [];
  const stored = (group: Record<string, TensorValues>) => Object.fromEntries(Object.entries(group).map(([name, tensor]) => {
    if (tensor.data.length <= INLINE_ELEMENTS) return [name, tensor];
    // Its own buffer: moved to the HTTP thread, not copied.
    const blob = tensor.data instanceof JsonText ? { ref: tensor.data.ref, bytes: tensor.data.bytes } : prepareBlob(valuesText(tensor.data));
    blobs.push(blob);
    return [name, { datatype: tensor.datatype, shape: tensor.shape, blob: blob.ref }];
  }));
  const line = stringifyWithBigInt({ ...record, inputs: stored(record.inputs), outputs: stored(record.outputs) });
  return { line, blobs };
}

function prepareBlob(text: string): PreparedBlob {
  const bytes = new TextEncoder().encode(text);
  return { ref: blobRef(bytes), bytes };
}

/**
 * A tensor's values as a JSON array. Finite numbers are written by `join` (the same digits as JSON.stringify, at a
 * fraction of the cost); anything else as JSON.stringify writes it, a BigInt as the number JSON.parse would have made of
 * its digits (as before: the record went through JSON.parse before its blob was written).
 */
export function valuesText(values: readonly unknown[]): string {
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return JSON.stringify(values, (_key, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  }
  return `[${values.join(',')}]`;
}
