import type { ModelDescription } from '../shared/model-card';
import { factTargetText, factValueText, FACT_TIERS, type ModelFact } from '../shared/model-facts';
import { formatShape } from '../core/inference/codec';
import { formatBytes, terminalSafe } from '../shared/visible-text';
import { hfFolderLines } from '../shared/hf-folder-text';

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
  if (d.adaptations?.length) lines.push('served as', ...d.adaptations.map((a) => `  ${terminalSafe(a)}`));
  if (d.folder) lines.push(`folder     ${d.folder.files.join(', ') || 'nothing usable'} (Hugging Face export files, in the version)`, ...hfFolderLines(d).map((l) => `  ${terminalSafe(l)}`));
  if (!options.full) return lines;
  lines.push(`file       ${terminalSafe(d.file)}`, `sha256     ${d.sha256}`);
  for (const data of d.externalData ?? []) lines.push(`data       ${terminalSafe(data.location)} (${formatBytes(data.size)}, external data, in the version)`);
  const producer = d.producer ? `${terminalSafe(d.producer.name)} ${terminalSafe(d.producer.version)}`.trim() : 'unknown';
  lines.push(`producer   ${producer}`);
  lines.push(`format     IR ${d.irVersion ?? '?'}, opsets ${d.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}`);
  if (d.docString) lines.push(`doc        ${terminalSafe(d.docString)}`);
  const props = Object.entries(d.metadataProps);
  if (props.length > 0) lines.push('metadata', ...table(props.map(([k, v]) => [terminalSafe(k), terminalSafe(v)])));
  return lines;
}

/**
 * What the page shows for the model and where each came from, most trusted first: the sidecar, the model's metadata,
 * its graph, guesses. Without any, says how to add them.
 */
export function labelsText(facts: readonly ModelFact[]): string[] {
  const hint = 'labels     none for the inputs and outputs: the page uses their names (`model-preview init-page` writes a sidecar to fill in)';
  if (facts.length === 0) return [hint];
  const ordered = [...facts].sort((a, b) => FACT_TIERS.indexOf(a.tier) - FACT_TIERS.indexOf(b.tier));
  return ['labels (what the page shows, and where it came from)',
    ...table(ordered.map((f) => [terminalSafe(factTargetText(f)), f.property, terminalSafe(factValueText(f)), `${f.tier}: ${terminalSafe(f.from)}`])),
    ...(facts.every((f) => f.target === 'model') ? [hint] : [])];
}
