import * as fs from 'node:fs';
import { parentPort, threadId } from 'node:worker_threads';

/**
 * The real inference worker, which first appends each load and unload it is told to the file named by
 * MP_TEST_WORKER_LOG (`<thread> <load|unload> <generation>`, one a line): for a test of the order in which the pool
 * loads and unloads model versions in its workers. Its listener is added before the worker's own, so a line is
 * written before the worker acts on the message.
 */
parentPort!.on('message', (msg: { type: string; generation?: number }) => {
  const log = process.env.MP_TEST_WORKER_LOG;
  if (log && (msg.type === 'load' || msg.type === 'unload')) fs.appendFileSync(log, `${threadId} ${msg.type} ${msg.generation}\n`);
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../src/core/inference-worker');
