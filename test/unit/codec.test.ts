import assert from 'node:assert/strict';
import {
  decodeTensor, encodeTensor, flattenNested, formatShape, TensorInputError, type TensorInput,
} from '../../src/core/inference/codec';
import { stringifyWithBigInt } from '../../src/core/inference/json';
import type { TensorSpec, V2Datatype } from '../../src/shared/v2';
import { V2_DATATYPES } from '../../src/shared/v2';

const spec = (datatype: V2Datatype, shape: Array<number | string> = ['batch', 2], name = 'x'): TensorSpec => ({ name, datatype, shape });

/** Asserts that `fn` throws a TensorInputError with exactly `message`. */
function throwsInput(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TensorInputError, `expected a TensorInputError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

type Ctor = new (...args: never[]) => unknown;

interface TypeCase {
  datatype: V2Datatype;
  ortType: string;
  ctor: Ctor | typeof Array;
  /** Four values as a client sends them (decoded as shape [2, 2]). */
  sent: unknown[];
  /** The decoded typed array's contents. */
  stored: unknown[];
  /** What encodeTensor writes back (with the 'string' INT64 encoding). */
  encoded: unknown[];
}

const U64_MAX = (2n ** 64n - 1n).toString();
const I64_MAX = (2n ** 63n - 1n).toString();
const I64_MIN = (-(2n ** 63n)).toString();

const CASES: TypeCase[] = [
  { datatype: 'BOOL', ortType: 'bool', ctor: Uint8Array, sent: [true, false, 1, 0], stored: [1, 0, 1, 0], encoded: [true, false, true, false] },
  { datatype: 'UINT8', ortType: 'uint8', ctor: Uint8Array, sent: [0, 255, 7, 128], stored: [0, 255, 7, 128], encoded: [0, 255, 7, 128] },
  { datatype: 'UINT16', ortType: 'uint16', ctor: Uint16Array, sent: [0, 65535, 1, 300], stored: [0, 65535, 1, 300], encoded: [0, 65535, 1, 300] },
  { datatype: 'UINT32', ortType: 'uint32', ctor: Uint32Array, sent: [0, 4294967295, 1, 70000], stored: [0, 4294967295, 1, 70000], encoded: [0, 4294967295, 1, 70000] },
  {
    datatype: 'UINT64', ortType: 'uint64', ctor: BigUint64Array, sent: [0, U64_MAX, 1, '2'],
    stored: [0n, 2n ** 64n - 1n, 1n, 2n], encoded: ['0', U64_MAX, '1', '2'],
  },
  { datatype: 'INT8', ortType: 'int8', ctor: Int8Array, sent: [-128, 127, 0, -1], stored: [-128, 127, 0, -1], encoded: [-128, 127, 0, -1] },
  { datatype: 'INT16', ortType: 'int16', ctor: Int16Array, sent: [-32768, 32767, 0, -1], stored: [-32768, 32767, 0, -1], encoded: [-32768, 32767, 0, -1] },
  {
    datatype: 'INT32', ortType: 'int32', ctor: Int32Array, sent: [-2147483648, 2147483647, 0, -1],
    stored: [-2147483648, 2147483647, 0, -1], encoded: [-2147483648, 2147483647, 0, -1],
  },
  {
    datatype: 'INT64', ortType: 'int64', ctor: BigInt64Array, sent: [I64_MIN, I64_MAX, -1, 0],
    stored: [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n], encoded: [I64_MIN, I64_MAX, '-1', '0'],
  },
  // FP16 is carried as the raw half-precision bits (Node 20 has no Float16Array).
  { datatype: 'FP16', ortType: 'float16', ctor: Uint16Array, sent: [1, 0.5, -2, 65504], stored: [0x3c00, 0x3800, 0xc000, 0x7bff], encoded: [1, 0.5, -2, 65504] },
  { datatype: 'FP32', ortType: 'float32', ctor: Float32Array, sent: [1.5, -2.25, 0, 3.5], stored: [1.5, -2.25, 0, 3.5], encoded: [1.5, -2.25, 0, 3.5] },
  { datatype: 'FP64', ortType: 'float64', ctor: Float64Array, sent: [0.1, 1e300, -5e-324, 2], stored: [0.1, 1e300, -5e-324, 2], encoded: [0.1, 1e300, -5e-324, 2] },
  { datatype: 'BYTES', ortType: 'string', ctor: Array, sent: ['a', 'café', '', '😀'], stored: ['a', 'café', '', '😀'], encoded: ['a', 'café', '', '😀'] },
];

describe('codec: formatShape, flattenNested, TensorInputError', () => {
  it('formats shapes with symbolic and fixed dims', () => {
    assert.equal(formatShape(['batch', 4]), '[batch, 4]');
    assert.equal(formatShape([2, 3]), '[2, 3]');
    assert.equal(formatShape([]), '[]');
  });

  it('flattens row-major nested arrays and reports their shape', () => {
    assert.deepEqual(flattenNested([[1, 2, 3], [4, 5, 6]], 'w'), { flat: [1, 2, 3, 4, 5, 6], shape: [2, 3] });
    assert.deepEqual(flattenNested([[[1], [2]], [[3], [4]]], 'w'), { flat: [1, 2, 3, 4], shape: [2, 2, 1] });
    assert.deepEqual(flattenNested([1, 2], 'w'), { flat: [1, 2], shape: [2] });
    assert.deepEqual(flattenNested([], 'w'), { flat: [], shape: [0] });
    assert.deepEqual(flattenNested(7, 'w'), { flat: [7], shape: [] });
  });

  it('names where a ragged array was found', () => {
    throwsInput(() => flattenNested([[1, 2], [3]], "input 'q'"), "input 'q': data is not rectangular (expected 2 items at depth 1)");
    throwsInput(() => flattenNested([[1, 2], 3], "input 'q'"), "input 'q': data is not rectangular (expected 2 items at depth 1)");
    throwsInput(() => flattenNested([[1, 2], [[3], 4]], "input 'q'"), "input 'q': data is nested deeper in some places than others");
  });

  it('TensorInputError is an Error named TensorInputError', () => {
    const err = new TensorInputError('boom');
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'TensorInputError');
    assert.equal(err.message, 'boom');
  });
});

describe('codec: every V2 datatype', () => {
  it('covers every datatype the server supports', () => {
    assert.deepEqual(CASES.map((c) => c.datatype).sort(), [...V2_DATATYPES].sort());
  });

  for (const c of CASES) {
    describe(c.datatype, () => {
      const s = spec(c.datatype);

      it(`decodes flat data with a shape into ${c.ctor.name}`, () => {
        const t = decodeTensor(s, { datatype: c.datatype, shape: [2, 2], data: c.sent });
        assert.equal(t.type, c.ortType);
        assert.deepEqual(t.dims, [2, 2]);
        if (c.ctor === Array) assert.ok(Array.isArray(t.data), 'BYTES data is a plain array of strings');
        else assert.equal(t.data.constructor, c.ctor);
        assert.equal(t.data.length, 4);
        assert.deepEqual(Array.from(t.data as ArrayLike<unknown>), c.stored);
      });

      it('decodes nested data to the same tensor as flat data', () => {
        const flat = decodeTensor(s, { datatype: c.datatype, shape: [2, 2], data: c.sent });
        const nested = decodeTensor(s, { datatype: c.datatype, shape: [2, 2], data: [c.sent.slice(0, 2), c.sent.slice(2)] });
        const noShape = decodeTensor(s, { data: [c.sent.slice(0, 2), c.sent.slice(2)] });
        for (const t of [nested, noShape]) {
          assert.deepEqual(t.dims, flat.dims);
          assert.equal(t.data.constructor, flat.data.constructor);
          assert.deepEqual(Array.from(t.data as ArrayLike<unknown>), Array.from(flat.data as ArrayLike<unknown>));
        }
      });

      it('keeps the values exactly as the client sent them in `sent`', () => {
        const t = decodeTensor(s, { datatype: c.datatype, shape: [2, 2], data: [c.sent.slice(0, 2), c.sent.slice(2)] });
        assert.deepEqual(t.sent, c.sent);
      });

      it('encodes back to JSON values and round-trips', () => {
        const t = decodeTensor(s, { datatype: c.datatype, shape: [2, 2], data: c.sent });
        const out = encodeTensor('y', c.datatype, { type: t.type, dims: t.dims, data: t.data }, 'string');
        assert.deepEqual(out, { name: 'y', datatype: c.datatype, shape: [2, 2], data: c.encoded });
        // The written answer is valid JSON and decodes to the very same tensor again.
        const reparsed = JSON.parse(stringifyWithBigInt(out)) as TensorInput;
        const again = decodeTensor(s, reparsed);
        assert.deepEqual(again.dims, t.dims);
        assert.equal(again.data.constructor, t.data.constructor);
        assert.deepEqual(Array.from(again.data as ArrayLike<unknown>), Array.from(t.data as ArrayLike<unknown>));
      });
    });
  }
});

describe('codec: validation errors name the input and what was expected', () => {
  it('rejects a datatype that differs from the model', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FP64', shape: [1, 2], data: [1, 2] }),
      "input 'x': datatype FP64 does not match the model's FP32");
  });

  it('rejects an unknown datatype string (and BF16, which cannot be served)', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FLOAT32', shape: [1, 2], data: [1, 2] }), "input 'x': unknown datatype \"FLOAT32\"");
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'BF16', shape: [1, 2], data: [1, 2] }), "input 'x': unknown datatype \"BF16\"");
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 42, shape: [1, 2], data: [1, 2] }), "input 'x': unknown datatype 42");
  });

  it('rejects the wrong rank', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FP32', shape: [4], data: [1, 2, 3, 4] }),
      "input 'x': expected shape [batch, 2] (rank 2), got [4]");
    throwsInput(() => decodeTensor(spec('FP32'), { data: [[[1, 2]]] }), "input 'x': expected shape [batch, 2] (rank 2), got [1, 1, 2]");
  });

  it('rejects a wrong fixed dimension', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }),
      "input 'x': expected shape [batch, 2] (rank 2), got [2, 3]");
    throwsInput(() => decodeTensor(spec('FP32', [2, 3], 'grid'), { data: [[1, 2, 3]] }),
      "input 'grid': expected shape [2, 3] (rank 2), got [1, 3]");
  });

  it('rejects an element count that does not match the shape', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FP32', shape: [2, 2], data: [1, 2, 3] }),
      "input 'x': shape [2, 2] holds 4 elements but data has 3");
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FP32', shape: [3, 2], data: [[1, 2], [3, 4]] }),
      "input 'x': shape [3, 2] holds 6 elements but data has 4");
  });

  it('rejects a shape that is not a list of non-negative integers', () => {
    for (const shape of [[-1, 2], [1.5, 2], '2,2', [2, '2'], null]) {
      throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FP32', shape, data: [1, 2] }),
        "input 'x': \"shape\" must be an array of at most 32 non-negative integers");
    }
  });

  it('rejects ragged nested data', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { data: [[1, 2], [3]] }), "input 'x': data is not rectangular (expected 2 items at depth 1)");
  });

  it('rejects missing data', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { datatype: 'FP32', shape: [1, 2], data: undefined }), "input 'x': \"data\" is missing");
  });

  it('rejects non-number elements for float types', () => {
    throwsInput(() => decodeTensor(spec('FP32'), { data: [1, '2'] }), "input 'x': element 1 is \"2\", expected a number");
    throwsInput(() => decodeTensor(spec('FP64'), { data: [[1, 2], [null, 4]] }), "input 'x': element 2 is null, expected a number");
    throwsInput(() => decodeTensor(spec('FP16'), { data: [true, 1] }), "input 'x': element 0 is true, expected a number");
  });

  it('shortens a long offending value in the message', () => {
    const long = 'z'.repeat(100);
    throwsInput(() => decodeTensor(spec('FP32'), { data: [long, 1] }), `input 'x': element 0 is "${'z'.repeat(36)}..., expected a number`);
  });

  it('rejects non-integers for integer types', () => {
    throwsInput(() => decodeTensor(spec('INT32'), { data: [1, 1.5] }), "input 'x': element 1 is 1.5, expected an integer (INT32)");
    throwsInput(() => decodeTensor(spec('UINT8'), { data: ['3', 1] }), "input 'x': element 0 is \"3\", expected an integer (UINT8)");
    throwsInput(() => decodeTensor(spec('INT64'), { data: [1.5, 1] }), "input 'x': element 0 is 1.5, expected an integer (INT64)");
  });

  it('rejects out-of-range integers with the allowed range', () => {
    throwsInput(() => decodeTensor(spec('UINT8'), { data: [0, 256] }), "input 'x': element 1 is 256, expected an integer from 0 to 255 (UINT8)");
    throwsInput(() => decodeTensor(spec('UINT32'), { data: [-1, 0] }), "input 'x': element 0 is -1, expected an integer from 0 to 4294967295 (UINT32)");
    throwsInput(() => decodeTensor(spec('INT8'), { data: [-129, 0] }), "input 'x': element 0 is -129, expected an integer from -128 to 127 (INT8)");
    throwsInput(() => decodeTensor(spec('INT16'), { data: [32768, 0] }), "input 'x': element 0 is 32768, expected an integer from -32768 to 32767 (INT16)");
    throwsInput(() => decodeTensor(spec('UINT16'), { data: [65536, 0] }), "input 'x': element 0 is 65536, expected an integer from 0 to 65535 (UINT16)");
    throwsInput(() => decodeTensor(spec('INT32'), { data: [2147483648, 0] }),
      "input 'x': element 0 is 2147483648, expected an integer from -2147483648 to 2147483647 (INT32)");
  });

  it('rejects INT64/UINT64 numbers beyond 2^53 and tells to send strings', () => {
    const msg = (v: string) => `input 'x': element 0 is ${v}, expected an integer within ±2^53 (send larger INT64/UINT64 values as decimal strings)`;
    throwsInput(() => decodeTensor(spec('INT64'), { data: [2 ** 53 + 2, 0] }), msg('9007199254740994'));
    throwsInput(() => decodeTensor(spec('UINT64'), { data: [1e19, 0] }), msg('10000000000000000000'));
    // The largest safe integer is still accepted as a number.
    const ok = decodeTensor(spec('INT64'), { data: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER] });
    assert.deepEqual(Array.from(ok.data as BigInt64Array), [2n ** 53n - 1n, -(2n ** 53n - 1n)]);
  });

  it('accepts INT64 decimal strings exactly, including the extremes', () => {
    const t = decodeTensor(spec('INT64'), { data: ['9223372036854775807', '-9223372036854775808', '9007199254740993', '-1'], shape: [2, 2] });
    assert.deepEqual(Array.from(t.data as BigInt64Array), [9223372036854775807n, -9223372036854775808n, 9007199254740993n, -1n]);
    assert.deepEqual(t.sent, ['9223372036854775807', '-9223372036854775808', '9007199254740993', '-1']);
  });

  it('accepts UINT64 max as a string and rejects one more or a negative', () => {
    const t = decodeTensor(spec('UINT64'), { data: ['18446744073709551615', 0] });
    assert.deepEqual(Array.from(t.data as BigUint64Array), [18446744073709551615n, 0n]);
    throwsInput(() => decodeTensor(spec('UINT64'), { data: ['18446744073709551616', 0] }),
      "input 'x': element 0 is \"18446744073709551616\", expected a value in the UINT64 range");
    throwsInput(() => decodeTensor(spec('UINT64'), { data: [0, -1] }), "input 'x': element 1 is -1, expected a value in the UINT64 range");
    throwsInput(() => decodeTensor(spec('INT64'), { data: ['9223372036854775808', 0] }),
      "input 'x': element 0 is \"9223372036854775808\", expected a value in the INT64 range");
  });

  it('rejects INT64 strings that are not plain decimal integers', () => {
    for (const bad of ['12abc', '1.0', '+5', ' 5', '', '0x10', '1e3']) {
      throwsInput(() => decodeTensor(spec('INT64'), { data: [bad, 0] }),
        `input 'x': element 0 is ${JSON.stringify(bad)}, expected an integer (INT64), as a number or a decimal string`);
    }
  });

  it('rejects FP16 values beyond ±65504', () => {
    throwsInput(() => decodeTensor(spec('FP16'), { data: [65505, 0] }), "input 'x': element 0 is 65505, expected a number within the FP16 range ±65504");
    throwsInput(() => decodeTensor(spec('FP16'), { data: [0, -70000] }), "input 'x': element 1 is -70000, expected a number within the FP16 range ±65504");
    const t = decodeTensor(spec('FP16'), { data: [-65504, 65504] });
    assert.deepEqual(Array.from(t.data as Uint16Array), [0xfbff, 0x7bff]);
  });

  it('BOOL accepts true/false/0/1 and rejects anything else', () => {
    const t = decodeTensor(spec('BOOL'), { data: [[true, false], [1, 0]] });
    assert.deepEqual(Array.from(t.data as Uint8Array), [1, 0, 1, 0]);
    throwsInput(() => decodeTensor(spec('BOOL'), { data: ['yes', true] }), "input 'x': element 0 is \"yes\", expected true or false");
    throwsInput(() => decodeTensor(spec('BOOL'), { data: [true, 2] }), "input 'x': element 1 is 2, expected true or false");
    throwsInput(() => decodeTensor(spec('BOOL'), { data: [null, true] }), "input 'x': element 0 is null, expected true or false");
  });

  it('BYTES rejects numbers', () => {
    throwsInput(() => decodeTensor(spec('BYTES'), { data: ['ok', 5] }), "input 'x': element 1 is 5, expected a string");
  });
});

