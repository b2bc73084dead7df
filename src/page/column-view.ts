import { el } from '../browser/dom';
import { batchNote, FieldControl } from './field-control';
import type { Collected, FieldCounter, InputView } from './input-views';
import { nest, repeatForBatch, type ColumnPlan } from './logic/input-plan';

/**
 * An input holding one value per example — a DataFrame column, as skl2onnx exports a pipeline: one field (a dropdown
 * when its categories are known). The columns of a model share one form: see `formSections`.
 */
export class ColumnView implements InputView {
  readonly element: HTMLElement;
  private readonly control: FieldControl;

  constructor(readonly plan: ColumnPlan, counter: FieldCounter) {
    this.control = new FieldControl(plan.field, plan.name, `field-${counter.next++}`, plan);
    this.element = this.control.element;
    this.element.dataset.input = plan.name;
  }

  collect(): Collected {
    const read = this.control.read();
    if (!read.ok) return { ok: false, message: read.message, focus: this.control.control };
    const count = this.plan.tensorShape.reduce((a, b) => a * b, 1);
    return { ok: true, data: nest(repeatForBatch(read.value, count), this.plan.tensorShape) };
  }

  fill(data: unknown): boolean {
    let value = data;
    while (Array.isArray(value) && value.length >= 1) value = value[0];
    return !Array.isArray(value) && this.control.write(value);
  }
}

/**
 * The form's sections in input order, every run of column inputs gathered in one fieldset (one form with a field per
 * column); the other inputs keep their own sections.
 */
export function formSections(views: readonly InputView[]): HTMLElement[] {
  const sections: HTMLElement[] = [];
  let group: ColumnView[] = [];
  const close = () => {
    if (group.length === 0) return;
    const single = group.length === 1 ? group[0].plan : undefined;
    const batch = Math.max(...group.map((v) => v.plan.batch));
    sections.push(el('fieldset', { class: 'input input-columns', 'data-testid': 'columns', 'aria-label': single?.label ?? 'Inputs' },
      single?.description ? el('p', { class: 'hint' }, single.description) : undefined,
      batchNote(batch),
      el('div', { class: 'fields' }, ...group.map((v) => v.element))));
    group = [];
  };
  for (const view of views) {
    if (view instanceof ColumnView) {
      group.push(view);
    } else {
      close();
      sections.push(view.element);
    }
  }
  close();
  return sections;
}
