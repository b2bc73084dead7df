import type { TensorSpec } from '../../shared/v2';

/**
 * How many values one example of an input holds: the elements after the batch dimension when the first dimension is
 * open (`[batch, 4]` → 4, `[batch, 1]` and `[batch]` → 1), all elements when every dimension is fixed (`[4]` → 4,
 * `[]` → 1). Undefined when another dimension is open.
 */
export function perExampleSize(spec: Pick<TensorSpec, 'shape'>): number | undefined {
  const { shape } = spec;
  const rest = shape.length > 0 && typeof shape[0] === 'string' ? shape.slice(1) : shape;
  let size = 1;
  for (const d of rest) {
    if (typeof d !== 'number') return undefined;
    size *= d;
  }
  return size;
}
