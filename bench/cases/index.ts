import type { BenchCase } from '../lib/case';
import { coldStart } from './cold-start';
import { feedbackLatency } from './feedback-latency';
import { feedbackTable } from './feedback-table';
import { imageBinary } from './image-binary';
import { inferThroughput } from './infer-throughput';
import { modelMemory } from './model-memory';
import { previewStart } from './preview-start';
import { tunnelLatency } from './tunnel-latency';

/** Every case, in the order `run.ts` runs them. */
export const CASES: BenchCase[] = [coldStart, previewStart, inferThroughput, imageBinary, modelMemory, feedbackLatency, tunnelLatency, feedbackTable];
