import type { BenchCase } from '../lib/case';
import { coldStart } from './cold-start';
import { feedbackLatency } from './feedback-latency';
import { feedbackTable } from './feedback-table';
import { imageBinary } from './image-binary';
import { inferThroughput } from './infer-throughput';
import { jsonPath } from './json-path';
import { modelMemory } from './model-memory';
import { reloadInContainer } from './reload-in-container';
import { pageBanner } from './page-banner';
import { pagePicture } from './page-picture';
import { previewLifecycle } from './preview-lifecycle';
import { previewStart } from './preview-start';
import { reviewFeedback } from './review-feedback';
import { tunnelLatency } from './tunnel-latency';
import { vscodeActivation } from './vscode-activation';

/** Every case, in the order `run.ts` runs them. */
export const CASES: BenchCase[] = [coldStart, previewStart, previewLifecycle, vscodeActivation, inferThroughput, imageBinary, pagePicture, jsonPath, modelMemory, reloadInContainer, feedbackLatency, tunnelLatency, pageBanner, feedbackTable, reviewFeedback];
