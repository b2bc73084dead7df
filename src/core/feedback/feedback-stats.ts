import type { FeedbackRecord, FeedbackStats } from '../../shared/feedback-record';

const TOP_CORRECTIONS = 5;

/** Per model version: how many, the share of thumbs up, the most frequent (predicted, expected) pairs, and the reasons given. */
export function feedbackStats(records: readonly FeedbackRecord[]): FeedbackStats {
  const groups = new Map<string, FeedbackRecord[]>();
  for (const r of records) {
    const key = `${r.model}\u0000${r.modelVersion}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const versions = [...groups.values()].map((list) => {
    const up = list.filter((r) => r.rating === 'up').length;
    const pairs = new Map<string, { predicted: string; expected: string; count: number }>();
    for (const r of list) {
      if (!r.expected) continue;
      const predicted = r.predicted ?? '?';
      const key = JSON.stringify([predicted, r.expected]);
      const pair = pairs.get(key) ?? { predicted, expected: r.expected, count: 0 };
      pair.count++;
      pairs.set(key, pair);
    }
    const reasons = new Map<string, number>();
    for (const r of list) for (const reason of r.reasons ?? []) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    return {
      model: list[0].model,
      modelVersion: list[0].modelVersion,
      count: list.length,
      up,
      down: list.length - up,
      upShare: up / list.length,
      topCorrections: [...pairs.values()].sort((a, b) => b.count - a.count).slice(0, TOP_CORRECTIONS),
      reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    };
  });
  return { total: records.length, versions };
}
