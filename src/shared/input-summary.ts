import type { StoredTensor } from './feedback-record';

/**
 * One line that says what a model was given, for a feedback card and a table cell: `features: [6.7, 3, 5.2, 2.3]`,
 * `text: "refund please"`, `image: FP32 [1, 3, 224, 224]` (a large tensor is stored as a blob and named by its shape).
 * Values past `maxChars` are cut with an ellipsis; the record itself, opened from the card, has them all.
 */
export function inputSummary(inputs: Readonly<Record<string, StoredTensor>>, maxChars = 120): string {
  const parts = Object.entries(inputs).map(([name, tensor]) => `${name}: ${tensorText(tensor, maxChars)}`);
  const line = parts.join(' · ');
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}

/** Whether a stored tensor is shaped like a picture: [N,] C, H, W or H, W, C with 1, 3 or 4 channels and sides of 8+. */
export function looksLikeImage(shape: readonly number[]): boolean {
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  if (dims.length !== 3) return false;
  const [a, b, c] = dims;
  return ([1, 3, 4].includes(a) && b >= 8 && c >= 8) || ([1, 3, 4].includes(c) && a >= 8 && b >= 8);
}

function tensorText(tensor: StoredTensor, maxChars: number): string {
  const shape = `[${tensor.shape.join(', ')}]`;
  if ('blob' in tensor) return `${looksLikeImage(tensor.shape) ? 'image ' : ''}${tensor.datatype} ${shape}`;
  const values: string[] = [];
  let length = 0;
  let more = false;
  // Flattened lazily: a record's tensor may hold thousands of values, the line needs a handful.
  const visit = (x: unknown): void => {
    if (more) return;
    if (Array.isArray(x)) {
      for (const item of x) visit(item);
      return;
    }
    const text = valueText(x);
    if (length + text.length > maxChars) {
      more = true;
      return;
    }
    values.push(text);
    length += text.length + 2;
  };
  visit(tensor.data);
  if (values.length === 1 && !more && tensor.shape.reduce((n, d) => n * d, 1) <= 1) return values[0];
  return `[${values.join(', ')}${more ? ', …' : ''}]`;
}

function valueText(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? `${x.slice(0, 59)}…` : x);
  return String(x);
}
