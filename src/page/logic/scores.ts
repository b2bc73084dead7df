/**
 * Class scores as a person reads them: probabilities, best first.
 *
 * The softmax rule. A row of scores (one example's scores, the last dimension of the output) is shown as is when it
 * already is a probability distribution: every value is a finite number in [0, 1] AND the row sums to 1 within
 * PROBABILITY_SUM_TOLERANCE (1e-3, which absorbs float32 rounding). Anything else — logits, log-probabilities, SVM
 * margins, one-vs-rest sigmoid outputs whose sum is not 1 — gets a softmax over the row first. The rule is applied per
 * row, so a batch can mix both cases (it never does in practice).
 */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

export function isProbabilityRow(row: readonly number[]): boolean {
  if (row.length === 0) return false;
  let sum = 0;
  for (const v of row) {
    if (!Number.isFinite(v) || v < 0 || v > 1) return false;
    sum += v;
  }
  return Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE;
}

/** Numerically stable softmax: exp(v - max) / sum. A NaN anywhere makes the whole row NaN (shown as "—"). */
export function softmax(row: readonly number[]): number[] {
  if (row.length === 0) return [];
  const max = Math.max(...row);
  if (max === Infinity) {
    // exp(inf - inf) is NaN: the +Infinity entries share all the probability.
    const top = row.filter((v) => v === Infinity).length;
    return row.map((v) => (v === Infinity ? 1 / top : 0));
  }
  const exps = row.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export interface Probabilities {
  probabilities: number[];
  /** True when the row was not a distribution and softmax was applied (the page says so under the bars). */
  softmaxApplied: boolean;
}

export function toProbabilities(row: readonly number[]): Probabilities {
  return isProbabilityRow(row)
    ? { probabilities: [...row], softmaxApplied: false }
    : { probabilities: softmax(row), softmaxApplied: true };
}

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Probabilities as the model's export says to compute them (a Hugging Face `problem_type`): `sigmoid` scores each
 * class on its own (a multi-label model: several can be likely at once); otherwise the softmax rule above.
 */
export function scoresToProbabilities(row: readonly number[], activation: 'softmax' | 'sigmoid' | undefined): Probabilities & { sigmoidApplied: boolean } {
  if (activation === 'sigmoid') return { probabilities: row.map(sigmoid), softmaxApplied: false, sigmoidApplied: true };
  return { ...toProbabilities(row), sigmoidApplied: false };
}

export interface RankedClass {
  index: number;
  probability: number;
}

/** The k most probable classes, best first; ties keep the lower class index first; NaN sorts last. */
export function topK(probabilities: readonly number[], k: number): RankedClass[] {
  const key = (p: number) => (Number.isNaN(p) ? -Infinity : p);
  return probabilities
    .map((probability, index) => ({ index, probability }))
    .sort((a, b) => key(b.probability) - key(a.probability) || a.index - b.index)
    .slice(0, Math.max(0, k));
}

/** "97.3%"; "<0.1%" for a tiny but non-zero share; "—" when not a number. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '—';
  const pct = p * 100;
  if (pct > 0 && pct < 0.05) return '<0.1%';
  return `${pct.toFixed(1)}%`;
}
