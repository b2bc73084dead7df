import * as path from 'node:path';
import { sameAnswer } from '../../shared/feedback';
import type { FeedbackRecord, StoredTensor } from '../../shared/feedback-record';
import type { ModelCard } from '../../shared/model-card';
import { predictedLabel } from '../../shared/predicted-label';
import type { RegressionReport } from '../../shared/regression';
import { BlobStore } from '../store/blob-store';
import { JsonlAppendLog } from '../store/jsonl-append-log';
import { readJsonl } from '../store/jsonl-reader';

/** A thumbs-down with a correction, to replay on each new version. */
export interface RegressionCase {
  feedbackId: string;
  /** The review-set case it was given on, if any. */
  caseId?: string;
  reviewSet?: string;
  expected: string;
  /** The version the thumbs-down was given on, and the answer it gave then: that version's own answer to the case. */
  givenOn: string;
  givenAnswer?: string;
  /** The V2 infer body of its inputs, made once. */
  body: Uint8Array;
}

/**
 * One line of `regressions.jsonl`: the report, and what each case answered on that version (by feedback id). The
 * answers are what the next version's "broke" is judged against, also after a restart; `GET /api/regressions` leaves
 * them out.
 */
export interface StoredRegressionReport extends RegressionReport {
  answers?: Record<string, string>;
}

/** Runs one V2 inference on the version served now (the worker pool); resolves with its status and answer. */
export type Infer = (body: Uint8Array) => Promise<{ status: number; body: string | Uint8Array }>;

/** Cases in flight at once: enough to keep every worker busy, well under the pool's queue bound. */
const CONCURRENCY = 32;

/**
 * The regression cases among the feedback: every thumbs-down that names the right answer. Inputs stored as blobs (an
 * image, a sound) are read back from the data folder; a case whose blob is gone is left out, with a warning.
 */
export async function regressionCases(records: readonly FeedbackRecord[], blobs: BlobStore, warn: (message: string) => void): Promise<RegressionCase[]> {
  const cases: RegressionCase[] = [];
  for (const r of records) {
    if (r.rating !== 'down' || !r.expected) continue;
    const inputs: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }> = [];
    try {
      for (const [name, t] of Object.entries(r.inputs)) {
        inputs.push({ name, datatype: t.datatype, shape: t.shape, data: 'data' in t ? t.data : await blobs.read(t.blob) });
      }
    } catch (err) {
      warn(`the thumbs-down ${r.id} is not replayed: ${(err as Error).message}`);
      continue;
    }
    cases.push({
      feedbackId: r.id, ...(r.caseId !== undefined ? { caseId: r.caseId } : {}), ...(r.reviewSet !== undefined ? { reviewSet: r.reviewSet } : {}), expected: r.expected,
      givenOn: r.modelVersion, ...(r.predicted !== undefined ? { givenAnswer: r.predicted } : {}),
      body: Buffer.from(JSON.stringify({ inputs })),
    });
  }
  return cases;
}

/** The top answer of a V2 infer answer, named as the page names it; undefined when another version answered. */
function answerOf(body: string | Uint8Array, card: ModelCard): string | undefined {
  const answer = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as {
    model_version?: string; outputs?: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }>;
  };
  // A reload may swap the model while a replay runs: an answer is only this version's when it says so.
  if (answer.model_version !== undefined && answer.model_version !== card.version) return undefined;
  const outputs: Record<string, StoredTensor> = {};
  for (const o of answer.outputs ?? []) outputs[o.name] = { datatype: o.datatype, shape: o.shape, data: o.data };
  return predictedLabel(outputs, card);
}

/**
 * "Is it fixed now?" for one preview: replays the regression cases on each newly loaded version and keeps a report
 * per version in memory and in `regressions.jsonl` (the notebook reads it). A case "broke" when the previous version
 * gave the corrected answer and this one does not. What the previous version answered comes from its replay (stored,
 * so it holds across restarts), from a replay at start when nothing is stored for it, or from the thumbs-down itself
 * when it was given on that version.
 */
export class RegressionReplay {
  private readonly reports: StoredRegressionReport[] = [];
  /** Answers of replays that made no report (on the version found served at start), by version. */
  private readonly baselines = new Map<string, Map<string, string>>();
  private readonly log: JsonlAppendLog;
  readonly blobs: BlobStore;

