import type { Table } from './case';

/** A plain-text table with aligned columns: numbers right-aligned, text left-aligned. */
export function formatTable(rows: Table, indent = '  '): string {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  const numeric = (c: string) => /^-?[\d.]+%?$/.test(c) || c === '-' || c === 'n/a';
  const line = (r: string[]) => indent + r.map((c, i) => (numeric(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const [head, ...body] = rows;
  return [line(head), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
