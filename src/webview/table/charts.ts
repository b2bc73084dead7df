import { scaleBand, scaleLinear, scaleUtc } from 'd3-scale';
import { line, stack } from 'd3-shape';
import { el, replaceChildren } from '../../browser/dom';
import { DAY, WEEK, type ChartData } from '../logic/table-columns';

/**
 * The feedback table's two charts, plain SVG: the share of thumbs up per version over time (lines), and the reasons
 * given with thumbs-down per version (stacked bars). d3-scale and d3-shape compute positions and paths; the elements
 * are made here with createElementNS and attributes, never markup or `style`, so the webview's CSP (no inline style)
 * holds. Colours are classes (c0…c7) the stylesheet maps to the theme's --vscode-charts-* colours; every mark has a
 * <title> (a native tooltip) and each chart a text legend.
 */
const NS = 'http://www.w3.org/2000/svg';
const W = 560;
const H = 220;
const M = { top: 12, right: 12, bottom: 28, left: 40 };
const COLOURS = 8;

function svgEl<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

function titled<T extends SVGElement>(node: T, text: string): T {
  svgEl('title', {}, node).textContent = text;
  return node;
}

function chartSvg(label: string): SVGSVGElement {
  return svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart-svg' });
}

/** About how wide a tick label of 11px text is (the chart is drawn without measuring text: no layout while drawing). */
const labelWidth = (text: string): number => text.length * 6.5;

/**
 * An x-axis label centred under `x`, unless centring would cut it at the chart's edge: then it is aligned to that edge
 * (the last date on the up-share axis was cut in half).
 */
function xLabel(parent: Element, x: number, text: string): void {
  const half = labelWidth(text) / 2;
  const anchor = x + half > W ? 'end' : x - half < 0 ? 'start' : 'middle';
  const at = anchor === 'end' ? W - 1 : anchor === 'start' ? 1 : x;
  const node = svgEl('text', { x: at, y: H - 8, class: 'xtick', 'text-anchor': anchor }, parent);
  node.textContent = text;
}

function legend(entries: Array<{ label: string; colour: number }>): HTMLElement {
  return el('ul', { class: 'legend' }, ...entries.map((e) => el('li', {}, el('span', { class: `swatch c${e.colour % COLOURS}`, 'aria-hidden': 'true' }), el('span', { dir: 'auto' }, e.label))));
}

export function upShareChart({ bucket, series }: ChartData): HTMLElement {
  const svg = chartSvg('Share of thumbs up per version over time');
  const times = series.flatMap((s) => s.points.map((p) => p.t));
  if (times.length === 0) return el('figure', { class: 'chart', 'data-testid': 'chart-up-share' }, el('figcaption', {}, 'Share of thumbs up per version'), el('p', { class: 'muted' }, 'No feedback to chart.'));
  const from = Math.min(...times);
  const to = Math.max(...times, from + bucket);
  const x = scaleUtc([new Date(from), new Date(to)], [M.left, W - M.right]);
  const y = scaleLinear([0, 1], [H - M.bottom, M.top]);
  const axes = svgEl('g', { class: 'axes' }, svg);
  for (const tick of y.ticks(5)) {
    svgEl('line', { x1: M.left, x2: W - M.right, y1: y(tick), y2: y(tick), class: 'grid' }, axes);
    svgEl('text', { x: M.left - 6, y: y(tick), class: 'ytick' }, axes).textContent = `${Math.round(tick * 100)}%`;
  }
  const format = x.tickFormat(6);
  for (const tick of x.ticks(6)) xLabel(axes, x(tick), format(tick));
  const path = line<{ t: number; share: number }>().x((d) => x(new Date(d.t))).y((d) => y(d.share));
  series.forEach((s, k) => {
    const g = svgEl('g', { class: `series-group c${k % COLOURS}`, 'data-version': s.label }, svg);
    titled(svgEl('path', { d: path(s.points) ?? '', class: 'series' }, g), s.label);
    for (const p of s.points) {
      titled(svgEl('circle', { cx: x(new Date(p.t)), cy: y(p.share), r: 3, class: 'dot' }, g),
        `${s.label} · ${bucket === WEEK ? 'week of ' : ''}${new Date(p.t).toISOString().slice(0, bucket < DAY ? 13 : 10).replace('T', ' ')}: ${Math.round(p.share * 100)}% up of ${p.count}`);
    }
  });
  return el('figure', { class: 'chart', 'data-testid': 'chart-up-share' },
    el('figcaption', {}, `Share of thumbs up per version, per ${bucket < DAY ? 'hour' : bucket < WEEK ? 'day' : 'week (from Monday)'} (UTC)`), svg, legend(series.map((s, k) => ({ label: s.label, colour: k }))));
}

export function reasonsChart({ reasons: { versions, reasons, counts } }: ChartData): HTMLElement {
  const svg = chartSvg('Reasons given with thumbs-down, per version');
  if (versions.length === 0) return el('figure', { class: 'chart', 'data-testid': 'chart-reasons' }, el('figcaption', {}, 'What is wrong, per version'), el('p', { class: 'muted' }, 'No thumbs-down to chart.'));
  const layers = stack<Record<string, number>>().keys(reasons)(counts);
  const x = scaleBand(versions.map((v) => v.key), [M.left, W - M.right]).padding(0.3);
  const top = Math.max(1, ...layers.flatMap((layer) => layer.map((d) => d[1])));
  const y = scaleLinear([0, top], [H - M.bottom, M.top]).nice();
  const axes = svgEl('g', { class: 'axes' }, svg);
  for (const tick of y.ticks(5).filter(Number.isInteger)) {
    svgEl('line', { x1: M.left, x2: W - M.right, y1: y(tick), y2: y(tick), class: 'grid' }, axes);
    svgEl('text', { x: M.left - 6, y: y(tick), class: 'ytick' }, axes).textContent = String(tick);
  }
  versions.forEach((v) => {
    xLabel(axes, (x(v.key) ?? 0) + x.bandwidth() / 2, v.label);
  });
  layers.forEach((layer, j) => {
    const g = svgEl('g', { class: `bar-group c${j % COLOURS}` }, svg);
    layer.forEach((d, i) => {
      if (d[1] - d[0] <= 0) return;
      titled(svgEl('rect', { x: x(versions[i].key) ?? 0, y: y(d[1]), width: x.bandwidth(), height: y(d[0]) - y(d[1]), class: 'bar' }, g),
        `${versions[i].label} · ${reasons[j]}: ${d[1] - d[0]}`);
    });
  });
  return el('figure', { class: 'chart', 'data-testid': 'chart-reasons' },
    el('figcaption', {}, 'What is wrong: reasons given with thumbs down, per version'), svg, legend(reasons.map((r, j) => ({ label: r, colour: j }))));
}

/** Both charts of `data` (chartData: their versions in one order), replacing what `root` showed. */
export function renderCharts(root: HTMLElement, data: ChartData): void {
  replaceChildren(root, upShareChart(data), reasonsChart(data));
}
