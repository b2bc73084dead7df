/** What every benchmark case is and returns, so `run.ts` can run, print and save any of them the same way. */

export interface BenchOptions {
  /** Measured seconds per load run. */
  durationSeconds: number;
  /** Unmeasured seconds before each load run. */
  warmupSeconds: number;
  /** Prints a progress line (to stderr, so stdout stays the report). */
  log(line: string): void;
}

/** A target the project set itself. Missing one is reported, never a failure of the run. */
export interface TargetCheck {
  target: string;
  actual: string;
  pass: boolean;
}

/** A printable table: the first row is the header. */
export type Table = string[][];

export interface CaseResult {
  /** Tables for the human report, in order. */
  tables: Array<{ title: string; rows: Table }>;
  /** Free-form notes printed under the tables (e.g. CPU usage). */
  notes: string[];
  checks: TargetCheck[];
  /** Everything measured, for out/bench-results.json. */
  data: unknown;
}

export interface BenchCase {
  /** Used on the command line: `node out/bench/run.js cold-start`. */
  name: string;
  description: string;
  run(options: BenchOptions): Promise<CaseResult>;
}
