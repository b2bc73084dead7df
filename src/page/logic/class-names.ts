/** The name of class `index`; "class 3" when there are no names or too few of them. */
export function className(names: readonly string[] | undefined, index: number): string {
  const name = names?.[index];
  return name !== undefined && name !== '' ? name : `class ${index}`;
}

/**
 * A label output's element as text: an integer (a number, or a decimal string for INT64 beyond 2^53) is mapped
 * through the class names when it names one; anything else is shown as it is.
 */
export function labelText(value: unknown, names: readonly string[] | undefined): string {
  const asIndex = typeof value === 'number' && Number.isInteger(value) ? value
    : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value)
      : undefined;
  if (asIndex !== undefined && names && asIndex >= 0 && asIndex < names.length && Number.isSafeInteger(asIndex)) {
    return names[asIndex];
  }
  if (typeof value === 'string') return value;
  return String(value);
}
