import type { PictureInput } from '../../shared/picture-upload';
import type { Preprocessing } from '../../shared/image-tensor';

/*
 * The page's /api/predict request in its compact form (shared/picture-upload.ts): a picture goes up as its 8-bit RGB
 * pixels after the JSON, and large outputs come back as bytes after the answer's JSON. Plain functions over bytes, so
 * they are tested in Node; api.ts does the fetch.
 */

/** A picture input as the page uploads it: the resized picture's RGB bytes and how they become the tensor. */
export class PictureUpload {
  constructor(readonly rgb: Uint8Array, readonly preprocessing: Preprocessing, readonly shape: readonly number[]) {}

  /** What stands for the picture in the JSON; its bytes follow the JSON. */
  describe(): PictureInput {
    const { width, height, channels, layout, scale, mean, std, invert } = this.preprocessing;
    return {
      picture: { width, height, channels, layout, scale, invert, ...(mean ? { mean } : {}), ...(std ? { std } : {}) },
      shape: [...this.shape], parameters: { binary_data_size: this.rgb.byteLength },
    };
  }
}

export interface PredictRequest {
  headers: Record<string, string>;
  /** The JSON; then, when pictures are given, their pixels in the order of the inputs. */
  body: Uint8Array<ArrayBuffer>;
}

/**
 * The request for a /api/predict body (`predictBody`'s): JSON when no picture is in it, else the JSON followed by
 * the pictures' bytes (Inference-Header-Content-Length says where the JSON ends). Large outputs are asked for as bytes.
 */
export function predictRequest(body: { inputs?: Record<string, unknown>; text?: string }): PredictRequest {
  const pixels: Uint8Array[] = [];
  const inputs = body.inputs && Object.fromEntries(Object.entries(body.inputs).map(([name, value]) => {
    if (!(value instanceof PictureUpload)) return [name, value];
    pixels.push(value.rgb);
    return [name, value.describe()];
  }));
  const json = new TextEncoder().encode(JSON.stringify({ ...body, ...(inputs ? { inputs } : {}), parameters: { binary_data_output: true } }));
  if (pixels.length === 0) return { headers: { 'Content-Type': 'application/json' }, body: json };
  const bytes = new Uint8Array(json.byteLength + pixels.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of [json, ...pixels]) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return { headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(json.byteLength) }, body: bytes };
}

type ArrayType = { new (buffer: ArrayBuffer, byteOffset: number, length: number): ArrayLike<number | bigint>; BYTES_PER_ELEMENT: number };

/** shared/picture-upload.ts BINARY_OUTPUT_DATATYPES, little-endian as every machine the page runs on. */
const ARRAY_OF: Record<string, ArrayType> = {
  FP32: Float32Array, FP64: Float64Array, INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array,
  UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
};

/**
 * Output values from their bytes, as the JSON answer would have had them: non-finite floats as "NaN"/"Infinity"
 * strings; 64-bit integers as numbers, or all as decimal strings when one is beyond ±2^53.
 */
function valuesOf(datatype: string, bytes: Uint8Array): unknown[] {
  const Type = ARRAY_OF[datatype];
  if (!Type || bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) throw new Error(`binary output of ${datatype}: ${bytes.byteLength} bytes`);
  const own = new Uint8Array(bytes); // a copy, aligned whatever the offset in the answer (a Buffer's slice() would not copy)
  const typed = new Type(own.buffer, 0, own.byteLength / Type.BYTES_PER_ELEMENT);
  const values = Array.from(typed);
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const safe = (values as bigint[]).every((v) => v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER));
    return (values as bigint[]).map((v) => (safe ? Number(v) : String(v)));
  }
  return (values as number[]).map((v) => (Number.isFinite(v) ? v : String(v)));
}

/**
 * An answer with outputs as bytes: the JSON (its first `jsonLength` bytes), whose binary outputs carry
 * `parameters.binary_data_offset`/`binary_data_size` into what follows, turned back into the JSON answer's form.
 */
export function readBinaryAnswer(answer: Uint8Array, jsonLength: number): unknown {
  const json = JSON.parse(new TextDecoder().decode(answer.subarray(0, jsonLength))) as { outputs?: Record<string, Record<string, unknown>> };
  const rest = answer.subarray(jsonLength);
  for (const output of Object.values(json.outputs ?? {})) {
    const where = output.parameters as { binary_data_offset?: unknown; binary_data_size?: unknown } | undefined;
    if (typeof where?.binary_data_offset !== 'number' || typeof where.binary_data_size !== 'number') continue;
    output.data = valuesOf(String(output.datatype), rest.subarray(where.binary_data_offset, where.binary_data_offset + where.binary_data_size));
    delete output.parameters;
  }
  return json;
}
