import { freemem } from 'node:os';

/**
 * The memory this process may still take: the machine's free memory, or less under a memory limit (a container's
 * cgroup, `docker run --memory`), which os.freemem() does not see — it reports the host's, and a big model would get a
 * worker per core and be killed for memory at the first hot reload. `limit`: process.constrainedMemory(), which
 * Node 20 answers with 2^64 when there is no limit (Node 22 with 0); `rss`: what this process already holds of it.
 */
export function usableMemory(free: number, limit: number | undefined, rss: number): number {
  if (!limit || limit >= Number.MAX_SAFE_INTEGER) return free;
  return Math.min(free, Math.max(0, limit - rss));
}

/**
 * usableMemory now, for this process. Read when `serve` picks its worker count and before each hot reload (whether the
 * new version can be created beside the old: reload-memory.ts).
 */
export function availableMemory(): number {
  return usableMemory(freemem(), process.constrainedMemory?.(), process.memoryUsage.rss());
}
