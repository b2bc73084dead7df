import { parse as parseCsv } from 'csv-parse/sync';
import { CASE_TEXT_INPUT, REVIEW_LIMITS, type ReviewCase } from '../../shared/review-set';
import type { ModelCard } from '../../shared/model-card';
import { parseJson } from '../../shared/json-lines';
import { withoutBom } from '../../shared/without-bom';
import type { TensorSpec } from '../../shared/v2';
import { decodeTensor, TensorInputError } from '../inference/codec';

/** A review file that cannot be used: the message names the line or row and what to change. Nothing of it is stored. */
export class ReviewFileError extends Error {
  override readonly name = 'ReviewFileError';
}

/** What a review file's inputs must fit: the model's input names, and with the model at hand their datatypes and shapes. */
export interface ReviewSignature {
  inputs: string[];
  /** For a model that reads text through its tokenizer: the token inputs a case's `"text"` fills in their place. */
  textFills?: string[];
  /**
   * The model's inputs as /api/predict checks them: each case's data is decoded as a prediction of it would be, so a
   * case the model cannot answer (a wrong length, text for numbers) is refused when the set is added, not shown to a
   * reviewer as an error. Absent when no model is at hand (`review add` with no preview running): `serve` checks then.
   */
  specs?: TensorSpec[];
}

/** The signature of a served model: its inputs, and for a text model the token inputs its tokenizer fills. */
export function reviewSignatureOf(card: Pick<ModelCard, 'inputs' | 'text'>): ReviewSignature {
  const inputs = card.inputs.map((i) => i.name);
  const fills = card.text ? [card.text.inputs.ids, card.text.inputs.attentionMask, card.text.inputs.tokenTypeIds].filter((n): n is string => n !== undefined) : [];
  return { inputs, specs: card.inputs, ...(fills.length > 0 && !inputs.includes(CASE_TEXT_INPUT) ? { textFills: fills } : {}) };
}


/** The names a case may give: the model's inputs, and `"text"` for a text model. */
const acceptedInputs = (signature: ReviewSignature): string[] => (signature.textFills ? [...signature.inputs, CASE_TEXT_INPUT] : signature.inputs);

const CASE_FIELDS = new Set(['id', 'inputs', 'expected', 'tags']);
/** A spreadsheet would run a cell starting with one of these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A review file's size in bytes against the limit (before reading it, where it can be known first). */
export function checkReviewFileSize(bytes: number): void {
  if (bytes > REVIEW_LIMITS.bytes) throw new ReviewFileError(`the file is larger than ${REVIEW_LIMITS.bytes / 1024 / 1024} MB; split it into several review sets`);
}

/** The cases of a review file (JSON Lines or CSV), checked whole: the first problem throws a ReviewFileError. */
export function parseReviewFile(text: string, format: 'jsonl' | 'csv', signature: ReviewSignature): ReviewCase[] {
  checkReviewFileSize(Buffer.byteLength(text));
  const cases = format === 'csv' ? fromCsv(withoutBom(text), signature) : fromJsonl(withoutBom(text), signature);
  if (cases.length === 0) throw new ReviewFileError('the file holds no cases');
  if (cases.length > REVIEW_LIMITS.cases) throw new ReviewFileError(`the file holds ${cases.length} cases; at most ${REVIEW_LIMITS.cases} fit in one review set`);
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) throw new ReviewFileError(`case id ${JSON.stringify(c.id)} is used twice; give each case its own id`);
    seen.add(c.id);
  }
  return cases;
}

/** A case's inputs against the model: its input names, and with `signature.specs` the data as /api/predict decodes it. */
export function checkCaseInputs(inputs: Record<string, unknown>, signature: ReviewSignature, where: string): void {
  const accepted = acceptedInputs(signature);
  const unknown = Object.keys(inputs).filter((n) => !accepted.includes(n));
  if (unknown.length > 0) throw new ReviewFileError(`${where}: the model has no input ${unknown.map((n) => JSON.stringify(n)).join(', ')} (its inputs: ${accepted.join(', ')})`);
  const fills = signature.textFills ?? [];
  const textual = fills.length > 0 && CASE_TEXT_INPUT in inputs;
  if (textual) {
    const text = inputs[CASE_TEXT_INPUT];
    if (typeof text !== 'string' || text.trim() === '') throw new ReviewFileError(`${where}: "${CASE_TEXT_INPUT}" must be the text the model reads, as a non-empty string`);
    const both = fills.filter((n) => n in inputs);
    if (both.length > 0) throw new ReviewFileError(`${where}: give "${CASE_TEXT_INPUT}" or the token inputs (${both.join(', ')}), not both: the tokenizer fills them from the text`);
  }
  const missing = signature.inputs.filter((n) => !(n in inputs) && !(textual && fills.includes(n)));
  if (missing.length > 0) {
    const hint = fills.length > 0 && missing.some((n) => fills.includes(n)) ? ` (this model reads text: give {"${CASE_TEXT_INPUT}": "..."} in place of its token inputs)` : '';
    throw new ReviewFileError(`${where}: input ${missing.map((n) => JSON.stringify(n)).join(', ')} is missing${hint}`);
  }
  for (const spec of signature.specs ?? []) {
    if (!(spec.name in inputs)) continue; // filled from the case's text by the tokenizer
    try {
      decodeTensor(spec, { data: inputs[spec.name] });
    } catch (err) {
      if (err instanceof TensorInputError) throw new ReviewFileError(`${where}: ${err.message} (a case's inputs are what /api/predict takes)`);
      throw err;
    }
  }
}

