import { el, uid } from '../browser/dom';
import { flatten, nest, type InputPlan, type JsonPlan, type TextPlan, type VectorPlan } from './logic/input-plan';

export type Collected = { ok: true; data: unknown } | { ok: false; message: string; focus?: HTMLElement };

/** One model input on the page: its fields, and how to read them into request data. */
export interface InputView {
  readonly plan: InputPlan;
  readonly element: HTMLElement;
  collect(): Collected | Promise<Collected>;
  /** Puts example (or previous) data into the fields; false when it does not fit them. */
  fill(data: unknown): boolean;
  dispose?(): void;
}

/** Numbering shared by every vector input of the page, for `data-testid="field-<i>"`. */
export interface FieldCounter {
  next: number;
}

function hint(text: string | undefined): HTMLElement | undefined {
  return text ? el('p', { class: 'hint' }, text) : undefined;
}

function rangeText(min: number | undefined, max: number | undefined, unit: string | undefined): string | undefined {
  const u = unit ? ` ${unit}` : '';
  if (min !== undefined && max !== undefined) return `usually ${min} – ${max}${u}`;
  if (min !== undefined) return `at least ${min}${u}`;
  if (max !== undefined) return `at most ${max}${u}`;
  return undefined;
}

export class VectorView implements InputView {
  readonly element: HTMLElement;
  private readonly inputs: HTMLInputElement[] = [];

  constructor(readonly plan: VectorPlan, counter: FieldCounter) {
    const grid = el('div', { class: 'fields' });
    plan.fields.forEach((f, i) => {
      const id = uid('field');
      const range = rangeText(f.min, f.max, f.unit);
      const rangeId = range ? `${id}-range` : undefined;
      const input = el('input', {
        id, type: 'number', name: `${plan.name}[${i}]`, 'data-testid': `field-${counter.next++}`,
        step: f.step ?? 'any', min: f.min, max: f.max, value: String(f.initial), inputmode: plan.integer ? 'numeric' : 'decimal',
        'aria-describedby': rangeId, autocomplete: 'off',
      });
      this.inputs.push(input);
      grid.append(el('div', { class: 'field' },
        el('label', { for: id }, f.label, f.unit ? el('span', { class: 'unit' }, ` (${f.unit})`) : undefined),
        input,
        range ? el('span', { class: 'range', id: rangeId }, range) : undefined));
    });
    this.element = el('fieldset', { class: 'input input-vector' },
      el('legend', {}, plan.label), hint(plan.description), grid);
  }

  collect(): Collected {
    const values: number[] = [];
    for (let i = 0; i < this.inputs.length; i++) {
      const input = this.inputs[i];
      const label = this.plan.fields[i].label;
      input.removeAttribute('aria-invalid');
      const text = input.value.trim();
      let problem: string | undefined;
      if (input.validity.badInput) problem = `“${label}” must be a number.`;
      else if (text === '') problem = `Fill in “${label}”.`;
      const value = Number(text);
      if (!problem && !Number.isFinite(value)) problem = `“${label}” must be a number.`;
      if (!problem && this.plan.integer && !Number.isInteger(value)) problem = `“${label}” must be a whole number.`;
      if (problem) {
        input.setAttribute('aria-invalid', 'true');
        return { ok: false, message: problem, focus: input };
      }
      values.push(value);
    }
    return { ok: true, data: this.plan.nesting === 'row' ? [values] : values };
  }

  fill(data: unknown): boolean {
    const flat = flatten(data);
    if (flat.length !== this.inputs.length || !flat.every((v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))))) return false;
    flat.forEach((v, i) => {
      this.inputs[i].value = String(v);
      this.inputs[i].removeAttribute('aria-invalid');
    });
    return true;
  }
}

export class TextView implements InputView {
  readonly element: HTMLElement;
  private readonly area: HTMLTextAreaElement;

  constructor(readonly plan: TextPlan) {
    const id = uid('text');
    this.area = el('textarea', { id, name: plan.name, rows: 4, 'data-testid': `text-${plan.name}`, spellcheck: 'true' });
    this.element = el('div', { class: 'input input-text' },
      el('label', { for: id, class: 'input-label' }, plan.label), hint(plan.description), this.area);
  }

  collect(): Collected {
    return { ok: true, data: nest([this.area.value], this.plan.tensorShape) };
  }

  fill(data: unknown): boolean {
    const flat = flatten(data);
    if (flat.length !== 1 || typeof flat[0] !== 'string') return false;
    this.area.value = flat[0];
    return true;
  }
}

export class JsonView implements InputView {
  readonly element: HTMLElement;
  private readonly area: HTMLTextAreaElement;

  constructor(readonly plan: JsonPlan) {
    const id = uid('json');
    const helpId = `${id}-help`;
    this.area = el('textarea', {
      id, name: plan.name, rows: 6, class: 'mono', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
      'data-testid': `json-${plan.name}`, 'aria-describedby': helpId,
    });
    this.area.value = plan.template;
    this.element = el('div', { class: 'input input-json' },
      el('label', { for: id, class: 'input-label' }, plan.label),
      hint(plan.description),
      el('p', { class: 'hint', id: helpId }, `Raw tensor data as JSON (nested lists): ${plan.datatype}, shape ${plan.shapeText}.`),
      this.area);
  }

  collect(): Collected {
    const text = this.area.value.trim();
    this.area.removeAttribute('aria-invalid');
    if (text === '') {
      this.area.setAttribute('aria-invalid', 'true');
      return { ok: false, message: `Fill in “${this.plan.label}” (JSON data).`, focus: this.area };
    }
    try {
      return { ok: true, data: JSON.parse(text) };
    } catch (err) {
      this.area.setAttribute('aria-invalid', 'true');
      return { ok: false, message: `“${this.plan.label}” is not valid JSON: ${(err as Error).message}`, focus: this.area };
    }
  }

  fill(data: unknown): boolean {
    this.area.value = JSON.stringify(data);
    return true;
  }
}
