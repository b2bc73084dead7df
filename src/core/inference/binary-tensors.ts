import { endianness } from 'node:os';
import type { TensorSpec, V2Datatype } from '../../shared/v2';
import { ortFromV2 } from '../onnx/datatypes';
import { checkDatatype, checkShape, formatShape, readGivenShape, refuseNul, TensorInputError, type DecodedTensor, type OrtLikeTensor, type TensorArray } from './codec';

/*
 * Triton's binary tensor data extension (docs/protocol/extension_binary_data.md in triton-inference-server/server):
 * a tensor's bytes follow the JSON instead of a "data" list. Little-endian, row-major, no padding; BOOL one byte
 * (0/1); FP16 IEEE half; BYTES each element as a 4-byte little-endian length and then its bytes. The bytes become
 * the onnxruntime tensor's memory as they are: a view when they are aligned, else one copy — never a loop over the
 * elements (but for BOOL and BYTES, which must be checked element by element).
 */

// Typed arrays use the machine's byte order: the layout below is the wire's only on a little-endian machine, which
// every platform onnxruntime-node ships for is.
if (endianness() !== 'LE') throw new Error('binary tensor data needs a little-endian machine');

type FixedDatatype = Exclude<V2Datatype, 'BYTES'>;
type ArrayType = { new (buffer: ArrayBuffer, byteOffset: number, length: number): TensorArray; BYTES_PER_ELEMENT: number };

const ARRAY_OF: Record<FixedDatatype, ArrayType> = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array,
  FP16: Uint16Array, FP32: Float32Array, FP64: Float64Array,
};

/** Bytes per element of a fixed-size datatype; undefined for BYTES (its elements carry their own lengths). */
export const elementBytes = (datatype: V2Datatype): number | undefined =>
  datatype === 'BYTES' ? undefined : ARRAY_OF[datatype].BYTES_PER_ELEMENT;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** The elements of a BYTES tensor's binary data, checked: every length inside the data, every element UTF-8 text. */
export function splitStrings(bytes: Uint8Array, where: string): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let at = 0; at < bytes.length;) {
    const i = out.length;
    if (at + 4 > bytes.length) throw new TensorInputError(`${where}: element ${i} has ${bytes.length - at} bytes where its 4-byte length should be`);
    const length = view.getUint32(at, true);
    at += 4;
    if (length > bytes.length - at) {
      throw new TensorInputError(`${where}: element ${i} says ${length} bytes, but only ${bytes.length - at} bytes are left in its binary data`);
    }
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(at, at + length));
    } catch {
      // onnxruntime-node's string tensors are JavaScript strings: bytes that are not text cannot reach the model.
      throw new TensorInputError(`${where}: element ${i} is not valid UTF-8 (ONNX strings are text)`);
    }
    refuseNul(text, i, where);
    out.push(text);
    at += length;
  }
  return out;
}

/** The tensor a binary input describes: its declared datatype and shape, checked against the model and its bytes. */
export function decodeBinaryTensor(spec: TensorSpec, input: { shape?: unknown; datatype?: unknown }, bytes: Uint8Array): DecodedTensor {
  const where = `input '${spec.name}'`;
  checkDatatype(spec, input.datatype, where);
  const dims = readGivenShape(input.shape, where);
  checkShape(spec, dims, where);
  const count = dims.reduce((p, d) => p * d, 1);
  const type = ortFromV2(spec.datatype);
  if (spec.datatype === 'BYTES') {
    const strings = splitStrings(bytes, where);
    if (strings.length !== count) throw new TensorInputError(`${where}: binary data holds ${strings.length} elements, but shape ${formatShape(dims)} takes ${count}`);
    return { type, dims, data: strings };
  }
  const Type = ARRAY_OF[spec.datatype];
  const size = count * Type.BYTES_PER_ELEMENT;
  if (bytes.length !== size) {
    throw new TensorInputError(`${where}: binary_data_size is ${bytes.length} bytes, but shape ${formatShape(dims)} of ${spec.datatype} takes ${size} bytes `
      + `(${Type.BYTES_PER_ELEMENT} byte${Type.BYTES_PER_ELEMENT > 1 ? 's' : ''} per element)`);
  }
  if (spec.datatype === 'BOOL') {
    const bad = bytes.findIndex((b) => b > 1);
    if (bad >= 0) throw new TensorInputError(`${where}: element ${bad} is the byte ${bytes[bad]}, expected 0 (false) or 1 (true)`);
  }
  // Sections follow each other without padding, so an element may straddle the alignment a typed array needs.
  const aligned = bytes.byteOffset % Type.BYTES_PER_ELEMENT === 0 ? bytes : new Uint8Array(bytes);
  return { type, dims, data: new Type(aligned.buffer as ArrayBuffer, aligned.byteOffset, count) };
}

