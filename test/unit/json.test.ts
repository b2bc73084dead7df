import assert from 'node:assert/strict';
import { stringifyWithBigInt } from '../../src/core/inference/json';
import { encodeTensor, encodeTensorForJson } from '../../src/core/inference/codec';
import type { V2Datatype } from '../../src/shared/v2';

describe('stringifyWithBigInt', () => {
  it('equals JSON.stringify when there is no BigInt', () => {
    const values: unknown[] = [
      { a: 1, b: [1.5, 'x', null, true], c: { d: 'é\u0000"\\' } },
      [],
      'plain',
      42,
      null,
      { nested: [[1, 2], [3, 4]], s: '\u2028' },
    ];
    for (const v of values) assert.equal(stringifyWithBigInt(v), JSON.stringify(v));
    assert.equal(stringifyWithBigInt(undefined), undefined);
  });

  it('writes BigInt values as exact JSON integers', () => {
    const text = stringifyWithBigInt({ data: [1n, 9007199254740993n, -9223372036854775808n, 18446744073709551615n], n: 3 });
    assert.equal(text, '{"data":[1,9007199254740993,-9223372036854775808,18446744073709551615],"n":3}');
    assert.doesNotThrow(() => JSON.parse(text));
  });

  it('writes a lone BigInt and a BigInt object value', () => {
    assert.equal(stringifyWithBigInt(12345678901234567890n), '12345678901234567890');
    assert.equal(stringifyWithBigInt({ big: -1n }), '{"big":-1}');
  });

  it('does not alter user strings that look like the internal marker', () => {
    const lookalikes = [
      '\u0000bigint-000000000000:5',
      '\u0000bigint-:123',
      'bigint-abcdef012345:7',
      '"\\u0000bigint-000000000000:9"',
    ];
    const value = { strings: lookalikes, big: 9007199254740993n };
    const text = stringifyWithBigInt(value);
    const parsed = JSON.parse(text) as { strings: string[]; big: number };
    assert.deepEqual(parsed.strings, lookalikes);
    assert.ok(text.endsWith('"big":9007199254740993}'), text);
  });

  it('still throws for values JSON cannot represent at all (cycles)', () => {
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    assert.throws(() => stringifyWithBigInt(cyclic), TypeError);
  });
});

describe('outputs written into the JSON straight from their typed arrays (encodeTensorForJson)', () => {
  const cases: Array<[V2Datatype, string, ArrayLike<number>]> = [
    ['FP32', 'float32', new Float32Array([0.1, -0, 1.5, 3.4028234663852886e38, 1e-45, -2.5e-7, 123456792])],
    ['FP64', 'float64', new Float64Array([0.1, -0, 1e300, 5e-324, -1.7976931348623157e308, 2 ** 53 + 2])],
    ['INT8', 'int8', new Int8Array([-128, 0, 127])],
    ['INT16', 'int16', new Int16Array([-32768, 32767])],
    ['INT32', 'int32', new Int32Array([-2147483648, 2147483647, 0])],
    ['UINT8', 'uint8', new Uint8Array([0, 255])],
    ['UINT16', 'uint16', new Uint16Array([65535])],
    ['UINT32', 'uint32', new Uint32Array([4294967295, 0])],
  ];
  for (const [datatype, type, data] of cases) {
    it(`${datatype}: the same text as the array would give, in the answer and on its own`, () => {
      const tensor = { type, dims: [1, data.length], data };
      const answer = { model_name: 'm', outputs: [encodeTensorForJson('y', datatype, tensor, 'exact'), { name: 'z', data: ['a"b'] }] };
      const plain = { model_name: 'm', outputs: [encodeTensor('y', datatype, tensor, 'exact'), { name: 'z', data: ['a"b'] }] };
      assert.equal(stringifyWithBigInt(answer), JSON.stringify(plain));
      assert.equal(JSON.stringify(answer), JSON.stringify(plain), 'outside stringifyWithBigInt: the plain array');
    });
  }

  it('falls back to the array for NaN and infinities (written as strings), and works beside BigInt values', () => {
    const nan = { type: 'float32', dims: [2], data: new Float32Array([1.5, NaN]) };
    assert.deepEqual(encodeTensorForJson('y', 'FP32', nan, 'exact').data, [1.5, 'NaN']);
    const big = { type: 'int64', dims: [1], data: new BigInt64Array([9007199254740993n]) };
    const floats = { type: 'float32', dims: [2], data: new Float32Array([0.25, 2]) };
    const text = stringifyWithBigInt({ outputs: [encodeTensorForJson('a', 'INT64', big, 'exact'), encodeTensorForJson('b', 'FP32', floats, 'exact')] });
    assert.equal(text, '{"outputs":[{"name":"a","datatype":"INT64","shape":[1],"data":[9007199254740993]},{"name":"b","datatype":"FP32","shape":[2],"data":[0.25,2]}]}');
  });
});
