import type { ModelCard } from '../../shared/model-card';

/**
 * Names of an output's classes: the sidecar's `outputs.<name>.classNames`, else the model's ONNX metadata
 * `class_names` (comma-separated, as `skl2onnx` and our example notebooks write it), else none (the page shows
 * "class 0", "class 1"...). The same rule as the server's `classNamesFor` (src/core/feedback/predicted-label.ts), so
 * the page and the feedback table name a class the same way.
 */
export function classNamesFor(card: Pick<ModelCard, 'sidecar' | 'metadataProps'>, output: string): string[] | undefined {
  const fromSidecar = card.sidecar?.outputs?.[output]?.classNames;
  if (fromSidecar && fromSidecar.length > 0) return fromSidecar;
  const meta = card.metadataProps?.class_names;
  if (!meta || meta.trim() === '') return undefined;
  return meta.split(',').map((s) => s.trim());
}

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
