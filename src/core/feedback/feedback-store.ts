import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { type FeedbackSubmission } from '../../shared/feedback';
import { FEEDBACK_RECORD_LINES, FEEDBACK_SCHEMA_VERSION, type FeedbackRecord, type FeedbackStats } from '../../shared/feedback-record';
import { JsonlAppendLog } from '../store/jsonl-append-log';
import { readJsonl } from '../store/jsonl-reader';
import { setAsideTornTail } from '../store/torn-tail';
import { FeedbackTally } from './feedback-stats';
import type { PredictionRecord } from './prediction-log';

/** The review-set case a piece of feedback is about: copied into the record so exports carry it. */
export interface ReviewedCase {
  caseId: string;
  reviewSet: string;
  tags?: string[];
}

export interface SubmitContext {
  prediction: PredictionRecord;
  predicted?: string;
  userAgent?: string;
  /** The reviewer: verified when named by their invite link, else as typed on the page. */
  reviewer?: { name: string; verified: boolean };
  reviewedCase?: ReviewedCase;
}

/**
 * `feedback.jsonl`: every piece of feedback, appended and fsync'd before the submitter hears "saved". Each record
 * carries its idempotency key; a key seen before (also across restarts, and also while its first write is still in
 * progress) answers with the first record's id instead of storing it twice.
 */
export class FeedbackStore {
  private readonly log: JsonlAppendLog;
  private readonly records: FeedbackRecord[] = [];
  /** The stats, counted once as the file loads and then record by record as feedback is saved. */
  private readonly tally = new FeedbackTally();
  private readonly byKey = new Map<string, Promise<string>>();

  private constructor(readonly file: string) {
    this.log = new JsonlAppendLog(file, { fsync: true });
  }

  static async open(dataDir: string, warn: (message: string) => void): Promise<FeedbackStore> {
    const store = new FeedbackStore(path.join(dataDir, 'feedback.jsonl'));
    await setAsideTornTail(store.file, warn);
    // Version 1 and 2 records load side by side; a line of an unknown version is skipped with a warning.
    for (const record of await readJsonl(store.file, warn, FEEDBACK_RECORD_LINES)) {
      store.records.push(record);
      store.tally.add(record);
      if (record.idempotencyKey) store.byKey.set(record.idempotencyKey, Promise.resolve(record.id));
    }
    return store;
  }

  all(): readonly FeedbackRecord[] {
    return this.records;
  }

  stats(): FeedbackStats {
    return this.tally.stats();
  }

  /** Stores the feedback durably. `duplicate` is true when the idempotency key was stored before. */
  async submit(submission: FeedbackSubmission, context: SubmitContext): Promise<{ record?: FeedbackRecord; id: string; duplicate: boolean }> {
    const earlier = this.byKey.get(submission.idempotencyKey);
    if (earlier) return { id: await earlier, duplicate: true };
    const { prediction } = context;
    const record: FeedbackRecord = {
      schemaVersion: FEEDBACK_SCHEMA_VERSION,
      id: randomUUID(),
      ts: new Date().toISOString(),
      model: prediction.model,
      modelVersion: prediction.modelVersion,
      predictionId: submission.predictionId,
      ...(context.predicted !== undefined ? { predicted: context.predicted } : {}),
      inputs: prediction.inputs,
      outputs: prediction.outputs,
      rating: submission.rating,
      ...(submission.expected ? { expected: submission.expected } : {}),
      ...(submission.comment ? { comment: submission.comment } : {}),
      ...(context.reviewer ? { reviewer: context.reviewer.name } : {}),
      reviewerVerified: context.reviewer?.verified ?? false,
      reasons: submission.reasons ?? [],
      ...(context.reviewedCase ? { caseId: context.reviewedCase.caseId, reviewSet: context.reviewedCase.reviewSet } : {}),
      ...(context.reviewedCase?.tags?.length ? { tags: context.reviewedCase.tags } : {}),
      source: 'human',
      ...(context.userAgent ? { userAgent: context.userAgent.slice(0, 500) } : {}),
      idempotencyKey: submission.idempotencyKey,
    };
    // Reserve the key before the write, so a retry arriving meanwhile waits for this write instead of storing again.
    const written = this.log.append(record).then(() => record.id);
    this.byKey.set(submission.idempotencyKey, written);
    try {
      await written;
    } catch (err) {
      this.byKey.delete(submission.idempotencyKey);
      throw err;
    }
    this.records.push(record);
    this.tally.add(record);
    return { record, id: record.id, duplicate: false };
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
