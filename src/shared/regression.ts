import * as z from 'zod/mini';
import { count } from './wire';

/**
 * "Is it fixed now?": every thumbs-down with a correction is a regression case. When a new model version loads, the
 * server replays them on it and keeps one report per version (`GET /api/regressions`, `regressions.jsonl`, the
 * `regression-replayed` event).
 */
export const RegressionReportSchema = z.object({
  model: z.string(),
  modelVersion: z.string(),
  /** The version served before this one. */
  previousVersion: z.string(),
  /** When the replay finished (ISO 8601). */
  ts: z.string(),
  /** Regression cases replayed. */
  total: count(),
  /** Cases whose answer is now the correction. */
  fixed: count(),
  stillWrong: count(),
  /** Cases the new version could not answer (an input it refuses). */
  failed: count(),
  /** Cases the previous version's replay answered right and this one answers wrong. */
  broke: z.array(z.object({ feedbackId: z.string(), caseId: z.optional(z.string()), reviewSet: z.optional(z.string()), expected: z.string(), predicted: z.string(), previousPredicted: z.string() })),
  durationMs: z.number(),
});
export type RegressionReport = z.infer<typeof RegressionReportSchema>;

export const RegressionReportsSchema = z.object({ reports: z.array(RegressionReportSchema) });
export type RegressionReports = z.infer<typeof RegressionReportsSchema>;
