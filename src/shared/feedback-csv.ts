import { stringify } from 'csv-stringify/sync';
import type { FeedbackRecord } from './feedback-record';
import { terminalSafe } from './visible-text';

export const CSV_COLUMNS = [
  'id', 'ts', 'model', 'modelVersion', 'predictionId', 'rating', 'predicted', 'expected', 'reasons', 'comment', 'reviewer', 'reviewerVerified',
  'caseId', 'reviewSet', 'tags', 'userAgent',
] as const;

/** Lists (reasons, tags) are one cell, joined by "; " (a spreadsheet filters on "contains"). */
const LIST_SEPARATOR = '; ';

const cellOf = (value: unknown): string => (Array.isArray(value) ? value.join(LIST_SEPARATOR) : String(value ?? ''));

/**
 * A cell a spreadsheet would run as a formula (it starts with = + - @, or a tab or carriage return that some
 * spreadsheets skip) gets a leading apostrophe, the OWASP guard against CSV injection: it shows as text.
 */
export function guardCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * Feedback as CSV that opens correctly in a spreadsheet: UTF-8 with a BOM, RFC 4180 quoting, formula-guarded, and
 * control characters made visible (the file is also printed to terminals by `model-preview feedback --csv`).
 */
export function feedbackCsv(records: readonly FeedbackRecord[]): string {
  const rows = records.map((r) => CSV_COLUMNS.map((c) => guardCell(terminalSafe(cellOf(r[c])))));
  return stringify([[...CSV_COLUMNS], ...rows], { bom: true, record_delimiter: 'windows' });
}
