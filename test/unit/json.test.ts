import assert from 'node:assert/strict';
import { stringifyWithBigInt } from '../../src/core/inference/json';

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
