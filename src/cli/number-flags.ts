import { InvalidArgumentError } from 'commander';

/** A flag's parser for a whole number from `min` (to `max`): the error names the flag and the range. */
export const wholeNumberFlag = (min: number, what: string, max = Number.MAX_SAFE_INTEGER) => (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${what} must be a whole number >= ${min}` : `${what} must be a whole number from ${min} to ${max}`);
  }
  return n;
};
