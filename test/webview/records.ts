import type { FeedbackRecord } from '../../src/shared/feedback-record';
import type { FeedbackCard } from '../../src/shared/webview-messages';

/** A stored feedback record and the preview it came through: what a card is cut from. */
type ViewRecord = FeedbackRecord & { previewId: string };

/** Records and cards for the Feedback view tests. */

let counter = 0;

export function record(overrides: Partial<ViewRecord> = {}): ViewRecord {
  counter += 1;
  return {
    schemaVersion: 1,
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    ts: new Date(Date.UTC(2026, 0, 10, 12, 0, counter)).toISOString(),
    model: 'iris',
    modelVersion: 'v1',
    predictionId: `p-${counter}`,
    predicted: 'setosa',
    inputs: { features: { datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] } },
    outputs: { label: { datatype: 'INT64', shape: [1], data: [0] } },
    rating: 'up',
    userAgent: 'Mozilla/5.0',
    idempotencyKey: `key-${counter}-abcdefgh`,
    previewId: 'preview-1',
    ...overrides,
  };
}

export function card(overrides: Partial<FeedbackCard> = {}): FeedbackCard {
  const r = record();
  return {
    previewId: r.previewId, id: r.id, ts: r.ts, model: r.model, modelVersion: r.modelVersion, rating: r.rating,
    ...(r.predicted !== undefined ? { predicted: r.predicted } : {}),
    ...overrides,
  };
}
