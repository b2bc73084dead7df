import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A memory cgroup of its own for a process the bench starts, with a memory limit, as `docker run --memory` makes one: a
 * child of this process's own cgroup (so every limit above still holds), under cgroup v2 (`memory.max`) or v1
 * (`memory.limit_in_bytes`). Needs root and a writable cgroup file system: undefined (with why) where there is none.
 */
export interface MemoryCgroup {
  dir: string;
  /** The file a process id is written to, to move that process in. */
  procs: string;
  /** The cgroup's peak usage so far (bytes), where the kernel keeps one. */
  peakBytes(): number | undefined;
  /** OOM kills within the cgroup, where the kernel counts them. */
  oomKills(): number | undefined;
  remove(): void;
}

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

export function makeMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | { unavailable: string } {
  const own = read('/proc/self/cgroup') ?? '';
  const v2 = /^0::(.*)$/m.exec(own)?.[1];
  const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(own)?.[1];
  const candidates = [
    ...(v2 !== undefined && fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? [{ root: path.join('/sys/fs/cgroup', v2), limit: 'memory.max', peak: 'memory.peak', v: 2 }] : []),
    ...(v1 !== undefined && fs.existsSync('/sys/fs/cgroup/memory') ? [{ root: path.join('/sys/fs/cgroup/memory', v1), limit: 'memory.limit_in_bytes', peak: 'memory.max_usage_in_bytes', v: 1 }] : []),
  ];
  const reasons: string[] = [];
  for (const c of candidates) {
    const dir = path.join(c.root, name);
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, c.limit), String(limitBytes));
    } catch (err) {
      reasons.push(`cgroup v${c.v} at ${dir}: ${(err as Error).message}`);
      try { fs.rmdirSync(dir); } catch { /* not made */ }
      continue;
    }
    return {
      dir,
      procs: path.join(dir, 'cgroup.procs'),
      peakBytes: () => {
        const text = read(path.join(dir, c.peak));
        return text === undefined ? undefined : Number(text.trim());
      },
      oomKills: () => {
        const m = /^oom_kill (\d+)$/m.exec(read(path.join(dir, c.v === 2 ? 'memory.events' : 'memory.oom_control')) ?? '');
        return m ? Number(m[1]) : undefined;
      },
      remove: () => {
        for (let i = 0; i < 50; i++) {
          try {
            fs.rmdirSync(dir);
            return;
          } catch {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // its last process is still leaving
          }
        }
      },
    };
  }
  return { unavailable: reasons.length > 0 ? reasons.join('; ') : 'no cgroup memory controller mounted' };
}
