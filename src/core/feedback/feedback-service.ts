import { FeedbackSubmissionSchema } from '../../shared/feedback';
import { type FeedbackRecord } from '../../shared/feedback-record';
import type { ModelCard } from '../../shared/model-card';
import type { PreviewEvent } from '../../shared/events';
import { StorageHealth } from '../store/storage-health';
import { FeedbackInputError } from './feedback-input-error';
import type { FeedbackStore } from './feedback-store';
import { predictedLabel } from './predicted-label';
import type { PredictionLog, PredictionRecord } from './prediction-log';

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
  ) {
    this.storage = new StorageHealth(publish);
  }

  async recordPrediction(serialised: string): Promise<PredictionRecord> {
    const record = await this.storage.track(this.predictions.append(serialised));
    this.publish({
      event: 'prediction', ts: record.ts, predictionId: record.predictionId, model: record.model, modelVersion: record.modelVersion,
      predicted: this.label(record), inferenceMs: record.timing.inferenceMs,
    });
    return record;
  }

  /** Validates and stores a submission. Throws FeedbackInputError naming the field, or the unknown prediction. */
  async submit(body: unknown, userAgent: string | undefined): Promise<{ id: string; duplicate: boolean }> {
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
    const { record, id, duplicate } = await this.storage.track(this.store.submit(submission, { prediction, predicted: this.label(prediction), userAgent }));
    if (record) this.publish({ event: 'feedback', record });
    return { id, duplicate };
  }

  records(): readonly FeedbackRecord[] {
    return this.store.all();
  }

  private label(record: PredictionRecord): string | undefined {
    const card = this.card();
    return card ? predictedLabel(record.outputs, card) : undefined;
  }
}