function checkTags(tags: unknown, where: string): string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '' && t.length <= REVIEW_LIMITS.tagLength) || tags.length > REVIEW_LIMITS.tags) {
    throw new ReviewFileError(`${where}: tags must be a list of at most ${REVIEW_LIMITS.tags} texts of 1 to ${REVIEW_LIMITS.tagLength} characters`);
  }
  return tags as string[];
}

function checkId(id: unknown, fallback: number, where: string): string {
  if (id === undefined || id === '') return String(fallback);
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id).length > REVIEW_LIMITS.idLength) {
    throw new ReviewFileError(`${where}: id must be a text of at most ${REVIEW_LIMITS.idLength} characters`);
  }
  return String(id);
}

function fromJsonl(text: string, signature: ReviewSignature): ReviewCase[] {
  const cases: ReviewCase[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    const value = parseJson(line) as Record<string, unknown> | undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReviewFileError(`${where}: not a JSON object like {"inputs": {...}}`);
    const unknown = Object.keys(value).filter((k) => !CASE_FIELDS.has(k));
    if (unknown.length > 0) throw new ReviewFileError(`${where}: unknown field(s) ${unknown.join(', ')} (a case has id, inputs, expected and tags)`);
    const inputs = value.inputs as Record<string, unknown> | undefined;
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) throw new ReviewFileError(`${where}: "inputs" must be an object of input name to data`);
    checkCaseInputs(inputs, signature, where);
    if (value.expected !== undefined && typeof value.expected !== 'string' && typeof value.expected !== 'number') {
      throw new ReviewFileError(`${where}: expected must be a text or a number`);
    }
    const tags = checkTags(value.tags, where);
    cases.push({
      id: checkId(value.id, cases.length + 1, where), inputs,
      ...(value.expected !== undefined ? { expected: String(value.expected) } : {}), ...(tags ? { tags } : {}),
    });
  });
  return cases;
}

/** A CSV cell as data: a number when it reads as one, JSON when it is an array or object, else text. */
function cellValue(cell: string, where: string): unknown {
  const trimmed = cell.trim();
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (/^[[{]/.test(trimmed)) {
    const value = parseJson(trimmed);
    if (value === undefined) throw new ReviewFileError(`${where}: ${JSON.stringify(trimmed.slice(0, 40))} is not valid JSON`);
    return value;
  }
  if (FORMULA_START.test(cell)) throw formulaError(cell, where);
  return cell;
}

function textCell(cell: string, where: string): string {
  if (FORMULA_START.test(cell)) throw formulaError(cell, where);
  return cell;
}

const formulaError = (cell: string, where: string) =>
  new ReviewFileError(`${where}: the cell starts with ${JSON.stringify(cell[0])}, as a spreadsheet formula does (${JSON.stringify(cell.slice(0, 40))}); write the value itself, not a formula`);

/**
 * CSV: a header row, then one case per row. Columns: an input's name (the cell holds its data: a number, a text or
 * JSON), or `<input>[<i>]` for element i of a vector input; and optionally `id`, `expected` and `tags` (separated by
 * `;`). Any other column is refused.
 */
function fromCsv(text: string, signature: ReviewSignature): ReviewCase[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: false, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new ReviewFileError(`not valid CSV: ${(err as Error).message}`);
  }
  const [header, ...body] = rows;
  if (!header) throw new ReviewFileError('the file holds no cases');
  const columns = header.map((name, i) => {
    const element = /^(.+)\[(\d+)\]$/.exec(name);
    const input = element ? element[1] : name;
    if (['id', 'expected', 'tags'].includes(name)) return { name, kind: name as 'id' | 'expected' | 'tags' };
    if (acceptedInputs(signature).includes(input)) return { name, kind: 'input' as const, input, index: element ? Number(element[2]) : undefined };
    throw new ReviewFileError(`column ${i + 1} ${JSON.stringify(name)}: not an input of the model (its inputs: ${acceptedInputs(signature).join(', ')}), nor id, expected or tags`);
  });
  return body.map((row, r) => {
    const where = `row ${r + 2}`;
    const inputs: Record<string, unknown> = {};
    let id: string | undefined;
    let expected: string | undefined;
    let tags: string[] | undefined;
    row.forEach((cell, c) => {
      const column = columns[c];
      const at = `${where}, column ${JSON.stringify(column.name)}`;
      if (column.kind === 'input') {
        // A text model's text is words, also when they read as a number ("42") or start like JSON.
        const value = signature.textFills && column.input === CASE_TEXT_INPUT ? textCell(cell, at) : cellValue(cell, at);
        if (column.index === undefined) inputs[column.input] = value;
        else ((inputs[column.input] ??= []) as unknown[])[column.index] = value;
        return;
      }
      if (FORMULA_START.test(cell) && !(column.kind === 'expected' && Number.isFinite(Number(cell)))) throw formulaError(cell, at);
      if (column.kind === 'id') id = cell;
      else if (column.kind === 'expected') expected = cell === '' ? undefined : cell;
      else tags = cell === '' ? undefined : cell.split(';').map((t) => t.trim()).filter((t) => t !== '');
    });
    for (const [name, value] of Object.entries(inputs)) {
      if (!Array.isArray(value)) continue;
      for (let i = 0; i < value.length; i++) if (!(i in value)) throw new ReviewFileError(`${where}: input "${name}" has no column ${name}[${i}]`);
    }
    checkCaseInputs(inputs, signature, where);
    return { id: checkId(id, r + 1, where), inputs, ...(expected !== undefined ? { expected } : {}), ...(checkTags(tags, where) ? { tags } : {}) };
  });
}