describe('codec: shape inference for /api/predict (no shape given)', () => {
  it('a single example without the batch dim gets batch 1', () => {
    const t = decodeTensor(spec('FP32', ['batch', 4]), { data: [5.1, 3.5, 1.4, 0.2] });
    assert.deepEqual(t.dims, [1, 4]);
  });

  it('a lone value for a data frame column ([batch, 1], as skl2onnx writes it, or a CSV cell) is one example: [1, 1]', () => {
    const t = decodeTensor(spec('FP32', ['dim0', 1], 'tenure_months'), { data: 2 });
    assert.deepEqual(t.dims, [1, 1]);
    assert.deepEqual(Array.from(t.data as Float32Array), [2]);
    const text = decodeTensor(spec('BYTES', ['dim0', 1], 'contract'), { data: 'one year' });
    assert.deepEqual(text.dims, [1, 1]);
  });

  it('a lone value for an input holding several values per example is refused with the shape expected', () => {
    throwsInput(() => decodeTensor(spec('FP32', ['batch', 4]), { data: 5 }), "input 'x': expected shape [batch, 4] (rank 2), got []");
  });

  it('a flat list of 8 for [batch, 4] is two rows: [2, 4]', () => {
    const t = decodeTensor(spec('FP32', ['batch', 4]), { data: [1, 2, 3, 4, 5, 6, 7, 8] });
    assert.deepEqual(t.dims, [2, 4]);
    assert.deepEqual(Array.from(t.data as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a flat list fills the only open dim of a rank-3 spec', () => {
    const t = decodeTensor(spec('FP32', ['batch', 2, 2]), { data: [1, 2, 3, 4, 5, 6, 7, 8] });
    assert.deepEqual(t.dims, [2, 2, 2]);
  });

  it('a fixed [2, 3] spec with 6 flat values gets [2, 3]', () => {
    const t = decodeTensor(spec('FP32', [2, 3], 'grid'), { data: [1, 2, 3, 4, 5, 6] });
    assert.deepEqual(t.dims, [2, 3]);
  });

  it('a fixed [2, 3] spec with 5 flat values is rejected', () => {
    throwsInput(() => decodeTensor(spec('FP32', [2, 3], 'grid'), { data: [1, 2, 3, 4, 5] }), "input 'grid': expected shape [2, 3] (rank 2), got [5]");
  });

  it('nested data keeps its shape', () => {
    const t = decodeTensor(spec('FP32', ['batch', 4]), { data: [[1, 2, 3, 4], [5, 6, 7, 8]] });
    assert.deepEqual(t.dims, [2, 4]);
  });

  it('a scalar for a [batch] input becomes [1]', () => {
    const t = decodeTensor(spec('BYTES', ['batch'], 'text'), { data: 'hello' });
    assert.deepEqual(t.dims, [1]);
    assert.deepEqual(t.data, ['hello']);
  });

  it('a flat list that fits no rows is rejected with the expected shape', () => {
    throwsInput(() => decodeTensor(spec('FP32', ['batch', 4]), { data: [1, 2, 3, 4, 5] }), "input 'x': expected shape [batch, 4] (rank 2), got [5]");
  });

  it('an explicit shape wins over inference', () => {
    const t = decodeTensor(spec('FP32', ['batch', 4]), { shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] });
    assert.deepEqual(t.dims, [2, 4]);
  });
});

describe('codec: `sent` keeps the client values', () => {
  it('5.1 stays 5.1 even though the FP32 tensor holds its widening', () => {
    const t = decodeTensor(spec('FP32', ['batch', 4]), { data: [5.1, 3.5, 1.4, 0.2] });
    assert.deepEqual(t.sent, [5.1, 3.5, 1.4, 0.2]);
    assert.equal((t.data as Float32Array)[0], Math.fround(5.1));
    assert.notEqual((t.data as Float32Array)[0], 5.1);
  });
});

describe('codec: encodeTensor INT64/UINT64 outputs', () => {
  const tensor = (values: bigint[], signed = true) => ({
    type: signed ? 'int64' : 'uint64', dims: [values.length], data: signed ? BigInt64Array.from(values) : BigUint64Array.from(values),
  });

  it('writes safe values as plain numbers in both encodings', () => {
    for (const mode of ['exact', 'string'] as const) {
      const out = encodeTensor('label', 'INT64', tensor([0n, 2n, -7n, 9007199254740991n]), mode);
      assert.deepEqual(out.data, [0, 2, -7, 9007199254740991]);
      assert.deepEqual(out.shape, [4]);
    }
  });

  it("writes BigInt values with 'exact' when a value is beyond 2^53", () => {
    const out = encodeTensor('y', 'INT64', tensor([1n, 9007199254740993n]), 'exact');
    assert.deepEqual(out.data, [1n, 9007199254740993n]);
  });

  it("writes decimal strings with 'string' when a value is beyond 2^53", () => {
    const out = encodeTensor('y', 'INT64', tensor([1n, 9007199254740993n, -9223372036854775808n]), 'string');
    assert.deepEqual(out.data, ['1', '9007199254740993', '-9223372036854775808']);
  });

  it('the JSON text of an exact answer holds every digit and parses', () => {
    const out = encodeTensor('y', 'INT64', tensor([1n, 9007199254740993n, -9223372036854775808n]), 'exact');
    const text = stringifyWithBigInt({ outputs: [out] });
    assert.ok(text.includes('[1,9007199254740993,-9223372036854775808]'), text);
    const parsed = JSON.parse(text) as { outputs: Array<{ name: string; data: number[] }> };
    assert.equal(parsed.outputs[0].name, 'y');
    assert.equal(parsed.outputs[0].data.length, 3);
  });

  it('UINT64 max is written exactly', () => {
    const out = encodeTensor('y', 'UINT64', tensor([18446744073709551615n], false), 'exact');
    assert.equal(stringifyWithBigInt(out.data), '[18446744073709551615]');
    const str = encodeTensor('y', 'UINT64', tensor([18446744073709551615n], false), 'string');
    assert.deepEqual(str.data, ['18446744073709551615']);
  });

  it('BOOL outputs are written as true/false', () => {
    const out = encodeTensor('f', 'BOOL', { type: 'bool', dims: [3], data: new Uint8Array([0, 1, 2]) }, 'exact');
    assert.deepEqual(out.data, [false, true, true]);
  });

  it('FP16 outputs are decoded from half bits, also from a view into a larger buffer', () => {
    const buf = new Uint16Array([0xffff, 0x3c00, 0xc000, 0x3555]);
    const view = buf.subarray(1, 3);
    const out = encodeTensor('h', 'FP16', { type: 'float16', dims: [2], data: view }, 'exact');
    assert.deepEqual(out.data, [1, -2]);
  });
});

describe('codec: NaN, the infinities and the float ranges (inputs are finite numbers within their type)', () => {
  it('refuses "NaN", "Infinity" and "-Infinity" strings for every float input, naming the input and the element', () => {
    for (const datatype of ['FP16', 'FP32', 'FP64'] as const) {
      for (const [i, text] of [[0, 'NaN'], [1, 'Infinity'], [2, '-Infinity'], [0, 'nan'], [1, 'inf']] as const) {
        const data = [[1, 2, 3]] as unknown[][];
        data[0][i] = text;
        throwsInput(() => decodeTensor(spec(datatype, ['batch', 3]), { data }),
          `input 'x': element ${i} is "${text}", expected a finite number (inputs cannot be NaN or infinite)`);
      }
    }
  });

  it('refuses a number too large for a double (1e400 parses as Infinity) instead of taking it for infinity', () => {
    const data = JSON.parse('[[1, 1e400]]');
    throwsInput(() => decodeTensor(spec('FP32'), { data }), "input 'x': element 1 is Infinity, expected a finite number");
  });

  it('refuses FP32 values beyond its range (1e39 would become Infinity) and keeps the largest ones it holds', () => {
    throwsInput(() => decodeTensor(spec('FP32', ['batch', 4]), { data: [[1, 1, 1e39, 1]] }), "input 'x': element 2 is 1e+39, expected a number within the FP32 range ±3.4028235e38");
    throwsInput(() => decodeTensor(spec('FP32', ['batch', 4]), { data: [[-3.5e38, 1, 1, 1]] }), "input 'x': element 0 is -3.5e+38, expected a number within the FP32 range ±3.4028235e38");
    const max = 3.4028234663852886e38;
    const t = decodeTensor(spec('FP32', ['batch', 4]), { data: [[max, -max, 1e-50, 3.4028235e38]] });
    assert.deepEqual(Array.from(t.data as Float32Array), [max, -max, 0, max], 'the largest FP32, and values that round to it; tiny ones round to 0');
    // FP64 takes any finite double.
    assert.deepEqual(Array.from(decodeTensor(spec('FP64', ['batch', 4]), { data: [[1e300, 1, 1, 1]] }).data as Float64Array), [1e300, 1, 1, 1]);
  });

  it('writes NaN and infinities in float outputs as strings, not as null', () => {
    const out = encodeTensor('y', 'FP32', { type: 'float32', dims: [1, 3], data: new Float32Array([1.5, NaN, -Infinity]) }, 'exact');
    assert.deepEqual(out.data, [1.5, 'NaN', '-Infinity']);
    assert.equal(JSON.stringify(out.data), '[1.5,"NaN","-Infinity"]');
  });
});
