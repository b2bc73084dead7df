import type { AudioPreprocessing, ImagePreprocessing, Sidecar } from './sidecar';

/**
 * What is known about presenting a model — labels, units, ranges, categories, class names, examples — and where each
 * piece was read. Each reader adds facts: the sidecar (`<model>.preview.json`), the ONNX metadata and doc strings, the
 * graph (a ZipMap's class labels, an encoder's categories, a scaler's statistics), guesses from names; later readers
 * (a Hugging Face `config.json`, a `preprocessor_config.json`) add theirs the same way, naming the tier they belong
 * to. `resolvePageHints` keeps, for each property of each input, field or output, the fact from the most trusted tier.
 * The server, the page, `inspect` and `init-page` all use this one structure.
 */

/** Most trusted first: what the data scientist wrote beside the model, what the model file says, what its graph implies, guesses. */
export const FACT_TIERS = ['sidecar', 'metadata', 'graph', 'guess'] as const;
export type FactTier = (typeof FACT_TIERS)[number];

/** Where a fact came from: its tier and, in words, the exact place ("metadata 'feature_names'", "ZipMap node 'ZipMap'"). */
export interface FactOrigin {
  tier: FactTier;
  from: string;
}

/** Properties of one element of an input (a `[batch, K]` vector has K fields; a DataFrame column input has one). */
export interface FieldHints {
  label?: string;
  unit?: string;
  /** A typical range, shown as "usually min – max" (not enforced). */
  min?: number;
  max?: number;
  step?: number;
  /** The value the field starts with: a number, or one of the choices. */
  default?: number | string;
  /** The only values the model knows (an encoder's categories): the page offers a dropdown. */
  choices?: Array<string | number>;
}

export interface InputHints {
  kind?: 'vector' | 'image' | 'text' | 'json' | 'audio';
  label?: string;
  description?: string;
  /** One entry per element; entries may be sparse (a fact about field 3 alone). */
  fields?: FieldHints[];
  image?: Partial<ImagePreprocessing> & Pick<ImagePreprocessing, 'width' | 'height'>;
  audio?: Partial<AudioPreprocessing>;
}

export interface OutputHints {
  kind?: 'scores' | 'label' | 'regression' | 'json';
  label?: string;
  classNames?: string[];
  unit?: string;
  /**
   * How raw scores become probabilities: `softmax` (one class is the answer), `sigmoid` (each class on its own: a
   * multi-label model), as a Hugging Face `config.json`'s `problem_type` says. Unset: the page's softmax rule.
   */
  activation?: 'softmax' | 'sigmoid';
}

export interface Example {
  name: string;
  inputs: Record<string, unknown>;
}

/** Everything the page needs to present a model, resolved from all facts. */
export interface PageHints {
  title?: string;
  description?: string;
  inputs: Record<string, InputHints>;
  outputs: Record<string, OutputHints>;
  examples: Example[];
}

type PropertyFact<T> = { [P in keyof T]-?: { property: P; value: NonNullable<T[P]> } }[keyof T];

/** One thing known about the model, about one target, from one place. */
export type ModelFact = FactOrigin & (
  | ({ target: 'model' } & PropertyFact<Pick<PageHints, 'title' | 'description' | 'examples'>>)
  | ({ target: 'input'; input: string } & PropertyFact<Omit<InputHints, 'fields'>>)
  | ({ target: 'field'; input: string; index: number } & PropertyFact<FieldHints>)
  | ({ target: 'output'; output: string } & PropertyFact<OutputHints>)
);

const tierRank = (tier: FactTier): number => FACT_TIERS.indexOf(tier);

/** The key that makes two facts compete: same target, same property. */
export function factKey(fact: ModelFact): string {
  switch (fact.target) {
    case 'model': return `model ${fact.property}`;
    case 'input': return `input ${JSON.stringify(fact.input)} ${fact.property}`;
    case 'field': return `field ${JSON.stringify(fact.input)} ${fact.index} ${fact.property}`;
    case 'output': return `output ${JSON.stringify(fact.output)} ${fact.property}`;
  }
}

/** The winning fact for each target and property: the most trusted tier; within a tier, the first one read. */
export function factsInEffect(facts: readonly ModelFact[]): ModelFact[] {
  const winners = new Map<string, ModelFact>();
  for (const fact of facts) {
    const key = factKey(fact);
    const current = winners.get(key);
    if (!current || tierRank(fact.tier) < tierRank(current.tier)) winners.set(key, fact);
  }
  return [...winners.values()];
}

