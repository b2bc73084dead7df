import { randomBytes } from 'node:crypto';

// A marker no client string can produce by accident: it holds random bytes chosen once per process.
const MARKER = `\u0000bigint-${randomBytes(6).toString('hex')}:`;
const MARKED = new RegExp(`"${JSON.stringify(MARKER).slice(1, -1).replace(/\\/g, '\\\\')}(-?\\d+)"`, 'g');

/** JSON.stringify that writes BigInt values as exact JSON integers instead of throwing. */
export function stringifyWithBigInt(value: unknown): string {
  try {
    return JSON.stringify(value); // the common case: no BigInt, and no replacer slowing every value down
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
  }
  let sawBigInt = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    sawBigInt = true;
    return MARKER + v.toString();
  });
  return sawBigInt ? text.replace(MARKED, '$1') : text;
}
