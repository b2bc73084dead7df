import { FeedbackSubmissionSchema, reasonsOf, sameAnswer, type FeedbackSubmission } from '../../shared/feedback';
import { type FeedbackRecord, type FeedbackStats } from '../../shared/feedback-record';
import type { ModelCard } from '../../shared/model-card';
import type { PreviewEvent } from '../../shared/events';
import type { PreparedBlob } from '../store/blob-store';
import { StorageHealth } from '../store/storage-health';
import { FeedbackInputError } from './feedback-input-error';
import type { FeedbackStore, ReviewedCase, SubmitContext } from './feedback-store';
import { predictedLabel } from '../../shared/predicted-label';
import { CASE_TEXT_INPUT } from '../../shared/review-set';
import type { PredictionLog, PredictionRecord } from './prediction-log';

/** Who sent a piece of feedback, as far as the server knows it. */
export interface Submitter {
  userAgent?: string;
  /** The name of the invite whose link the feedback came through: it replaces any typed name, and is verified. */
  invitedAs?: string;
}

/** A review-set case a submission names: what its record keeps, and the case's inputs (as its file gave them). */
export interface FoundCase {
  reviewed: ReviewedCase;
  inputs: Record<string, unknown>;
}

/** Finds the review-set case a submission names (undefined: no such case). */
export type CaseLookup = (caseId: string) => FoundCase | undefined;

/**
 * Predictions and feedback of one preview: records a prediction the page asked for, checks a piece of feedback
 * against it, stores the feedback and announces both as events.
 */
export class FeedbackService {
  /** Tells the owner once when the data folder stops taking writes (a full disk) and once when it takes them again. */
  private readonly storage: StorageHealth;

  constructor(
    private readonly predictions: PredictionLog,
    private readonly store: FeedbackStore,
    private readonly card: () => ModelCard | undefined,
    private readonly publish: (event: PreviewEvent) => void,
    private readonly findCase: CaseLookup = () => undefined,
  ) {
    this.storage = new StorageHealth(publish);
  }

  /** `line` and `blobs`: a record as the worker stored it (stored-prediction.ts). */
  async recordPrediction(line: string, blobs: readonly PreparedBlob[] = []): Promise<PredictionRecord> {
    const record = await this.storage.track(this.predictions.append(line, blobs));
    this.publish({
      event: 'prediction', ts: record.ts, predictionId: record.predictionId, model: record.model, modelVersion: record.modelVersion,
      predicted: this.label(record), inferenceMs: record.timing.inferenceMs,
    });
    return record;
  }

  /** Validates and stores a submission. Throws FeedbackInputError naming the field, or the unknown prediction. */
  async submit(body: unknown, submitter: Submitter = {}): Promise<{ id: string; duplicate: boolean }> {
    const parsed = FeedbackSubmissionSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.');
      throw new FeedbackInputError(issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}`
        : `${field || 'the request body'}: ${issue.message}`);
    }
    const submission = parsed.data;
    const prediction = this.predictions.get(submission.predictionId);
    if (!prediction) throw new FeedbackInputError(`predictionId: no prediction '${submission.predictionId}' was made by this server`);
    const predicted = this.label(prediction);
    const context: SubmitContext = {
      prediction, predicted, userAgent: submitter.userAgent,
      reviewer: submitter.invitedAs !== undefined ? { name: submitter.invitedAs, verified: true }
        : submission.reviewer ? { name: submission.reviewer, verified: false } : undefined,
      reviewedCase: this.reviewedCase(submission, prediction),
    };
    this.checkJudgement(submission, predicted);
    const { record, id, duplicate } = await this.storage.track(this.store.submit(submission, context));
    if (record) this.publish({ event: 'feedback', record });
    return { id, duplicate };
  }

  /**
   * A thumbs-down must be a judgement the owner can act on: its reasons come from the model's list, and its correction
   * is not the answer it calls wrong. A thumbs-up has no reasons.
   */
  private checkJudgement(submission: FeedbackSubmission, predicted: string | undefined): void {
    const reasons = submission.reasons ?? [];
    if (submission.rating === 'up' && reasons.length > 0) {
      throw new FeedbackInputError('reasons: only a thumbs-down says what is wrong; send a thumbs-up without reasons');
    }
    const allowed = reasonsOf(this.card());
    const unknown = reasons.filter((r) => !allowed.includes(r));
    if (unknown.length > 0) {
      throw new FeedbackInputError(`reasons: ${unknown.map((r) => JSON.stringify(r)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among this model's reasons (${allowed.map((r) => JSON.stringify(r)).join(', ')})`);
    }
    if (new Set(reasons).size !== reasons.length) throw new FeedbackInputError('reasons: a reason is named twice');
    if (submission.rating === 'down' && submission.expected !== undefined && predicted !== undefined && sameAnswer(submission.expected, predicted)) {
      throw new FeedbackInputError(`expected: a thumbs-down says the answer was wrong, but the correction ${JSON.stringify(submission.expected.trim())} is what the model answered; `
        + 'give the right answer, or rate it thumbs-up');
    }
  }

  /**
   * The case a submission names, which must be the case its prediction was made for: feedback that names a case counts
   * in that case's agreement, so a judgement of some other input may not land there.
   */
  private reviewedCase(submission: FeedbackSubmission, prediction: PredictionRecord): ReviewedCase | undefined {
    if (submission.caseId === undefined) return undefined;
    const found = this.findCase(submission.caseId);
    if (!found) throw new FeedbackInputError(`caseId: no review case '${submission.caseId}' is in this preview's review sets`);
    const differs = differingInput(found.inputs, prediction);
    if (differs !== undefined) {
      throw new FeedbackInputError(`caseId: prediction '${prediction.predictionId}' was not made for review case '${submission.caseId}' (its input '${differs}' differs); `
        + 'predict the case\'s own inputs and send feedback on that prediction');
    }
    return found.reviewed;
  }

  records(): readonly FeedbackRecord[] {
    return this.store.all();
  }

  /** Per version and per review case, over every record (kept current as feedback arrives). */
  stats(): FeedbackStats {
    return this.store.stats();
  }

  private label(record: PredictionRecord): string | undefined {
    const card = this.card();
    return card ? predictedLabel(record.outputs, card) : undefined;
  }
}

/**
 * The first input of a review case that the prediction was not given, or undefined when they agree. Values are
 * compared as sent (the record keeps the JSON form's values), numbers also after rounding to 32 bits (records of
 * older servers kept the tensor's values). A case's text (a text model's) and inputs stored as blobs (pictures) are not
 * compared: the record keeps the tokens, or only a reference.
 */
function differingInput(caseInputs: Record<string, unknown>, prediction: PredictionRecord): string | undefined {
  for (const [name, value] of Object.entries(caseInputs)) {
    const stored = prediction.inputs[name];
    if (stored === undefined) {
      if (name === CASE_TEXT_INPUT) continue;
      return name;
    }
    if (!('data' in stored)) continue;
    const given = Array.isArray(value) ? value.flat(Infinity) : [value];
    if (given.length !== stored.data.length || given.some((v, i) => !sameValue(v, stored.data[i]))) return name;
  }
  return undefined;
}

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Math.fround(a) === Math.fround(b)) || String(a) === String(b);
