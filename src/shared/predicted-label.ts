import type { StoredTensor } from './feedback-record';
import type { ModelCard } from './model-card';
import { classNamesOf } from './model-facts';

/**
 * The prediction's top answer in words, for tables and stats: for scores (a float output whose last dim is > 1) the
 * arg-max of the first row, else the first element; an integer is mapped through the class names when there are any.
 */
export function predictedLabel(outputs: Record<string, StoredTensor>, card: Pick<ModelCard, 'hints'>): string | undefined {
  const first = Object.entries(outputs)[0];
  if (!first || !('data' in first[1])) return undefined;
  const [name, tensor] = first;
  const names = classNamesOf(card.hints, name);
  const data = tensor.data;
  const width = tensor.shape.length > 0 ? tensor.shape[tensor.shape.length - 1] : 1;
  if (tensor.datatype.startsWith('FP') && width > 1) {
    let index = 0;
    for (let i = 1; i < width; i++) if (Number(data[i]) > Number(data[index])) index = i;
    return names?.[index] ?? String(index);
  }
  if (data[0] === undefined) return undefined;
  // An integer label keeps all its digits (INT64 beyond 2^53 arrives as a string); a class name replaces it if any.
  const label = String(data[0]);
  return tensor.datatype.includes('INT') && /^\d+$/.test(label) ? names?.[Number(label)] ?? label : label;
}
