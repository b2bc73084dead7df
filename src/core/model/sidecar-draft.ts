import type { ModelDescription } from '../../shared/model-card';
import type { FieldHints, PageHints } from '../../shared/model-facts';
import type { Sidecar } from '../../shared/sidecar';
import type { TensorSpec } from '../../shared/v2';
import { perExampleSize } from './tensor-shapes';

/**
 * The `<model>.preview.json` that `init-page` writes: everything known about the model (its metadata's labels, its
 * graph's categories and ranges, class names), spelled out so the data scientist only has to correct and add, and one
 * example made of the starting values. Valid against the sidecar schema by construction (tested).
 */

/** Largest vector written out field by field; longer ones (images, embeddings) are left to the page's own guess. */
const MAX_DRAFT_FIELDS = 64;

const isText = (spec: TensorSpec) => spec.datatype === 'BYTES';
const isNumber = (spec: TensorSpec) => spec.datatype !== 'BYTES' && spec.datatype !== 'BOOL';
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const knowsStart = (field: FieldHints | undefined): boolean =>
  field?.default !== undefined || !!field?.choices?.length || (field?.min !== undefined && field?.max !== undefined);

function startValue(field: FieldHints | undefined, spec: TensorSpec): number | string | undefined {
  if (field?.default !== undefined) return field.default;
  if (field?.choices?.length) return field.choices[0];
  if (isText(spec)) return undefined;
  if (field?.min !== undefined && field?.max !== undefined) return Number(((field.min + field.max) / 2).toPrecision(6));
  return field?.min ?? field?.max ?? 0;
}

/** One value per example: a DataFrame column. */
const isColumn = (spec: TensorSpec) => perExampleSize(spec) === 1 && spec.shape.length <= 2;

export function draftSidecar(model: ModelDescription, hints: PageHints): Sidecar {
  const inputs: NonNullable<Sidecar['inputs']> = {};
  const example: Record<string, unknown> = {};
  let exampleComplete = true;
  // "Typical values" only when each value came from the model (a default, a range, a category); else zeros to edit.
  let exampleKnown = true;
  for (const spec of model.inputs) {
    const h = hints.inputs[spec.name] ?? {};
    const size = perExampleSize(spec);
    const batched = spec.shape.length > 0 && typeof spec.shape[0] === 'string';
    if (isColumn(spec) && (isNumber(spec) || isText(spec))) {
      const field = h.fields?.[0];
      const { label: _label, ...rest } = field ?? {};
      inputs[spec.name] = defined({ label: field?.label ?? h.label ?? spec.name, description: h.description, ...rest });
      const value = startValue(field, spec);
      exampleKnown &&= knowsStart(field);
      if (value === undefined) exampleComplete = false;
      else example[spec.name] = spec.shape.length === 2 ? [[value]] : spec.shape.length === 1 ? [value] : value;
    } else if (isNumber(spec) && spec.shape.length <= 2 && size !== undefined && size <= MAX_DRAFT_FIELDS) {
      const width = spec.shape.length === 2 ? (spec.shape[1] as number) : size;
      const fields = Array.from({ length: width }, (_, i) => defined({ ...(h.fields?.[i] ?? {}), label: h.fields?.[i]?.label ?? `${spec.name}[${i}]` }));
      inputs[spec.name] = defined({ label: h.label ?? spec.name, description: h.description, fields: fields as NonNullable<Sidecar['inputs']>[string]['fields'] });
      const row = fields.map((f, i) => startValue(h.fields?.[i] ?? f, spec));
      exampleKnown &&= fields.every((_f, i) => knowsStart(h.fields?.[i]));
      example[spec.name] = batched || spec.shape.length === 2 ? [row] : row;
    } else {
      if (h.label || h.description) inputs[spec.name] = defined({ label: h.label, description: h.description });
      exampleComplete = false;
    }
  }
  const outputs: NonNullable<Sidecar['outputs']> = {};
  for (const spec of model.outputs) {
    const h = hints.outputs[spec.name];
    if (h && (h.label || h.classNames || h.unit || h.kind)) outputs[spec.name] = defined({ kind: h.kind, label: h.label, classNames: h.classNames, unit: h.unit });
  }
  return defined({
    title: hints.title ?? model.name,
    description: hints.description,
    inputs,
    outputs: Object.keys(outputs).length > 0 ? outputs : undefined,
    examples: hints.examples.length > 0 ? hints.examples : exampleComplete ? [{ name: exampleKnown ? 'Typical values' : 'Example', inputs: example }] : undefined,
  });
}
