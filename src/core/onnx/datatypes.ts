import type { V2Datatype } from '../../shared/v2';

/*
 * The tensor element types as onnxruntime names them and as the V2 protocol does, with the integer ranges. One table
 * for both readers of it: model/ (a signature from a session's metadata) and inference/ (the tensor codec). It lives
 * in neither, so that model/ never imports inference/ (ESLint enforces it).
 */

/** onnxruntime-node's tensor type names (`Tensor.Type`) that map to a V2 datatype. */
export type OrtType =
  | 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int8' | 'int16' | 'int32' | 'int64'
  | 'float16' | 'float32' | 'float64' | 'string';

const V2_BY_ORT: Record<OrtType, V2Datatype> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  float16: 'FP16', float32: 'FP32', float64: 'FP64', string: 'BYTES',
};

const ORT_BY_V2 = Object.fromEntries(Object.entries(V2_BY_ORT).map(([o, v]) => [v, o])) as Record<V2Datatype, OrtType>;

export function v2FromOrt(type: string): V2Datatype | undefined {
  return Object.prototype.hasOwnProperty.call(V2_BY_ORT, type) ? V2_BY_ORT[type as OrtType] : undefined;
}

export function ortFromV2(datatype: V2Datatype): OrtType {
  return ORT_BY_V2[datatype];
}

export function isV2Datatype(s: string): s is V2Datatype {
  return Object.prototype.hasOwnProperty.call(ORT_BY_V2, s);
}

/** Inclusive bounds for the integer datatypes that fit in a double exactly. */
export const INT_BOUNDS: Partial<Record<V2Datatype, readonly [number, number]>> = {
  UINT8: [0, 0xff], UINT16: [0, 0xffff], UINT32: [0, 0xffffffff],
  INT8: [-0x80, 0x7f], INT16: [-0x8000, 0x7fff], INT32: [-0x80000000, 0x7fffffff],
};

export const BIGINT_BOUNDS: Partial<Record<V2Datatype, readonly [bigint, bigint]>> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};
