import type { InputHints } from './model-facts';
import type { ImagePreprocessing } from './sidecar';
import type { TensorSpec } from './v2';

/*
 * The concrete shape of an input that a person (the page) or a program (the "Use via API" snippets, /openapi.json's
 * examples, an error message's example) sends for one example: a model's signature leaves dimensions open (`batch`,
 * `height`, `sequence_length`), and a request must fill them. One place decides, so that what the page sends and what
 * the snippets and examples send agree: open dimensions as 1 only where 1 is what the page would send. A picture gets
 * the page's size (the sidecar's or a Hugging Face preprocessor's width and height, else 224x224 read off the
 * signature's layout) — a fully-convolutional model with open height and width fails on 1x1; audio gets one second of
 * samples; token ids a short sentence's worth of tokens; the batch is one example (a fixed batch is kept).
 */

/** Image side used when the signature leaves H or W open and no sidecar says otherwise. */
export const DEFAULT_IMAGE_SIDE = 224;

/** Tokens in an example of a model that takes text: a short sentence's worth (the page sends a text's own count). */
export const EXAMPLE_TOKEN_COUNT = 8;

const INTEGER_TYPES: ReadonlySet<string> = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64']);
const FLOAT_TYPES: ReadonlySet<string> = new Set(['FP16', 'FP32', 'FP64', 'BF16']);

export const isIntegerType = (t: string): boolean => INTEGER_TYPES.has(t);
export const isFloatType = (t: string): boolean => FLOAT_TYPES.has(t);
export const isNumericType = (t: string): boolean => INTEGER_TYPES.has(t) || FLOAT_TYPES.has(t);

export const isFixed = (d: number | string | undefined): d is number => typeof d === 'number' && d >= 0;

/** How many copies of the one example the model takes at once: its fixed batch; 1 when the batch is open. */
export const batchOf = (shape: ReadonlyArray<number | string>): number => (isFixed(shape[0]) && shape.length >= 2 ? Math.max(1, shape[0]) : 1);

/** The declared shape with open dims as 1 and a fixed batch kept (a model with batch 2 gets two copies). */
export function concreteShape(shape: ReadonlyArray<number | string>, batch = batchOf(shape)): number[] {
  return shape.map((d, i) => (i === 0 && shape.length >= 2 ? batch : isFixed(d) ? d : 1));
}

type ImageGeometry = Pick<ImagePreprocessing, 'width' | 'height' | 'channels' | 'layout'>;

/** Layout, size and channels read off a rank-4 signature: C is the dim (after the batch) that is 1 or 3. */
export function guessImageLayout(shape: ReadonlyArray<number | string>): ImageGeometry | undefined {
  if (shape.length !== 4) return undefined;
  const side = (d: number | string) => (isFixed(d) && d > 0 ? d : DEFAULT_IMAGE_SIDE);
  const channelsOf = (c: number): ImagePreprocessing['channels'] => (c === 1 ? 'L' : 'RGB');
  const [, a, b, c] = shape;
  if (a === 1 || a === 3) return { layout: 'NCHW', channels: channelsOf(a), height: side(b), width: side(c) };
  if (c === 1 || c === 3) return { layout: 'NHWC', channels: channelsOf(c), height: side(a), width: side(b) };
  return undefined;
}

/**
 * How the page prepares a picture for an input (every field filled in): the hints' preprocessing (the sidecar's, a
 * Hugging Face preprocessor's), else what the signature's layout says. Undefined: the page does not take a picture
 * for this input (not rank 4 with 1 or 3 channels, and no hint that it is an image).
 */
export function imagePreprocessing(spec: TensorSpec, hints: InputHints | undefined): ImagePreprocessing | undefined {
  const integer = isIntegerType(spec.datatype);
  const given = hints?.image;
  if (given) {
    return { ...given, channels: given.channels ?? 'RGB', layout: given.layout ?? 'NCHW', scale: given.scale ?? (integer ? 1 : 1 / 255), invert: given.invert ?? false };
  }
  const guessed = guessImageLayout(spec.shape);
  if (guessed) return { ...guessed, scale: integer ? 1 : 1 / 255, invert: false };
  if (hints?.kind !== 'image') return undefined;
  // The sidecar says "image" without saying how: a 224x224 RGB picture is the common case.
  return { width: DEFAULT_IMAGE_SIDE, height: DEFAULT_IMAGE_SIDE, channels: 'RGB', layout: 'NCHW', scale: integer ? 1 : 1 / 255, invert: false };
}

/** The shape of one picture as the model takes it: rank 4 with a batch of one, or the declared rank 3 or 2. */
export function imageTensorShape(specShape: ReadonlyArray<number | string>, p: ImageGeometry, batch = 1): number[] {
  const c = p.channels === 'L' ? 1 : 3;
  const full = p.layout === 'NHWC' ? [batch, p.height, p.width, c] : [batch, c, p.height, p.width];
  switch (specShape.length) {
    case 3:
      return c === 1 && (!isFixed(specShape[0]) || specShape[0] === 1) ? [1, p.height, p.width] : full.slice(1);
    case 2:
      return [p.height, p.width];
    default:
      return full;
  }
}

