import type { ModelCard } from '../shared/model-card';
import { el } from '../browser/dom';
import { classNamesOf } from '../shared/model-facts';
import { className, labelText } from './logic/class-names';
import { isIntegerType } from './logic/input-plan';
import { asNumber, formatMs, formatNumber, outputKind, rowsOf, type PredictResponse, type PredictedTensor } from './logic/output-plan';
import { formatPercent, scoresToProbabilities, topK } from './logic/scores';

export const TOP_K = 5;
const MAX_JSON_CHARS = 20_000;

/** The outputs of one prediction, for people: the top answer, bars, numbers; plus latency and the raw JSON. */
export function renderOutputs(card: ModelCard, response: PredictResponse, roundTripMs: number): HTMLElement {
  const section = el('div', { class: 'outputs' });
  const entries = Object.entries(response.outputs);
  for (const [name, tensor] of entries) {
    const hints = card.hints.outputs[name];
    const spec = card.outputs.find((o) => o.name === name);
    const heading = hints?.label || name;
    section.append(el('section', { class: 'output', 'data-output': name },
      el('h3', {}, heading),
      renderOutput(card, name, tensor, spec?.shape)));
  }
  if (entries.length === 0) section.append(el('p', {}, 'The model returned no outputs.'));
  if (response.tokens) section.append(renderTokens(response.tokens));
  const inference = response.timing?.inferenceMs;
  section.append(el('p', { class: 'latency', 'data-testid': 'latency' },
    `Answered in ${formatMs(roundTripMs)}${inference !== undefined ? ` (model ${formatMs(inference)})` : ''} · version ${response.modelVersion}`));
  const pre = el('pre', { class: 'mono raw-json', 'data-testid': 'raw-json' });
  pre.textContent = JSON.stringify(response, null, 2);
  const summary = el('summary', {}, 'Show raw JSON');
  const details = el('details', { class: 'raw' }, summary, pre);
  details.addEventListener('toggle', () => {
    summary.textContent = details.open ? 'Hide raw JSON' : 'Show raw JSON';
  });
  section.append(details);
  return section;
}

function renderOutput(card: ModelCard, name: string, tensor: PredictedTensor, declared: Array<number | string> | undefined): HTMLElement {
  const hints = card.hints.outputs[name];
  const names = classNamesOf(card.hints, name);
  const kind = outputKind(tensor, declared, hints, { name, hasClassNames: names !== undefined });
  const unbatched = tensor.shape.length === 1 && kind === 'scores';
  const rows = rowsOf(tensor, unbatched);
  const batchNote = rows.length > 1 ? el('p', { class: 'note' }, `Showing the first of ${rows.length} examples; the raw JSON has them all.`) : undefined;
  const first = rows[0] ?? [];
  switch (kind) {
    case 'scores': {
      const { probabilities, softmaxApplied, sigmoidApplied } = scoresToProbabilities(first.map(asNumber), hints?.activation);
      const ranked = topK(probabilities, TOP_K);
      const list = el('ol', { class: 'scores', 'aria-label': `Top ${ranked.length} of ${probabilities.length} classes` });
      ranked.forEach((r, i) => {
        const fill = el('span', { class: 'score-fill' });
        // CSSOM (not a style attribute): allowed by the page's style-src 'self'.
        fill.style.width = `${Number.isFinite(r.probability) ? Math.max(0, Math.min(1, r.probability)) * 100 : 0}%`;
        list.append(el('li', { class: i === 0 ? 'score-row top' : 'score-row', 'data-testid': 'score-row' },
          el('span', { class: 'score-name' }, className(names, r.index)),
          el('span', { class: 'score-bar', 'aria-hidden': 'true' }, fill),
          el('span', { class: 'score-pct' }, formatPercent(r.probability))));
      });
      const top = ranked[0];
      return el('div', {},
        top ? el('p', { class: 'answer', 'data-testid': 'answer' }, className(names, top.index)) : undefined,
        list,
        softmaxApplied ? el('p', { class: 'note' }, 'The model gives raw scores; they are shown as probabilities (softmax).') : undefined,
        sigmoidApplied ? el('p', { class: 'note' }, 'Each class is scored on its own (sigmoid): several can apply at once.') : undefined,
        batchNote);
    }
    case 'label': {
      const value = first[0];
      const text = labelText(value, names);
      const mapped = text !== String(value);
      return el('div', {},
        el('p', { class: 'answer', 'data-testid': 'answer' }, text, mapped ? el('span', { class: 'note' }, ` (class ${String(value)})`) : undefined),
        batchNote);
    }
    case 'regression': {
      const unit = hints?.unit;
      // Integers exactly as sent (INT64 beyond 2^53 arrives as a decimal string); floats rounded for reading.
      const show = (v: unknown) => (isIntegerType(tensor.datatype) ? String(v) : formatNumber(asNumber(v)));
      if (first.length === 1) {
        return el('div', {},
          el('p', { class: 'answer', 'data-testid': 'answer' }, show(first[0]), unit ? el('span', { class: 'unit' }, ` ${unit}`) : undefined),
          batchNote);
      }
      const list = el('ul', { class: 'values' });
      first.forEach((v, i) => list.append(el('li', {},
        el('span', { class: 'value-name' }, names?.[i] ?? `${name}[${i}]`), ' ',
        el('span', { class: 'value' }, show(v), unit ? ` ${unit}` : ''))));
      return el('div', {}, list, batchNote);
    }
    default: {
      const text = JSON.stringify(tensor.data);
      const pre = el('pre', { class: 'mono' });
      pre.textContent = text.length > MAX_JSON_CHARS ? `${text.slice(0, MAX_JSON_CHARS)} …` : text;
      return el('div', {}, el('p', { class: 'note' }, `${tensor.datatype}, shape [${tensor.shape.join(', ')}]`), pre);
    }
  }
}

/** The tokens the model read (a text model): a note when the text was cut, the tokens and their ids under "details". */
function renderTokens(tokens: NonNullable<PredictResponse['tokens']>): HTMLElement {
  const list = el('ol', { class: 'tokens' },
    ...tokens.tokens.map((t, i) => el('li', { class: 'token', title: `id ${tokens.ids[i]}` }, el('code', {}, t), el('span', { class: 'token-id' }, String(tokens.ids[i])))));
  return el('div', { class: 'tokens-block' },
    tokens.cut > 0
      ? el('p', { class: 'note warning', 'data-testid': 'text-cut' },
        `The text is longer than the model reads: only the first ${tokens.maxLength ?? tokens.ids.length} tokens were used (${tokens.cut} left out).`)
      : undefined,
    el('details', { class: 'raw', 'data-testid': 'tokens' },
      el('summary', {}, `Tokens the model read (${tokens.ids.length})`),
      list,
      el('p', { class: 'hint mono', 'data-testid': 'token-ids' }, `input_ids: [${tokens.ids.join(', ')}]`)));
}

/** Class names to offer in "What should it have been?": the first output that has some. */
export function correctionChoices(card: ModelCard): string[] | undefined {
  for (const o of card.outputs) {
    const names = classNamesOf(card.hints, o.name);
    if (names && names.length > 0) return names;
  }
  return undefined;
}
