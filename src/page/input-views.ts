import { el, uid } from '../browser/dom';
import { batchNote, FieldControl } from './field-control';
import { flatten, nest, repeatForBatch, type InputPlan, type JsonPlan, type TextPlan, type VectorPlan } from './logic/input-plan';

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

export class VectorView implements InputView {
  readonly element: HTMLElement;
  private readonly controls: FieldControl[];

  constructor(readonly plan: VectorPlan, counter: FieldCounter) {
    this.controls = plan.fields.map((f, i) => new FieldControl(f, `${plan.name}[${i}]`, `field-${counter.next++}`, { integer: plan.integer, text: false }));
    this.element = el('fieldset', { class: 'input input-vector' },
      el('legend', {}, plan.label), hint(plan.description), batchNote(plan.batch), el('div', { class: 'fields' }, ...this.controls.map((c) => c.element)));
  }

  collect(): Collected {
    const values: Array<number | string> = [];
    for (const control of this.controls) {
      const read = control.read();
      if (!read.ok) return { ok: false, message: read.message, focus: control.control };
      values.push(read.value);
    }
    return { ok: true, data: this.plan.nesting === 'row' ? repeatForBatch(values, this.plan.batch) : values };
  }

  fill(data: unknown): boolean {
    const flat = flatten(data);
    // A full batch (an example written for a fixed batch of 2) fills the fields from its first row.
    const row = flat.length === this.controls.length * this.plan.batch ? flat.slice(0, this.controls.length) : flat;
    if (row.length !== this.controls.length) return false;
    const before = this.controls.map((c) => c.control.value);
    if (row.every((v, i) => this.controls[i].write(v))) return true;
    this.controls.forEach((c, i) => (c.control.value = before[i]));
    return false;
  }
}

export class TextView implements InputView {
  readonly element: HTMLElement;
  private readonly area: HTMLTextAreaElement;

  constructor(readonly plan: TextPlan) {
    const id = uid('text');
    this.area = el('textarea', { id, name: plan.name, rows: 4, 'data-testid': `text-${plan.name}`, spellcheck: 'true' });
    this.element = el('div', { class: 'input input-text' },
      el('label', { for: id, class: 'input-label' }, plan.label), hint(plan.description), batchNote(plan.batch), this.area);
  }

  collect(): Collected {
    const count = this.plan.tensorShape.reduce((a, b) => a * b, 1);
    return { ok: true, data: nest(repeatForBatch(this.area.value, count), this.plan.tensorShape) };
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
      'data-testid': `json-${plan.name}`, 'aria-describedby': helpId, placeholder: plan.placeholder || undefined,
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