/** The page takes a recording for this input (a float `[samples]` or `[batch, samples]` the hints call audio). */
export const takesAudio = (spec: TensorSpec, hints: InputHints | undefined): boolean =>
  (hints?.kind === 'audio' || hints?.audio !== undefined) && isFloatType(spec.datatype) && (spec.shape.length === 1 || spec.shape.length === 2);

/**
 * The page takes a picture for this input: the hints say image (or give its preprocessing), or — unless the hints
 * make it JSON or a vector — the signature reads as one. The order follows the page's planInput.
 */
export function takesPicture(spec: TensorSpec, hints: InputHints | undefined): boolean {
  if (hints?.kind === 'json' || !isNumericType(spec.datatype) || takesAudio(spec, hints)) return false;
  if (hints?.kind === 'image' || hints?.image) return true;
  return hints?.kind !== 'vector' && guessImageLayout(spec.shape) !== undefined;
}

/** One value per example: `[]`, `[1]`, `[batch]`, `[batch, 1]`, `[1, 1]`. */
export function holdsOneValue(spec: Pick<TensorSpec, 'shape'>): boolean {
  const { shape } = spec;
  if (shape.length === 0) return true;
  if (shape.length === 1) return !isFixed(shape[0]) || shape[0] === 1;
  return shape.length === 2 && shape[1] === 1;
}

/** Without sidecar fields, a vector longer than this is edited as JSON (a form of 500 fields helps nobody). */
export const MAX_GUESSED_VECTOR_FIELDS = 64;

/**
 * K, the length of a `[K]` or `[batch, K]` input the page shows as K fields: fixed by the signature, or given by the
 * hints' fields when open. Undefined: not a vector the page makes fields for (too long without labels: JSON).
 * `forced`: the hints say `vector`.
 */
export function vectorLength(spec: Pick<TensorSpec, 'shape'>, hints: InputHints | undefined, forced: boolean): number | undefined {
  const { shape } = spec;
  if (shape.length !== 1 && shape.length !== 2) return undefined;
  const hinted = hints?.fields ?? [];
  const last = shape[shape.length - 1];
  const size = isFixed(last) ? last : hinted.length > 0 ? hinted.length : undefined;
  if (size === undefined || size < 1) return undefined;
  const labelled = hinted.filter((f) => f?.label).length;
  const limit = forced || labelled >= size ? 4096 : MAX_GUESSED_VECTOR_FIELDS;
  return size > limit ? undefined : size;
}

/** What else decides an example's shape besides the input's own signature. */
export interface ExampleContext {
  hints?: InputHints;
  /** The input holds token ids a tokenizer fills (or their attention mask, token types): its open dims are tokens. */
  tokens?: boolean;
}

/** The concrete shape of one example of this input, as the page would send it. */
export function exampleShape(spec: TensorSpec, { hints, tokens }: ExampleContext = {}): number[] {
  const batch = batchOf(spec.shape);
  if (takesPicture(spec, hints)) return imageTensorShape(spec.shape, imagePreprocessing(spec, hints)!, batch);
  const concrete = concreteShape(spec.shape, batch);
  const open = (i: number) => !isFixed(spec.shape[i]) && (i > 0 || spec.shape.length === 1);
  // One second of sound (the page sends a recording's own length).
  if (takesAudio(spec, hints)) return concrete.map((d, i) => (open(i) ? hints?.audio?.samplingRate ?? 16_000 : d));
  if (tokens) return concrete.map((d, i) => (open(i) ? EXAMPLE_TOKEN_COUNT : d));
  // A vector whose length the signature leaves open and the hints' fields give (one value per example is a field).
  if (hints?.kind !== 'json' && isNumericType(spec.datatype) && !(holdsOneValue(spec) && hints?.kind !== 'vector')) {
    const k = vectorLength(spec, hints, hints?.kind === 'vector');
    if (k !== undefined) concrete[concrete.length - 1] = k;
  }
  return concrete;
}

/** A model as the example shapes need it: its inputs, the page's hints, the token inputs a tokenizer fills. */
export interface ExampleModel {
  inputs: TensorSpec[];
  hints?: { inputs: Record<string, InputHints> };
  text?: { inputs: { ids: string; attentionMask?: string; tokenTypeIds?: string } };
}

/** Each input's example shape, by name. */
export function exampleShapes(model: ExampleModel): Map<string, number[]> {
  const tokenInputs = new Set(Object.values(model.text?.inputs ?? {}).filter((n): n is string => typeof n === 'string'));
  return new Map(model.inputs.map((spec) => [spec.name, exampleShape(spec, { hints: model.hints?.inputs[spec.name], tokens: tokenInputs.has(spec.name) })]));
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
