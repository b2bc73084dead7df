import { DEFAULT_REASONS } from '../../src/shared/feedback';
import type { FeedbackRecord } from '../../src/shared/feedback-record';

/**
 * Many feedback records shaped like a real preview's (iris inputs, three versions over ten days, a mix of ratings,
 * corrections, reasons, comments and reviewers), deterministic, for the feedback table's integration test and its bench.
 * Written as the server writes them today (schema version 2): a thumbs-down carries the reasons picked on the page —
 * none for about one in eleven, as a person may give none — so the reasons chart has several reasons to stack per version.
 * Synthetic on purpose: thousands of stakeholders cannot be sent for real in a test; one real record sits beside them.
 */
export function syntheticFeedback(count: number, start = Date.UTC(2026, 10, 1)): FeedbackRecord[] {
  const classes = ['setosa', 'versicolor', 'virginica'];
  const reviewers = ['Dana (sales)', 'Ravi', 'Mei', undefined];
  const records: FeedbackRecord[] = [];
  for (let i = 0; i < count; i++) {
    const version = i % 3;
    // Later versions do better: the up-share chart has something to show.
    const up = (i * 7919) % 100 < 45 + 20 * version;
    const predicted = classes[i % 3];
    const record: FeedbackRecord = {
      schemaVersion: 2,
      id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      ts: new Date(start + Math.floor((i / count) * 10 * 86_400_000)).toISOString(),
      model: 'iris',
      modelVersion: `v${version + 1}`,
      predictionId: `synthetic-${i}`,
      predicted,
      inputs: { features: { datatype: 'FP32', shape: [1, 4], data: [[4 + (i % 40) / 10, 3, 1 + (i % 50) / 10, 0.2]] } },
      outputs: { logits: { datatype: 'FP32', shape: [1, 3], data: [[0.1, 0.2, 0.7]] } },
      rating: up ? 'up' : 'down',
      idempotencyKey: `synthetic-key-${i}`,
      source: 'human',
    };
    const reviewer = reviewers[i % 4];
    if (reviewer) record.reviewer = reviewer;
    if (!up) {
      record.expected = classes[(i + 1) % 3];
      // Each version is wrong in its own way: its most frequent reason differs from the others'.
      if (i % 11 !== 0) record.reasons = [DEFAULT_REASONS[(Math.floor(i / 7) % 5 === 0 ? i : version) % DEFAULT_REASONS.length]];
      if (i % 5 === 0) record.comment = `sample ${i}: the petals are wider than that`;
    }
    records.push(record);
  }
  return records;
}
