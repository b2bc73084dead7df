import {
  batchOf, concreteShape, holdsOneValue, imagePreprocessing, imageTensorShape, isIntegerType, isNumericType, takesAudio, vectorLength,
} from '../../shared/example-shape';
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
 * is filled by repeating the one example a person gives (`batch`). The concrete shapes (a picture's size, a vector's
 * length, open dimensions) come from shared/example-shape.ts, which the "Use via API" snippets and /openapi.json's
 * examples use too, so that what they send is what the page sends.
 */
export type { InputHints };
export { holdsOneValue, isIntegerType, isNumericType };
export { DEFAULT_IMAGE_SIDE, guessImageLayout, imageTensorShape, MAX_GUESSED_VECTOR_FIELDS } from '../../shared/example-shape';

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

export function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.map((d) => (typeof d === 'number' && d < 0 ? '?' : String(d))).join(', ')}]`;
}

/**
 * `alongside`: the other inputs of the model. A string input holding one value is a column of a form when it has
 * choices or sits beside other one-value inputs; alone and free, it is a text to write (a text area).
 */
export function planInput(spec: TensorSpec, hints?: InputHints, alongside: readonly TensorSpec[] = []): InputPlan {
  const batch = batchOf(spec.shape);
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
  if (takesAudio(spec, hints)) {
    return { ...base, kind: 'audio', samplingRate: hints?.audio?.samplingRate ?? 16_000, normalize: hints?.audio?.normalize ?? false, nesting: spec.shape.length === 2 ? 'row' : 'flat' };
  }
  if (wanted === 'image' || hints?.image) return imagePlan(spec, base, hints) ?? jsonPlan(spec, base);
  if (single && wanted !== 'vector') return columnPlan(spec, base, hints);
  if (wanted === 'vector') return vectorPlan(spec, base, hints, true) ?? jsonPlan(spec, base);
  return vectorPlan(spec, base, hints, false) ?? imagePlan(spec, base, hints) ?? jsonPlan(spec, base);
}

function vectorPlan(spec: TensorSpec, base: PlanBase, hints: InputHints | undefined, forced: boolean): VectorPlan | undefined {
  const size = vectorLength(spec, hints, forced);
  if (size === undefined) return undefined;
  const nesting: VectorPlan['nesting'] = spec.shape.length === 1 ? 'flat' : 'row';
  const hinted = hints?.fields ?? [];
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

/** One example's values, repeated to fill a fixed batch. */
export function repeatForBatch<T>(example: T, batch: number): T[] {
  return Array.from({ length: batch }, () => example);
}

function imagePlan(spec: TensorSpec, base: PlanBase, hints: InputHints | undefined): ImagePlan | undefined {
  const preprocessing = imagePreprocessing(spec, hints);
  if (!preprocessing) return undefined;
  return { ...base, kind: 'image', preprocessing, tensorShape: imageTensorShape(spec.shape, preprocessing, base.batch), integer: isIntegerType(spec.datatype) };
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
