import type { WorkerChoice } from '../shared/events';
import { formatBytes } from '../shared/visible-text';

/**
 * How many inference workers `serve` starts when `--workers` is not given. Each worker holds its own onnxruntime
 * session, about the model's size again (bench model-memory: ~110 MB for a 100 MB model, ~400 MB for a 400 MB one),
 * so a big model on a small machine gets fewer workers than cores: the sessions may take at most half of the memory
 * free at start (a hot reload holds the old and the new sessions for a moment: the other half), and there is always one.
 * `modelBytes` counts the model's external data files too. `cores`: those the CPU quota allows (cpu-quota.ts), of the
 * machine's `machineCores`.
 */
export function defaultWorkerCount(modelBytes: number, freeBytes: number, cores: number, machineCores = cores): WorkerChoice {
  const perWorker = modelBytes * 1.1 + 16 * 1024 * 1024;
  const byMemory = Math.max(1, Math.floor(freeBytes / 2 / perWorker));
  const quota = cores < machineCores ? ` the CPU quota allows (of the machine's ${machineCores})` : '';
  if (byMemory >= cores) {
    return { count: Math.max(1, cores), chosenBy: 'cores', reason: `one per core${quota}: a ${formatBytes(modelBytes)} model, ${formatBytes(freeBytes)} of memory free` };
  }
  return {
    count: byMemory,
    chosenBy: 'memory',
    reason: `fewer than the ${cores} cores${quota}: each holds a ${formatBytes(modelBytes)} model, and ${formatBytes(freeBytes)} of memory is free`,
  };
}

/**
 * `--workers n`, said the way a default choice is. The flag wins, but a count past what the machine can carry is
 * said in the reason (printed by `serve`): workers beyond the cores only wait for CPU, and sessions beyond half the
 * free memory are what `defaultWorkerCount` avoids (`--workers 1000` on a laptop took the memory without a word).
 */
export function workersByFlag(count: number, modelBytes: number, freeBytes: number, cores: number): WorkerChoice {
  const cautions: string[] = [];
  const sessionsBytes = count * (modelBytes * 1.1 + 16 * 1024 * 1024);
  if (sessionsBytes > freeBytes / 2) {
    cautions.push(`${count} sessions of a ${formatBytes(modelBytes)} model take about ${formatBytes(sessionsBytes)}, and ${formatBytes(freeBytes)} of memory is free: the machine may run out of memory`);
  }
  if (count > cores) cautions.push(`more than the ${cores} cores: the extra workers only wait for CPU`);
  return { count, chosenBy: '--workers', reason: cautions.length ? `set by --workers; careful: ${cautions.join('; ')}` : 'set by --workers' };
}