  private constructor(private readonly file: string, dataDir: string) {
    this.log = new JsonlAppendLog(file, { fsync: false });
    this.blobs = new BlobStore(dataDir);
  }

  static async open(dataDir: string, warn: (message: string) => void): Promise<RegressionReplay> {
    const replay = new RegressionReplay(path.join(dataDir, 'regressions.jsonl'), dataDir);
    replay.reports.push(...await readJsonl<StoredRegressionReport>(replay.file, warn));
    return replay;
  }

  /** The reports, oldest first, without the per-case answers. */
  all(): RegressionReport[] {
    return this.reports.map(({ answers: _answers, ...report }) => report);
  }

  /**
   * The version served last before this run: the newer of the last replay's version and the newest prediction's
   * (every feedback follows a prediction; a page left open on an older version still predicts with the one served).
   */
  lastServedVersion(newestPrediction: { ts: string; modelVersion: string } | undefined): string | undefined {
    const last = this.reports[this.reports.length - 1];
    if (!last) return newestPrediction?.modelVersion;
    return newestPrediction && newestPrediction.ts > last.ts ? newestPrediction.modelVersion : last.modelVersion;
  }

  /** What each case is known to answer on `version`, by feedback id. */
  answersOn(version: string, cases: readonly RegressionCase[]): Map<string, string> {
    const known = new Map<string, string>();
    for (const c of cases) if (c.givenOn === version && c.givenAnswer !== undefined) known.set(c.feedbackId, c.givenAnswer);
    for (const report of this.reports) {
      if (report.modelVersion !== version || !report.answers) continue;
      for (const [id, answer] of Object.entries(report.answers)) known.set(id, answer);
    }
    for (const [id, answer] of this.baselines.get(version) ?? []) known.set(id, answer);
    return known;
  }

  /** Replays `cases` on the version `card` describes (served now) and stores the report. */
  async replay(cases: readonly RegressionCase[], infer: Infer, card: ModelCard, previousVersion: string): Promise<RegressionReport> {
    const started = performance.now();
    const before = this.answersOn(previousVersion, cases);
    const { answers, fixed, failed } = await run(cases, infer, card);
    const broke = cases.flatMap((c) => {
      const was = before.get(c.feedbackId);
      const now = answers.get(c.feedbackId);
      if (was === undefined || now === undefined || !sameAnswer(was, c.expected) || sameAnswer(now, c.expected)) return [];
      return [{ feedbackId: c.feedbackId, ...(c.caseId !== undefined ? { caseId: c.caseId } : {}), ...(c.reviewSet !== undefined ? { reviewSet: c.reviewSet } : {}), expected: c.expected, predicted: now, previousPredicted: was }];
    });
    const report: RegressionReport = {
      model: card.name, modelVersion: card.version, previousVersion, ts: new Date().toISOString(),
      total: cases.length, fixed, stillWrong: cases.length - fixed - failed, failed, broke, durationMs: Math.round(performance.now() - started),
    };
    this.reports.push({ ...report, answers: Object.fromEntries(answers) });
    await this.log.append(this.reports[this.reports.length - 1]);
    return report;
  }

  /**
   * The answers of the version served now for the cases nothing says it answered yet (it was served before this run
   * but never replayed on): kept in memory as the baseline the next version's "broke" is judged against. No report.
   */
  async baseline(cases: readonly RegressionCase[], infer: Infer, card: ModelCard): Promise<number> {
    const known = this.answersOn(card.version, cases);
    const missing = cases.filter((c) => !known.has(c.feedbackId));
    if (missing.length === 0) return 0;
    const { answers } = await run(missing, infer, card);
    const kept = this.baselines.get(card.version) ?? new Map<string, string>();
    for (const [id, answer] of answers) kept.set(id, answer);
    this.baselines.set(card.version, kept);
    return missing.length;
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

/** Each case's answer on the version `card` describes, `CONCURRENCY` at a time; cases it could not answer are failed. */
async function run(cases: readonly RegressionCase[], infer: Infer, card: ModelCard): Promise<{ answers: Map<string, string>; fixed: number; failed: number }> {
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
  return { answers, fixed, failed };
}
