import type { CaseAgreement, FeedbackRecord, FeedbackStats } from '../../shared/feedback-record';

const TOP_CORRECTIONS = 5;

type Counts = Map<string, number>;
const bump = (counts: Counts, key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
const reasonList = (counts: Counts) => [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);

interface VersionTally {
  model: string;
  modelVersion: string;
  count: number;
  up: number;
  /** `predicted \0 expected` → count. */
  pairs: Counts;
  reasons: Counts;
}

interface CaseTally {
  reviewSet: string;
  caseId: string;
  tags?: string[];
  count: number;
  up: number;
  reviewers: Set<string>;
  reasons: Counts;
}

const SEPARATOR = '\u0000';

/**
 * Per model version: how many, the share of thumbs up, the most frequent (predicted, expected) pairs and the reasons
 * given; and per review-set case, how far the reviewers agree. Kept up to date record by record (`add`) as the store
 * loads and appends, so `GET /api/stats` only shapes the tallies (a few thousand cases at most) instead of walking
 * every record a preview holds (100,000 in `npm run bench`) on each request.
 */
export class FeedbackTally {
  private total = 0;
  /** By model, then by version: nested maps, so a record needs no key string built and hashed. */
  private readonly versions = new Map<string, Map<string, VersionTally>>();
  /** The versions in the order their first feedback came. */
  private readonly versionOrder: VersionTally[] = [];
  private readonly cases = new Map<string, Map<string, CaseTally>>();
  /** The last answer, until the next record arrives. */
  private shaped?: FeedbackStats;

  add(r: FeedbackRecord): void {
    this.total++;
    this.shaped = undefined;
    let byVersion = this.versions.get(r.model);
    if (!byVersion) this.versions.set(r.model, (byVersion = new Map()));
    let v = byVersion.get(r.modelVersion);
    if (!v) {
      byVersion.set(r.modelVersion, (v = { model: r.model, modelVersion: r.modelVersion, count: 0, up: 0, pairs: new Map(), reasons: new Map() }));
      this.versionOrder.push(v);
    }
    v.count++;
    const up = r.rating === 'up';
    if (up) v.up++;
    if (r.expected) bump(v.pairs, (r.predicted ?? '?') + SEPARATOR + r.expected);
    if (r.reasons) for (const reason of r.reasons) bump(v.reasons, reason);
    if (r.caseId === undefined || r.reviewSet === undefined) return;
    let bySet = this.cases.get(r.reviewSet);
    if (!bySet) this.cases.set(r.reviewSet, (bySet = new Map()));
    let c = bySet.get(r.caseId);
    if (!c) bySet.set(r.caseId, (c = { reviewSet: r.reviewSet, caseId: r.caseId, tags: r.tags, count: 0, up: 0, reviewers: new Set(), reasons: new Map() }));
    c.count++;
    if (up) c.up++;
    c.reviewers.add(r.reviewer ?? `${SEPARATOR}anonymous`);
    if (r.reasons) for (const reason of r.reasons) bump(c.reasons, reason);
  }

  /** The stats as the owner API answers them. The same object until the next `add`: treat it as read-only. */
  stats(): FeedbackStats {
    return (this.shaped ??= this.shape());
  }

  private shape(): FeedbackStats {
    const cases = [...this.cases.values()].flatMap((m) => [...m.values()]);
    return {
      total: this.total,
      versions: this.versionOrder.map((v) => ({
        model: v.model,
        modelVersion: v.modelVersion,
        count: v.count,
        up: v.up,
        down: v.count - v.up,
        upShare: v.up / v.count,
        topCorrections: [...v.pairs].sort((a, b) => b[1] - a[1]).slice(0, TOP_CORRECTIONS).map(([pair, count]) => {
          const at = pair.indexOf(SEPARATOR);
          return { predicted: pair.slice(0, at), expected: pair.slice(at + 1), count };
        }),
        reasons: reasonList(v.reasons),
      })),
      cases: sortCases(cases.map((c): CaseAgreement => {
        const down = c.count - c.up;
        return {
          reviewSet: c.reviewSet, caseId: c.caseId, ...(c.tags ? { tags: c.tags } : {}), count: c.count, up: c.up, down,
          reviewers: c.reviewers.size, agreement: Math.max(c.up, down) / c.count, disagreement: c.up > 0 && down > 0, reasons: reasonList(c.reasons),
        };
      })),
    };
  }
}

/** The stats of a list of records at once (the notebook's and the tests' view of the same tallies). */
export function feedbackStats(records: readonly FeedbackRecord[]): FeedbackStats {
  const tally = new FeedbackTally();
  for (const r of records) tally.add(r);
  return tally.stats();
}

/** Disagreements first (the cases the business has to settle), then the most thumbs-down, then by set and id. */
function sortCases(cases: CaseAgreement[]): CaseAgreement[] {
  const byId = new Intl.Collator(undefined, { numeric: true });
  return cases.sort((a, b) => Number(b.disagreement) - Number(a.disagreement) || b.down - a.down
    || (a.reviewSet < b.reviewSet ? -1 : a.reviewSet > b.reviewSet ? 1 : 0) || byId.compare(a.caseId, b.caseId));
}
