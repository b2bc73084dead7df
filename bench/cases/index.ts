import type { BenchCase } from '../lib/case';
import { coldStart } from './cold-start';
import { feedbackLatency } from './feedback-latency';
import { inferThroughput } from './infer-throughput';

/** Every case, in the order `run.ts` runs them. Add new cases (e.g. tunnel) here. */
export const CASES: BenchCase[] = [coldStart, inferThroughput, feedbackLatency];
