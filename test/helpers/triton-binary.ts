/*
 * A client of Triton's binary tensor data extension written from its specification
 * (triton-inference-server/server docs/protocol/extension_binary_data.md) and from what tritonclient.http does
 * (`_get_inference_request`, `InferResult`), never from this project's code: the tests send what a stock Triton client
 * sends and read the answer as it would. tritonclient itself cannot be installed here (not on PyPI's mirror, not in
 * Debian).
 *
 * The rules it follows: tensor bytes are little-endian, row-major, no padding; BOOL is one byte (1/0); BYTES is each
 * element as a 4-byte little-endian unsigned length and then its bytes; FP16 is IEEE half. The body is the JSON, then
 * the binary sections in the order of the tensors in the JSON, and `Inference-Header-Content-Length` gives the JSON's
 * byte length whenever an input is binary.
 */

export type Values = Array<number | string | boolean>;

const SIZE: Record<string, number> = {
  BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8,
};

/** IEEE binary16 bits of a number that half precision holds exactly (the tests only use such numbers). */
export function halfBits(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const exponent = Math.floor(Math.log2(a));
  if (exponent < -14) throw new Error(`${v}: subnormal halves are not needed by these tests`);
  const mantissa = (a / 2 ** exponent - 1) * 1024;
  if (!Number.isInteger(mantissa) || exponent > 15) throw new Error(`${v} is not exactly a half`);
  return sign | ((exponent + 15) << 10) | mantissa;
}

function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** A tensor's bytes as the specification lays them out. */
export function tensorBytes(datatype: string, values: Values): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(values.map((v) => {
      const text = Buffer.from(String(v), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(text.length);
      return Buffer.concat([length, text]);
    }));
  }
  const size = SIZE[datatype];
  const out = Buffer.alloc(size * values.length);
  values.forEach((v, i) => {
    const at = i * size;
    switch (datatype) {
      case 'BOOL': out.writeUInt8(v === true ? 1 : 0, at); break;
      case 'UINT8': out.writeUInt8(Number(v), at); break;
      case 'INT8': out.writeInt8(Number(v), at); break;
      case 'UINT16': out.writeUInt16LE(Number(v), at); break;
      case 'INT16': out.writeInt16LE(Number(v), at); break;
      case 'FP16': out.writeUInt16LE(halfBits(Number(v)), at); break;
      case 'UINT32': out.writeUInt32LE(Number(v), at); break;
      case 'INT32': out.writeInt32LE(Number(v), at); break;
      case 'FP32': out.writeFloatLE(Number(v), at); break;
      case 'UINT64': out.writeBigUInt64LE(BigInt(v), at); break;
      case 'INT64': out.writeBigInt64LE(BigInt(v), at); break;
      case 'FP64': out.writeDoubleLE(Number(v), at); break;
      default: throw new Error(`unknown datatype ${datatype}`);
    }
  });
  return out;
}

/** Reads a tensor's bytes back (what InferResult.as_numpy does); INT64/UINT64 as decimal strings, exact. */
export function tensorValues(datatype: string, bytes: Buffer): Values {
  if (datatype === 'BYTES') {
    const out: string[] = [];
    for (let at = 0; at < bytes.length;) {
      const length = bytes.readUInt32LE(at);
      out.push(bytes.subarray(at + 4, at + 4 + length).toString('utf8'));
      at += 4 + length;
    }
    return out;
  }
  const size = SIZE[datatype];
  const out: Values = [];
  for (let at = 0; at < bytes.length; at += size) {
    switch (datatype) {
      case 'BOOL': out.push(bytes.readUInt8(at) !== 0); break;
      case 'UINT8': out.push(bytes.readUInt8(at)); break;
      case 'INT8': out.push(bytes.readInt8(at)); break;
      case 'UINT16': out.push(bytes.readUInt16LE(at)); break;
      case 'INT16': out.push(bytes.readInt16LE(at)); break;
      case 'FP16': out.push(halfValue(bytes.readUInt16LE(at))); break;
      case 'UINT32': out.push(bytes.readUInt32LE(at)); break;
      case 'INT32': out.push(bytes.readInt32LE(at)); break;
      case 'FP32': out.push(bytes.readFloatLE(at)); break;
      case 'UINT64': out.push(bytes.readBigUInt64LE(at).toString()); break;
      case 'INT64': out.push(bytes.readBigInt64LE(at).toString()); break;
      case 'FP64': out.push(bytes.readDoubleLE(at)); break;
      default: throw new Error(`unknown datatype ${datatype}`);
    }
  }
  return out;
}

export interface SpecInput {
  name: string;
  datatype: string;
  shape: number[];
  values: Values;
  /** Send as binary (tritonclient's default) or as JSON `data`. */
  binary: boolean;
}

export interface SpecRequest {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * The request tritonclient.http's `infer()` sends: inputs with `parameters.binary_data_size` and no `data` when
 * binary, `outputs` each with `parameters.binary_data`, or no outputs and `parameters.binary_data_output: true`.
 * The header is only sent when some input is binary.
 */
export function specRequest(inputs: SpecInput[], outputs?: Array<{ name: string; binary: boolean }>, extra: Record<string, unknown> = {}): SpecRequest {
  const sections: Buffer[] = [];
  const request: Record<string, unknown> = {
    ...extra,
    inputs: inputs.map((i) => {
      const tensor: Record<string, unknown> = { name: i.name, shape: i.shape, datatype: i.datatype };
      if (i.binary) {
        const bytes = tensorBytes(i.datatype, i.values);
        sections.push(bytes);
        tensor.parameters = { binary_data_size: bytes.length };
      } else {
        tensor.data = i.values;
      }
      return tensor;
    }),
  };
  if (outputs) request.outputs = outputs.map((o) => ({ name: o.name, parameters: { binary_data: o.binary } }));
  else request.parameters = { ...(request.parameters as object | undefined), binary_data_output: true };
  const json = Buffer.from(JSON.stringify(request), 'utf8');
  const headers: Record<string, string> = {};
  if (inputs.some((i) => i.binary)) headers['Inference-Header-Content-Length'] = String(json.length);
  return { body: Buffer.concat([json, ...sections]), headers };
}

export interface DecodedOutput {
  name: string;
  datatype: string;
  shape: number[];
  /** From the binary section when the output carries `binary_data_size`, else its JSON `data`. */
  values: Values;
  binary: boolean;
}

/**
 * Reads an answer the way InferResult does: without `Inference-Header-Content-Length` the whole body is JSON;
 * with it, that many bytes are JSON and each output with `binary_data_size` takes the next slice, in output order.
 */
export function readSpecResponse(body: Buffer, headerLength: string | null): { json: Record<string, unknown>; outputs: DecodedOutput[] } {
  const jsonLength = headerLength === null ? body.length : Number(headerLength);
  const json = JSON.parse(body.subarray(0, jsonLength).toString('utf8')) as Record<string, unknown>;
  let at = jsonLength;
  const outputs = (json.outputs as Array<Record<string, unknown>>).map((o): DecodedOutput => {
    const size = (o.parameters as { binary_data_size?: number } | undefined)?.binary_data_size;
    const base = { name: o.name as string, datatype: o.datatype as string, shape: o.shape as number[] };
    if (size === undefined) return { ...base, values: o.data as Values, binary: false };
    const bytes = body.subarray(at, at + size);
    at += size;
    return { ...base, values: tensorValues(base.datatype, bytes), binary: true };
  });
  if (at !== body.length) throw new Error(`the answer has ${body.length - at} bytes no output claims`);
  return { json, outputs };
}
