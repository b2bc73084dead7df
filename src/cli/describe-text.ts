import type { ModelDescription } from '../shared/model-card';
import { formatShape } from '../core/inference/codec';
import { formatBytes, terminalSafe } from '../shared/visible-text';

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => indent + r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('   '));
}

/** The human-readable summary of a model, shared by `inspect` and `serve`. */
export function describeModelText(d: ModelDescription, options: { full: boolean }): string[] {
  const lines = [`${terminalSafe(d.name)}  version ${d.version}  (${formatBytes(d.fileSize)})`];
  const tensorRows = (specs: ModelDescription['inputs']) => specs.map((s) => [terminalSafe(s.name), s.datatype, terminalSafe(formatShape(s.shape))]);
  // One table for inputs and outputs so their columns line up.
  const rows = table([...tensorRows(d.inputs), ...tensorRows(d.outputs)]);
  lines.push('inputs', ...rows.slice(0, d.inputs.length), 'outputs', ...rows.slice(d.inputs.length));
  if (d.nonTensorOutputs.length > 0) {
    lines.push('not served', ...d.nonTensorOutputs.map((o) => `  ${terminalSafe(o.note)}`));
  }
  if (!options.full) return lines;
  lines.push(`file       ${terminalSafe(d.file)}`, `sha256     ${d.sha256}`);
  const producer = d.producer ? `${terminalSafe(d.producer.name)} ${terminalSafe(d.producer.version)}`.trim() : 'unknown';
  lines.push(`producer   ${producer}`);
  lines.push(`format     IR ${d.irVersion ?? '?'}, opsets ${d.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}`);
  if (d.docString) lines.push(`doc        ${terminalSafe(d.docString)}`);
  const props = Object.entries(d.metadataProps);
  if (props.length > 0) lines.push('metadata', ...table(props.map(([k, v]) => [terminalSafe(k), terminalSafe(v)])));
  return lines;
}
