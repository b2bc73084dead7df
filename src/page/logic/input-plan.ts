import type { InputHints } from '../../shared/model-facts';
import type { ImagePreprocessing } from '../../shared/sidecar';
import type { TensorSpec, V2Datatype } from '../../shared/v2';

/**
 * How the page asks for one model input, decided from the tensor signature and the sidecar's hints:
 * - `vector`: a numeric `[K]` or `[batch, K]` input (K fixed, or given by the sidecar's `fields`): K labelled fields;
 * - `image`: a numeric rank-4 `[N, C, H, W]` / `[N, H, W, C]` input with C = 1 or 3, or any input the sidecar calls
 *   `image`: a picture, resized and normalised in the browser;
 * - `column`: an input holding one value per example (`[batch, 1]`, `[batch]`, a scalar: a DataFrame column as
 *   skl2onnx exports it) that is a number, has known choices, or sits beside other such inputs: one field in a
 *   shared form, a dropdown when its choices are known;
 * - `text`: a string (BYTES) input holding one element: a text area;
 * - `json`: anything else: the raw tensor data as JSON.
 * The hints' `kind` (from the sidecar) wins over the guess when the signature allows it. A fixed batch larger than one
 * is filled by repeating the one example a person gives (`batch`).
 */
export type { InputHints };

export interface VectorField {
  label: string;
  unit?: string;
  min?: number;
  max?: number;
  step?: number;
  /** The only values allowed (a dropdown). */
  choices?: Array<string | number>;
  /** The value the field starts with (one of the choices, when there are choices). */
  initial: number | string;
}

interface PlanBase {
  name: string;
  datatype: V2Datatype;
  /** Heading: the hints' label, else the input's name. */
  label: string;
  description?: string;
  /** How many copies of the one example the model takes at once (its fixed batch; 1 when the batch is open). */
  batch: number;
}

export interface VectorPlan extends PlanBase {
  kind: 'vector';
  fields: VectorField[];
  /** Integer datatypes take whole numbers only. */
  integer: boolean;
  /** How the K values are sent: `[v0, ..., vK-1]` for a `[K]` input, `[[v0, ...]]` for `[batch, K]`. */
  nesting: 'flat' | 'row';
}

export interface ImagePlan extends PlanBase {
  kind: 'image';
  /** The sidecar's preprocessing, or one derived from the signature (every field filled in). */
  preprocessing: ImagePreprocessing;
  /** The concrete shape of the tensor the page sends (batch of one). */
  tensorShape: number[];
  integer: boolean;
}

export interface ColumnPlan extends PlanBase {
  kind: 'column';
  field: VectorField;
  /** A string column: free text, unless it has choices. */
  text: boolean;
  integer: boolean;
  /** Concrete shape the value is sent in (e.g. [1, 1], [1], []). */
  tensorShape: number[];
}

export interface TextPlan extends PlanBase {
  kind: 'text';
  /** Concrete shape (every dim 1): the text is wrapped in that many brackets. */
  tensorShape: number[];
}

export interface JsonPlan extends PlanBase {
  kind: 'json';
  /** A starting value shown in the editor (zeros of the right shape when small), as JSON text; empty for strings. */
  template: string;
  /** What the data looks like, shown greyed in an empty editor (never sent). */
  placeholder: string;
  /** The declared shape in words, e.g. "[batch, 3, 224, 224]". */
  shapeText: string;
}

export interface AudioPlan extends PlanBase {
  kind: 'audio';
  /** Samples per second the model takes; a file or a recording is resampled to it, mono. */
  samplingRate: number;
  /** Zero mean, unit variance per recording (Wav2Vec2's do_normalize). */
  normalize: boolean;
  /** `[batch, samples]` is sent as `[[...]]`, `[samples]` as `[...]`. */
  nesting: 'flat' | 'row';
}

export type InputPlan = VectorPlan | ImagePlan | ColumnPlan | TextPlan | JsonPlan | AudioPlan;

