import type { FeedbackCard, PreviewSummary, RegressionRow } from '../../shared/webview-messages';

/** One review-set case as the sidebar lists it: how the reviewers judged it. */
export interface CaseRow {
  key: string;
  reviewSet: string;
  caseId: string;
  up: number;
  down: number;
  /** The majority rating's share, 0.5..1 (1: everyone agreed). */
  agreement: number;
  disagreement: boolean;
}

/**
 * Per-case agreement over the cards the view holds (the same rule as the server's `/api/stats` cases): disagreements
 * first — the cases the business has to settle — then the most thumbs-down, then by set and id.
 */
export function caseRows(cards: readonly FeedbackCard[]): CaseRow[] {
  const rows = new Map<string, CaseRow>();
  for (const c of cards) {
    if (c.caseId === undefined || c.reviewSet === undefined) continue;
    const key = `${c.previewId}\u0000${c.reviewSet}\u0000${c.caseId}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { key, reviewSet: c.reviewSet, caseId: c.caseId, up: 0, down: 0, agreement: 1, disagreement: false }));
    if (c.rating === 'up') row.up++;
    else row.down++;
  }
  for (const row of rows.values()) {
    row.agreement = Math.max(row.up, row.down) / (row.up + row.down);
    row.disagreement = row.up > 0 && row.down > 0;
  }
  return [...rows.values()].sort((a, b) => Number(b.disagreement) - Number(a.disagreement) || b.down - a.down
    || a.reviewSet.localeCompare(b.reviewSet) || a.caseId.localeCompare(b.caseId, undefined, { numeric: true }));
}

/** "Fixed now: 2 of 4 on iris@9e68…" for each preview whose regressions were replayed. */
export function fixedNowText(preview: PreviewSummary): string | undefined {
  const r = preview.regressions;
  if (!r) return undefined;
  const broke = r.broke > 0 ? `; ${r.broke} broke that were right before` : '';
  return `Fixed now: ${r.fixed} of ${r.total} corrected thumbs-down on ${preview.model}@${r.modelVersion}${broke}`;
}

/** A short version id for the table (the server's are 12 hex digits; anything longer is cut). */
const shortVersion = (v: string): string => (v.length > 12 ? `${v.slice(0, 12)}…` : v);

/** One row of the per-version "is it fixed now?" table: the version, "2 of 3", and each case that broke in words. */
export function regressionRowText(row: RegressionRow): { version: string; fixed: string; broke: string; broken: string[] } {
  return {
    version: shortVersion(row.modelVersion),
    fixed: `${row.fixed} of ${row.total}`,
    broke: row.broke === 0 ? 'none' : String(row.broke),
    broken: row.broken.map((b) => `${b.caseId ?? 'a thumbs-down'}: ${b.expected} on ${shortVersion(row.previousVersion)}, now ${b.predicted}`),
  };
}
