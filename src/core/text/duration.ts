import ms from 'ms';

/**
 * A link lifetime as people write it: `90m`, `2h`, `7d`, or `never`. Returns milliseconds, or undefined for never.
 * Throws an error naming the value otherwise (a lifetime of zero or less would make every link dead on arrival).
 */
export function parseLifetime(value: string): number | undefined {
  const text = value.trim().toLowerCase();
  if (text === 'never' || text === 'none' || text === 'off') return undefined;
  // A bare number would be read as milliseconds: a unit is required.
  const parsed = /[a-z]$/.test(text) ? (ms(text as ms.StringValue) as number | undefined) : undefined;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new Error(`${JSON.stringify(value)} is not a lifetime: write it like 30m, 2h or 7d, or "never"`);
  }
  return parsed;
}
