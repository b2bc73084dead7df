import type { ModelCard } from '../shared/model-card';
import { el } from '../browser/dom';
import { classNamesOf } from '../shared/model-facts';
import { className, labelText } from './logic/class-names';
import { isIntegerType } from './logic/input-plan';
import { asNumber, formatMs, formatNumber, outputKind, rowsOf, type PredictResponse, type PredictedTensor } from './logic/output-plan';
import { formatPercent, scoresToProbabilities, topK } from './logic/scores';
import { ctcDecode, mapToRgba, pictureLayout, summarise } from './logic/array-views';

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
  const raw = JSON.stringify(response, null, 2);
  // A large output (a map, a long sequence) would make this a wall of numbers: cut, with the download above.
  pre.textContent = raw.length > MAX_JSON_CHARS ? `${raw.slice(0, MAX_JSON_CHARS)}\n… (${(raw.length - MAX_JSON_CHARS).toLocaleString('en')} more characters: download the output above)` : raw;
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
      if (first.length > MAX_LISTED_VALUES) return el('div', {}, shapeNote(tensor), summaryOf(name, tensor), batchNote);
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
    case 'picture':
      return renderPicture(name, tensor);
    case 'sequence': {
      const [, steps, classes] = tensor.shape;
      const { best, text } = ctcDecode(first.map(asNumber), steps, classes, names);
      const joined = text.every((t) => [...t].length === 1) ? text.join('') : text.join(' ');
      return el('div', {},
        el('p', { class: 'answer', 'data-testid': 'answer' }, joined || '(nothing)'),
        el('p', { class: 'note' }, `The best class at each of ${steps} steps, repeats merged and blanks dropped (greedy CTC).`),
        el('details', { class: 'raw' }, el('summary', {}, 'Best class at each step'),
          el('p', { class: 'hint mono', 'data-testid': 'sequence-steps' }, best.map((c) => className(names, c)).join(' · '))),
        batchNote);
    }
    default: {
      if (tensor.data.length > MAX_LISTED_VALUES) return el('div', {}, shapeNote(tensor), summaryOf(name, tensor));
      const text = JSON.stringify(tensor.data);
      const pre = el('pre', { class: 'mono' });
      pre.textContent = text.length > MAX_JSON_CHARS ? `${text.slice(0, MAX_JSON_CHARS)} …` : text;
      return el('div', {}, shapeNote(tensor), pre);
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

/** Beyond this many values an output is summarised, with the full data to download. */
const MAX_LISTED_VALUES = 64;

const shapeNote = (tensor: PredictedTensor) => el('p', { class: 'note' }, `${tensor.datatype}, shape [${tensor.shape.join(', ')}]`);

/** Shape, min / max / mean and the first values, and a link that saves every value as JSON. */
function summaryOf(name: string, tensor: PredictedTensor): HTMLElement {
  const s = summarise(tensor.data.map(asNumber));
  const url = URL.createObjectURL(new Blob([JSON.stringify({ name, datatype: tensor.datatype, shape: tensor.shape, data: tensor.data })], { type: 'application/json' }));
  return el('div', { class: 'array-summary', 'data-testid': 'array-summary' },
    el('p', {}, `${s.count.toLocaleString('en')} values · min ${formatNumber(s.min)} · max ${formatNumber(s.max)} · mean ${formatNumber(s.mean)}`),
    el('p', { class: 'hint mono' }, `first values: ${s.first.map(formatNumber).join(', ')}, …`),
    el('a', { href: url, download: `${name}.json`, class: 'button secondary', 'data-testid': 'download-output' }, 'Download all values (JSON)'));
}

/**
 * A mask or probability map as a picture (the first example). Laid over "what the model sees" when that picture has
 * the map's size, so a person sees where the model looked; on its own otherwise.
 */
function renderPicture(name: string, tensor: PredictedTensor): HTMLElement {
  const layout = pictureLayout(tensor.shape)!;
  const values = tensor.data.slice(0, layout.channels * layout.height * layout.width).map(asNumber);
  const seen = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-testid="image-preview"]'))
    .find((c) => c.width === layout.width && c.height === layout.height);
  const canvas = el('canvas', { width: layout.width, height: layout.height, class: 'model-view output-picture', 'data-testid': 'output-picture', role: 'img', 'aria-label': `${name} as a picture` });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    if (seen) ctx.drawImage(seen, 0, 0);
    const layer = new ImageData(mapToRgba(values, layout, seen !== undefined), layout.width, layout.height);
    if (seen) {
      const over = document.createElement('canvas');
      over.width = layout.width;
      over.height = layout.height;
      over.getContext('2d')?.putImageData(layer, 0, 0);
      ctx.drawImage(over, 0, 0);
    } else {
      ctx.putImageData(layer, 0, 0);
    }
  }
  const caption = seen
    ? (layout.channels === 1 ? 'Laid over what the model sees: the stronger the red, the higher the value.' : 'Laid over what the model sees: each colour is the channel that wins there.')
    : (layout.channels === 1 ? 'Bright is high, dark is low.' : 'Each colour is the channel that wins there.');
  return el('div', {},
    el('figure', { 'data-overlay': seen ? 'true' : 'false', 'data-testid': 'output-figure' }, canvas, el('figcaption', {}, `${layout.width} × ${layout.height}. ${caption}`)),
    summaryOf(name, tensor));
}

/** Class names to offer in "What should it have been?": the first output that has some. */
export function correctionChoices(card: ModelCard): string[] | undefined {
  for (const o of card.outputs) {
    const names = classNamesOf(card.hints, o.name);
    if (names && names.length > 0) return names;
  }
  return undefined;
}
