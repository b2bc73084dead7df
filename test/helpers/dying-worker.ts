import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';

/**
 * An inference worker that dies (exits the thread) on the first batch any worker of this process gets after the file
 * named by MP_TEST_DIE_ONCE is missing: it creates the file first, so the replacement worker runs the real code. For
 * a test of what the pool does when a worker dies holding jobs; the real worker (inference-worker.ts) does the rest.
 */
parentPort!.on('message', (msg: { type: string }) => {
  const marker = process.env.MP_TEST_DIE_ONCE;
  if (msg.type !== 'infer' || !marker) return;
  try {
    fs.writeFileSync(marker, 'died', { flag: 'wx' });
  } catch {
    return; // another worker died already
  }
  process.exit(3);
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../src/core/inference-worker');
