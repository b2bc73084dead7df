import * as path from 'node:path';
import { sameAnswer } from '../../shared/feedback';
import type { FeedbackRecord, StoredTensor } from '../../shared/feedback-record';
import type { ModelCard } from '../../shared/model-card';
import { predictedLabel } from '../../shared/predicted-label';
import type { RegressionReport } from '../../shared/regression';
import { JsonlAppendLog } from '../store/jsonl-append-log';
import { readJsonl } from '../store/jsonl-reader';

/** A thumbs-down with a correction, to replay on each new version. */
export interface RegressionCase {
  feedbackId: string;
  caseId?: string;
  expected: string;
  /** The V2 infer body of its inputs, made once. */
  body: Uint8Array;
}

/** Runs one V2 inference on the version served now (the worker pool); resolves with its status and answer. */
export type Infer = (body: Uint8Array) => Promise<{ status: number; body: string | Uint8Array }>;

/** Cases in flight at once: enough to keep every worker busy, well under the pool's queue bound. */
const CONCURRENCY = 32;

/**
 * The regression cases among the feedback: every thumbs-down that names the right answer and whose inputs are stored
 * inline (a tensor moved to a blob, such as an image, is not replayed).
 */
export function regressionCases(records: readonly FeedbackRecord[]): RegressionCase[] {
  const cases: RegressionCase[] = [];
  for (const r of records) {
    if (r.rating !== 'down' || !r.expected) continue;
    const inputs = Object.entries(r.inputs);
    if (!inputs.every(([, t]) => 'data' in t)) continue;
    const body = JSON.stringify({ inputs: inputs.map(([name, t]) => ({ name, datatype: t.datatype, shape: t.shape, data: (t as Extract<StoredTensor, { data: unknown }>).data })) });
    cases.push({ feedbackId: r.id, ...(r.caseId !== undefined ? { caseId: r.caseId } : {}), expected: r.expected, body: Buffer.from(body) });
  }
  return cases;
}

/** The top answer of a V2 infer answer, named as the page names it. */
function answerOf(body: string | Uint8Array, card: ModelCard): string | undefined {
  const answer = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as { outputs?: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }> };
  const outputs: Record<string, StoredTensor> = {};
  for (const o of answer.outputs ?? []) outputs[o.name] = { datatype: o.datatype, shape: o.shape, data: o.data };
  return predictedLabel(outputs, card);
}

/**
 * "Is it fixed now?" for one preview: replays the regression cases on each newly loaded version and keeps a report
 * per version in memory and in `regressions.jsonl` (the notebook reads it). A case "broke" when the previous version's
 * replay gave the corrected answer and this one does not.
 */
export class RegressionReplay {
  private readonly reports: RegressionReport[] = [];
  /** The answers of the last replay, by feedback id, for "broke". */
  private lastAnswers = new Map<string, string>();
  private readonly log: JsonlAppendLog;

  private constructor(private readonly file: string) {
    this.log = new JsonlAppendLog(file, { fsync: false });
  }

  static async open(dataDir: string, warn: (message: string) => void): Promise<RegressionReplay> {
    const replay = new RegressionReplay(path.join(dataDir, 'regressions.jsonl'));
    replay.reports.push(...await readJsonl<RegressionReport>(replay.file, warn));
    return replay;
  }

  all(): readonly RegressionReport[] {
    return this.reports;
  }

  /** Replays `cases` on the version `card` describes (served now). */
  async replay(cases: readonly RegressionCase[], infer: Infer, card: ModelCard, previousVersion: string): Promise<RegressionReport> {
    const started = performance.now();
    const answers = new Map<string, string>();
    let fixed = 0;
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const result = await infer(c.body).catch(() => undefined);
        const answer = result?.status === 200 ? answerOf(result.body, card) : undefined;
        if (answer === undefined) {
          failed++;
          continue;
        }
        answers.set(c.feedbackId, answer);
        if (sameAnswer(answer, c.expected)) fixed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, cases.length) }, worker));
    const broke = cases.flatMap((c) => {
      const before = this.lastAnswers.get(c.feedbackId);
      const now = answers.get(c.feedbackId);
      if (before === undefined || now === undefined || !sameAnswer(before, c.expected) || sameAnswer(now, c.expected)) return [];
      return [{ feedbackId: c.feedbackId, ...(c.caseId !== undefined ? { caseId: c.caseId } : {}), expected: c.expected, predicted: now, previousPredicted: before }];
    });
    this.lastAnswers = answers;
    const report: RegressionReport = {
      model: card.name, modelVersion: card.version, previousVersion, ts: new Date().toISOString(),
      total: cases.length, fixed, stillWrong: cases.length - fixed - failed, failed, broke, durationMs: Math.round(performance.now() - started),
    };
    this.reports.push(report);
    await this.log.append(report);
    return report;
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