/** Without sidecar fields, a vector longer than this is edited as JSON (a form of 500 fields helps nobody). */
export const MAX_GUESSED_VECTOR_FIELDS = 64;
/** Image side used when the signature leaves H or W open and no sidecar says otherwise. */
export const DEFAULT_IMAGE_SIDE = 224;

const INTEGER_TYPES: ReadonlySet<string> = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64']);
const FLOAT_TYPES: ReadonlySet<string> = new Set(['FP16', 'FP32', 'FP64', 'BF16']);

export const isIntegerType = (t: string): boolean => INTEGER_TYPES.has(t);
export const isNumericType = (t: string): boolean => INTEGER_TYPES.has(t) || FLOAT_TYPES.has(t);

const isFixed = (d: number | string | undefined): d is number => typeof d === 'number' && d >= 0;

export function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.map((d) => (typeof d === 'number' && d < 0 ? '?' : String(d))).join(', ')}]`;
}

/**
 * `alongside`: the other inputs of the model. A string input holding one value is a column of a form when it has
 * choices or sits beside other one-value inputs; alone and free, it is a text to write (a text area).
 */
export function planInput(spec: TensorSpec, hints?: InputHints, alongside: readonly TensorSpec[] = []): InputPlan {
  const batch = isFixed(spec.shape[0]) && spec.shape.length >= 2 ? Math.max(1, spec.shape[0]) : 1;
  const base: PlanBase = { name: spec.name, datatype: spec.datatype, label: hints?.label || spec.name, description: hints?.description, batch };
  const wanted = hints?.kind;
  if (wanted === 'json') return jsonPlan(spec, base);
  const single = holdsOneValue(spec);
  if (spec.datatype === 'BYTES') {
    const inForm = hints?.fields?.[0]?.choices !== undefined || alongside.some((other) => other.name !== spec.name && holdsOneValue(other));
    if (single && wanted !== 'text' && inForm) return columnPlan(spec, base, hints);
    // Only strings can be typed as text; a `text` hint on numbers is a mistake, so the guess below applies.
    return textPlan(spec, base) ?? jsonPlan(spec, base);
  }
  if (!isNumericType(spec.datatype)) return jsonPlan(spec, base);
  if ((wanted === 'audio' || hints?.audio) && FLOAT_TYPES.has(spec.datatype) && (spec.shape.length === 1 || spec.shape.length === 2)) {
    return { ...base, kind: 'audio', samplingRate: hints?.audio?.samplingRate ?? 16_000, normalize: hints?.audio?.normalize ?? false, nesting: spec.shape.length === 2 ? 'row' : 'flat' };
  }
  if (wanted === 'image' || hints?.image) return imagePlan(spec, base, hints) ?? jsonPlan(spec, base);
  if (single && wanted !== 'vector') return columnPlan(spec, base, hints);
  if (wanted === 'vector') return vectorPlan(spec, base, hints, true) ?? jsonPlan(spec, base);
  return vectorPlan(spec, base, hints, false) ?? imagePlan(spec, base, hints) ?? jsonPlan(spec, base);
}

/** One value per example: `[]`, `[1]`, `[batch]`, `[batch, 1]`, `[1, 1]`. */
export function holdsOneValue(spec: Pick<TensorSpec, 'shape'>): boolean {
  const { shape } = spec;
  if (shape.length === 0) return true;
  if (shape.length === 1) return !isFixed(shape[0]) || shape[0] === 1;
  return shape.length === 2 && shape[1] === 1;
}

function vectorPlan(spec: TensorSpec, base: PlanBase, hints: InputHints | undefined, forced: boolean): VectorPlan | undefined {
  const { shape } = spec;
  const hinted = hints?.fields ?? [];
  let size: number | undefined;
  let nesting: VectorPlan['nesting'];
  if (shape.length === 1) {
    nesting = 'flat';
    size = isFixed(shape[0]) ? shape[0] : undefined;
  } else if (shape.length === 2) {
    nesting = 'row';
    size = isFixed(shape[1]) ? shape[1] : undefined;
  } else {
    return undefined;
  }
  if (size === undefined && hinted.length > 0) size = hinted.length;
  if (size === undefined || size < 1) return undefined;
  const labelled = hinted.filter((f) => f?.label).length;
  const limit = forced || labelled >= size ? 4096 : MAX_GUESSED_VECTOR_FIELDS;
  if (size > limit) return undefined;
  const integer = isIntegerType(spec.datatype);
  const fields: VectorField[] = [];
  for (let i = 0; i < size; i++) fields.push(fieldOf(hinted[i], `${spec.name}[${i}]`, integer));
  return { ...base, kind: 'vector', fields, integer, nesting };
}

function columnPlan(spec: TensorSpec, base: PlanBase, hints: InputHints | undefined): ColumnPlan {
  const integer = isIntegerType(spec.datatype);
  const text = spec.datatype === 'BYTES';
  const field = fieldOf(hints?.fields?.[0], hints?.label || spec.name, integer, text);
  return { ...base, kind: 'column', field, text, integer, tensorShape: concreteShape(spec.shape, base.batch) };
}

/** A field from its hints: choices only of the field's type, the first choice (or the default) to start with. */
function fieldOf(f: FieldHintsLike | undefined, fallbackLabel: string, integer: boolean, text = false): VectorField {
  const choices = f?.choices?.filter((c) => (text ? typeof c === 'string' : typeof c === 'number' && (!integer || Number.isInteger(c))));
  const field: VectorField = {
    label: f?.label || fallbackLabel,
    unit: f?.unit, min: f?.min, max: f?.max, step: f?.step ?? (integer ? 1 : undefined),
    initial: 0,
  };
  const start = f?.default;
  if (choices && choices.length > 0) {
    field.choices = choices;
    field.initial = start !== undefined && choices.includes(start) ? start : choices[0];
  } else {
    field.initial = text ? (typeof start === 'string' ? start : '') : initialValue(typeof start === 'number' ? start : undefined, f?.min, f?.max, integer);
  }
  // Undefined properties are left out, so a plan compares equal to a literal in tests and in logs.
  return Object.fromEntries(Object.entries(field).filter(([, v]) => v !== undefined)) as unknown as VectorField;
}

type FieldHintsLike = NonNullable<InputHints['fields']>[number];

/** The hints' default; else the middle of [min, max]; else min, max or 0. */
function initialValue(def: number | undefined, min: number | undefined, max: number | undefined, integer: boolean): number {
  let v = def ?? (min !== undefined && max !== undefined ? (min + max) / 2 : min ?? max ?? 0);
  if (integer) v = Math.round(v);
  return Number(v.toPrecision(12));
}

/** The declared shape with open dims as 1 and a fixed batch kept (a model with batch 2 gets two copies). */
function concreteShape(shape: ReadonlyArray<number | string>, batch: number): number[] {
  return shape.map((d, i) => (i === 0 && shape.length >= 2 ? batch : isFixed(d) ? d : 1));
}

/** One example's values, repeated to fill a fixed batch. */
export function repeatForBatch<T>(example: T, batch: number): T[] {
  return Array.from({ length: batch }, () => example);
}

function imagePlan(spec: TensorSpec, base: PlanBase, hints: InputHints | undefined): ImagePlan | undefined {
  const integer = isIntegerType(spec.datatype);
  const given = hints?.image;
  let preprocessing: ImagePreprocessing;
  if (given) {
    preprocessing = {
      ...given,
      channels: given.channels ?? 'RGB',
      layout: given.layout ?? 'NCHW',
      scale: given.scale ?? (integer ? 1 : 1 / 255),
      invert: given.invert ?? false,
    };
  } else {
    const guessed = guessImageLayout(spec.shape);
    if (!guessed) {
      if (hints?.kind !== 'image') return undefined;
      // The sidecar says "image" without saying how: a 224x224 RGB picture is the common case.
      preprocessing = { width: DEFAULT_IMAGE_SIDE, height: DEFAULT_IMAGE_SIDE, channels: 'RGB', layout: 'NCHW', scale: integer ? 1 : 1 / 255, invert: false };
    } else {
      preprocessing = { ...guessed, scale: integer ? 1 : 1 / 255, invert: false };
    }
  }
  return { ...base, kind: 'image', preprocessing, tensorShape: imageTensorShape(spec.shape, preprocessing, base.batch), integer };
}

/** Layout, size and channels read off a rank-4 signature: C is the dim (after the batch) that is 1 or 3. */
export function guessImageLayout(shape: ReadonlyArray<number | string>): Pick<ImagePreprocessing, 'width' | 'height' | 'channels' | 'layout'> | undefined {
  if (shape.length !== 4) return undefined;
  const side = (d: number | string) => (isFixed(d) && d > 0 ? d : DEFAULT_IMAGE_SIDE);
  const channelsOf = (c: number): ImagePreprocessing['channels'] => (c === 1 ? 'L' : 'RGB');
  const [, a, b, c] = shape;
  if (a === 1 || a === 3) return { layout: 'NCHW', channels: channelsOf(a), height: side(b), width: side(c) };
  if (c === 1 || c === 3) return { layout: 'NHWC', channels: channelsOf(c), height: side(a), width: side(b) };
  return undefined;
}

/** The shape of one picture as the model takes it: rank 4 with a batch of one, or the declared rank 3 or 2. */
export function imageTensorShape(specShape: ReadonlyArray<number | string>, p: Pick<ImagePreprocessing, 'width' | 'height' | 'channels' | 'layout'>, batch = 1): number[] {
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

function textPlan(spec: TensorSpec, base: PlanBase): TextPlan | undefined {
  if (spec.datatype !== 'BYTES') return undefined;
  const tensorShape = concreteShape(spec.shape, base.batch);
  if (tensorShape.some((d, i) => d !== 1 && !(i === 0 && d === base.batch))) return undefined;
  return { ...base, kind: 'text', tensorShape };
}

/** Largest template (in elements) written out in full; beyond it the editor starts empty. */
const MAX_TEMPLATE_ELEMENTS = 1024;

/**
 * Numbers start as zeros of the model's shape (something that runs). Texts start empty: an empty string is rarely a
 * valid text for a model (a number to parse, a category), so the shape is only shown as a placeholder.
 */
function jsonPlan(spec: TensorSpec, base: PlanBase): JsonPlan {
  const concrete = concreteShape(spec.shape, base.batch);
  const count = concrete.reduce((a, b) => a * b, 1);
  const sample = (value: unknown) => (count <= MAX_TEMPLATE_ELEMENTS ? JSON.stringify(nest(new Array<unknown>(count).fill(value), concrete)) : '');
  if (spec.datatype === 'BYTES') {
    return { ...base, kind: 'json', template: '', placeholder: count <= 16 ? sample('text') : '', shapeText: shapeText(spec.shape) };
  }
  const template = sample(spec.datatype === 'BOOL' ? false : 0);
  return { ...base, kind: 'json', template, placeholder: '', shapeText: shapeText(spec.shape) };
}

/** Row-major flat data nested to `shape` (`[]` gives the single element; a product mismatch throws). */
export function nest<T>(flat: ArrayLike<T>, shape: readonly number[]): unknown {
  const total = shape.reduce((a, b) => a * b, 1);
  if (total !== flat.length) throw new RangeError(`${flat.length} values do not fill the shape [${shape.join(', ')}]`);
  if (shape.length === 0) return flat[0];
  const build = (dim: number, offset: number): unknown[] => {
    const n = shape[dim];
    if (dim === shape.length - 1) return Array.from({ length: n }, (_, i) => flat[offset + i]);
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return build(0, 0);
}

/** Nested data flattened row-major (a scalar gives one element). */
export function flatten(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [data];
  const out: unknown[] = [];
  const walk = (v: unknown) => (Array.isArray(v) ? v.forEach(walk) : out.push(v));
  walk(data);
  return out;
}