/** A tensor's bytes as the extension lays them out (a view of the tensor's own memory, but for BYTES). */
export function tensorBytes(datatype: V2Datatype, tensor: OrtLikeTensor): Uint8Array {
  if (datatype !== 'BYTES') {
    const data = tensor.data as Exclude<TensorArray, string[]>;
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const texts = (tensor.data as string[]).map((s) => encoder.encode(s));
  const out = new Uint8Array(texts.reduce((n, t) => n + 4 + t.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const text of texts) {
    view.setUint32(at, text.length, true);
    out.set(text, at + 4);
    at += 4 + text.length;
  }
  return out;
}

/**
 * An answer with binary outputs: the JSON, then each section in output order, in one buffer of its own (it is
 * transferred from the worker to the HTTP thread, so it must not be a slice of a shared pool).
 */
export function binaryBody(json: string, sections: Uint8Array[]): { body: Uint8Array; jsonLength: number } {
  const jsonBytes = encoder.encode(json);
  const body = new Uint8Array(jsonBytes.length + sections.reduce((n, s) => n + s.length, 0));
  body.set(jsonBytes);
  let at = jsonBytes.length;
  for (const section of sections) {
    body.set(section, at);
    at += section.length;
  }
  return { body, jsonLength: jsonBytes.length };
}

/**
 * The binary sections after the JSON, handed out in the order the inputs appear in the JSON (the extension's rule),
 * with every size checked against what is left; `finish` refuses bytes no input claimed.
 */
export class BinarySections {
  private at: number;

  /** `jsonLength`: the Inference-Header-Content-Length, or undefined when the request had none (all JSON). */
  constructor(private readonly body: Uint8Array, private readonly jsonLength: number | undefined) {
    this.at = jsonLength ?? body.length;
  }

  take(input: string, size: unknown): Uint8Array {
    if (this.jsonLength === undefined) {
      throw new TensorInputError(`input '${input}' has parameters.binary_data_size, but the request has no Inference-Header-Content-Length header `
        + 'saying where its JSON ends; send the header with the JSON\'s length in bytes');
    }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new TensorInputError(`input '${input}': parameters.binary_data_size must be a non-negative integer (the byte length of its binary data), got ${JSON.stringify(size)}`);
    }
    const left = this.body.length - this.at;
    if (size > left) {
      throw new TensorInputError(`input '${input}': binary_data_size is ${size} bytes, but only ${left} bytes ${this.at === this.jsonLength ? 'follow the JSON' : 'are left after the binary inputs before it'}`);
    }
    return this.body.subarray(this.at, (this.at += size));
  }

  finish(): void {
    const left = this.body.length - this.at;
    if (left > 0) {
      throw new TensorInputError(`${left} bytes after the ${this.at === this.jsonLength ? 'JSON' : 'binary inputs'} belong to no input; `
        + 'each binary input\'s parameters.binary_data_size must give its exact length, in the order of the inputs');
    }
  }
}
