import { el, uid } from '../browser/dom';
import type { VectorField } from './logic/input-plan';

/** Reading one field: its value, or what to tell the person. */
export type FieldValue = { ok: true; value: number | string } | { ok: false; message: string };

function rangeText(min: number | undefined, max: number | undefined, unit: string | undefined): string | undefined {
  const u = unit ? ` ${unit}` : '';
  if (min !== undefined && max !== undefined) return `usually ${min} – ${max}${u}`;
  if (min !== undefined) return `at least ${min}${u}`;
  if (max !== undefined) return `at most ${max}${u}`;
  return undefined;
}

/**
 * One labelled value on the page: a number box, a dropdown of the field's choices, or (for a string column without
 * known categories) a one-line text box. Used by every vector element and every column input.
 */
export class FieldControl {
  readonly element: HTMLElement;
  readonly control: HTMLInputElement | HTMLSelectElement;

  constructor(readonly field: VectorField, name: string, testId: string, private readonly kind: { integer: boolean; text: boolean }) {
    const id = uid('field');
    const range = field.choices ? undefined : rangeText(field.min, field.max, field.unit);
    const rangeId = range ? `${id}-range` : undefined;
    if (field.choices) {
      const select = el('select', { id, name, 'data-testid': testId });
      for (const choice of field.choices) select.append(el('option', { value: String(choice) }, String(choice)));
      select.value = String(field.initial);
      this.control = select;
    } else if (kind.text) {
      this.control = el('input', { id, type: 'text', name, 'data-testid': testId, value: String(field.initial), autocomplete: 'off' });
    } else {
      this.control = el('input', {
        id, type: 'number', name, 'data-testid': testId,
        step: field.step ?? 'any', min: field.min, max: field.max, value: String(field.initial), inputmode: kind.integer ? 'numeric' : 'decimal',
        'aria-describedby': rangeId, autocomplete: 'off',
      });
    }
    this.element = el('div', { class: 'field' },
      // "sepal length (cm)" already says its unit.
      el('label', { for: id }, field.label, field.unit && !field.label.includes(`(${field.unit})`) ? el('span', { class: 'unit' }, ` (${field.unit})`) : undefined),
      this.control,
      range ? el('span', { class: 'range', id: rangeId }, range) : undefined);
  }

  read(): FieldValue {
    const { control, field } = this;
    control.removeAttribute('aria-invalid');
    const fail = (message: string): FieldValue => {
      control.setAttribute('aria-invalid', 'true');
      return { ok: false, message };
    };
    if (field.choices) {
      // Send the choice with its own type: 2 and "2" are different categories to a model.
      const choice = field.choices.find((c) => String(c) === control.value);
      return choice === undefined ? fail(`Choose a value for “${field.label}”.`) : { ok: true, value: choice };
    }
    if (this.kind.text) return { ok: true, value: control.value };
    const text = control.value.trim();
    if (control instanceof HTMLInputElement && control.validity.badInput) return fail(`“${field.label}” must be a number.`);
    if (text === '') return fail(`Fill in “${field.label}”.`);
    const value = Number(text);
    if (!Number.isFinite(value)) return fail(`“${field.label}” must be a number.`);
    if (this.kind.integer && !Number.isInteger(value)) return fail(`“${field.label}” must be a whole number.`);
    return { ok: true, value };
  }

  /** Puts a value in (an example's); false when it does not fit (not a number, not one of the choices). */
  write(value: unknown): boolean {
    if (this.field.choices) {
      if (!this.field.choices.some((c) => String(c) === String(value))) return false;
    } else if (this.kind.text) {
      if (typeof value !== 'string') return false;
    } else if (!(typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))))) {
      return false;
    }
    this.control.value = String(value);
    this.control.removeAttribute('aria-invalid');
    return true;
  }
}

/** Said under an input whose model takes a fixed batch larger than one. */
export function batchNote(batch: number): HTMLElement | undefined {
  return batch > 1
    ? el('p', { class: 'hint', 'data-testid': 'batch-note' }, `This model always takes ${batch} examples at once: what you enter here is repeated ${batch} times, and the answer for the first is shown.`)
    : undefined;
}