/** The hints the page uses, built from every fact (the sidecar's among them) by precedence. */
export function resolvePageHints(facts: readonly ModelFact[]): PageHints {
  const hints: PageHints = { inputs: {}, outputs: {}, examples: [] };
  const input = (name: string): InputHints => (hints.inputs[name] ??= {});
  const output = (name: string): OutputHints => (hints.outputs[name] ??= {});
  for (const fact of factsInEffect(facts)) {
    switch (fact.target) {
      case 'model':
        Object.assign(hints, { [fact.property]: fact.value });
        break;
      case 'input':
        Object.assign(input(fact.input), { [fact.property]: fact.value });
        break;
      case 'field': {
        const fields = (input(fact.input).fields ??= []);
        for (let i = fields.length; i <= fact.index; i++) fields.push({});
        Object.assign(fields[fact.index], { [fact.property]: fact.value });
        break;
      }
      case 'output':
        Object.assign(output(fact.output), { [fact.property]: fact.value });
        break;
    }
  }
  return hints;
}

/**
 * The sidecar as facts of the top tier. An input's own `unit`/`min`/`max`/`step`/`default`/`choices` (for an input
 * that holds one value per example, such as a DataFrame column) are its field 0; `fields[0]` says the same and wins.
 */
export function sidecarFacts(sidecar: Sidecar, file: string): ModelFact[] {
  const origin = (where: string): FactOrigin => ({ tier: 'sidecar', from: `${file} ${where}` });
  const facts: ModelFact[] = [];
  const push = (fact: ModelFact) => fact.value !== undefined && facts.push(fact);
  if (sidecar.title !== undefined) push({ ...origin('title'), target: 'model', property: 'title', value: sidecar.title });
  if (sidecar.description !== undefined) push({ ...origin('description'), target: 'model', property: 'description', value: sidecar.description });
  if (sidecar.examples) push({ ...origin('examples'), target: 'model', property: 'examples', value: sidecar.examples });
  for (const [name, h] of Object.entries(sidecar.inputs ?? {})) {
    const at = (p: string) => origin(`inputs.${name}.${p}`);
    for (const property of ['kind', 'label', 'description', 'image', 'audio'] as const) {
      if (h[property] !== undefined) push({ ...at(property), target: 'input', input: name, property, value: h[property] } as ModelFact);
    }
    h.fields?.forEach((field, index) => {
      for (const [property, value] of Object.entries(field)) {
        if (value !== undefined) push({ ...at(`fields[${index}].${property}`), target: 'field', input: name, index, property, value } as ModelFact);
      }
    });
    for (const property of ['unit', 'min', 'max', 'step', 'default', 'choices'] as const) {
      if (h[property] !== undefined) push({ ...at(property), target: 'field', input: name, index: 0, property, value: h[property] } as ModelFact);
    }
    // A column input's label is its one field's label too.
    if (h.label !== undefined && (h.fields === undefined || h.fields.length <= 1) && h.fields?.[0]?.label === undefined) {
      push({ ...at('label'), target: 'field', input: name, index: 0, property: 'label', value: h.label });
    }
  }
  for (const [name, h] of Object.entries(sidecar.outputs ?? {})) {
    for (const [property, value] of Object.entries(h)) {
      if (value !== undefined) push({ ...origin(`outputs.${name}.${property}`), target: 'output', output: name, property, value } as ModelFact);
    }
  }
  return facts;
}

/** A fact's target in words, for `inspect`: `input 'features' field 0`, `output 'logits'`. */
export function factTargetText(fact: ModelFact): string {
  switch (fact.target) {
    case 'model': return 'model';
    case 'input': return `input '${fact.input}'`;
    case 'field': return `input '${fact.input}' [${fact.index}]`;
    case 'output': return `output '${fact.output}'`;
  }
}

/** A fact's value in words, for `inspect`: lists joined, long texts cut. */
export function factValueText(fact: ModelFact): string {
  const value: unknown = fact.value;
  if (fact.property === 'examples') return (fact.value).map((e) => e.name).join(', ');
  const text = Array.isArray(value) ? value.map(String).join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Names of an output's classes as the page, the feedback table and the stats show them (one rule everywhere): the
 * resolved hints' `classNames` (the sidecar's, else the model metadata's, else the graph's), or none ("class 3").
 */
export function classNamesOf(hints: Pick<PageHints, 'outputs'>, output: string): string[] | undefined {
  const names = hints.outputs[output]?.classNames;
  return names && names.length > 0 ? names : undefined;
}
