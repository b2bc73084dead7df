import type { CaseAgreement, FeedbackRecord, FeedbackStats } from '../../shared/feedback-record';

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
    return {
      model: list[0].model,
      modelVersion: list[0].modelVersion,
      count: list.length,
      up,
      down: list.length - up,
      upShare: up / list.length,
      topCorrections: [...pairs.values()].sort((a, b) => b.count - a.count).slice(0, TOP_CORRECTIONS),
      reasons: countReasons(list),
    };
  });
  return { total: records.length, versions, cases: caseAgreement(records) };
}

const countReasons = (list: readonly FeedbackRecord[]) => {
  const reasons = new Map<string, number>();
  for (const r of list) for (const reason of r.reasons ?? []) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
};

/**
 * Per review-set case, across versions: how many judged it and how, and how far they agree. Disagreements come first
 * (the cases the business has to settle), then the cases with the most thumbs-down.
 */
export function caseAgreement(records: readonly FeedbackRecord[]): CaseAgreement[] {
  const groups = new Map<string, FeedbackRecord[]>();
  for (const r of records) {
    if (r.caseId === undefined || r.reviewSet === undefined) continue;
    const key = `${r.reviewSet}\u0000${r.caseId}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(r);
  }
  const cases = [...groups.values()].map((list): CaseAgreement => {
    const up = list.filter((r) => r.rating === 'up').length;
    const down = list.length - up;
    const { reviewSet, caseId, tags } = list[0];
    return {
      reviewSet: reviewSet!, caseId: caseId!, ...(tags ? { tags } : {}), count: list.length, up, down,
      reviewers: new Set(list.map((r) => r.reviewer ?? '\u0000anonymous')).size,
      agreement: Math.max(up, down) / list.length, disagreement: up > 0 && down > 0, reasons: countReasons(list),
    };
  });
  return cases.sort((a, b) => Number(b.disagreement) - Number(a.disagreement) || b.down - a.down || a.reviewSet.localeCompare(b.reviewSet) || a.caseId.localeCompare(b.caseId, undefined, { numeric: true }));
}
