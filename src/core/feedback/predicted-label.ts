import type { StoredTensor } from '../../shared/feedback-record';
import type { ModelCard } from '../../shared/model-card';

/** Class names for an output: the sidecar's, else the model's `class_names` metadata (comma-separated). */
export function classNamesFor(card: Pick<ModelCard, 'sidecar' | 'metadataProps'>, output: string): string[] | undefined {
  const fromSidecar = card.sidecar?.outputs?.[output]?.classNames;
  if (fromSidecar && fromSidecar.length > 0) return fromSidecar;
  const meta = card.metadataProps.class_names?.trim();
  return meta ? meta.split(',').map((s) => s.trim()) : undefined;
}

/**
 * The prediction's top answer in words, for tables and stats: for scores (a float output whose last dim is > 1) the
 * arg-max of the first row, else the first element; an integer is mapped through the class names when there are any.
 */
export function predictedLabel(outputs: Record<string, StoredTensor>, card: Pick<ModelCard, 'sidecar' | 'metadataProps'>): string | undefined {
  const first = Object.entries(outputs)[0];
  if (!first || !('data' in first[1])) return undefined;
  const [name, tensor] = first;
  const names = classNamesFor(card, name);
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
