import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Reads a text file, or undefined when it is not there (a controller not mounted, not Linux). */
export type ReadText = (file: string) => string | undefined;

const readText: ReadText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The CPUs this process may use by its cgroup's CPU quota (`docker run --cpus 1.5`, a Kubernetes CPU limit), or
 * undefined when there is none. os.availableParallelism() counts the machine's cores and ignores the quota, so `serve`
 * in a 2-CPU pod on a 64-core node started 64 workers, each holding the model, all throttled to the 2 CPUs.
 * cgroup v2: `cpu.max` ("<quota> <period>" or "max <period>") of this process's cgroup and of each one above it (the
 * smallest wins). cgroup v1: `cpu.cfs_quota_us` / `cpu.cfs_period_us` (-1: none) under the cpu controller's mount.
 * Inside a container the process's cgroup path is "/" (its cgroup namespace), so the mount's own files are the limit.
 */
export function cpuQuota(read: ReadText = readText): number | undefined {
  const cgroups = read('/proc/self/cgroup');
  if (cgroups === undefined) return undefined;
  const quotas: number[] = [];
  for (const line of cgroups.split('\n')) {
    const [, controllers, cgroupPath] = line.split(':');
    if (cgroupPath === undefined) continue;
    if (controllers === '') {
      for (const dir of selfAndParents('/sys/fs/cgroup', cgroupPath)) {
        const [quota, period] = (read(path.posix.join(dir, 'cpu.max')) ?? '').trim().split(/\s+/);
        if (quota && quota !== 'max' && Number(period) > 0) quotas.push(Number(quota) / Number(period));
      }
    } else if (controllers.split(',').includes('cpu')) {
      for (const mount of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
        for (const dir of selfAndParents(mount, cgroupPath)) {
          const quota = Number(read(path.posix.join(dir, 'cpu.cfs_quota_us')));
          const period = Number(read(path.posix.join(dir, 'cpu.cfs_period_us')));
          if (quota > 0 && period > 0) quotas.push(quota / period);
        }
      }
    }
  }
  return quotas.length ? Math.min(...quotas) : undefined;
}

/** The cgroup's folder under `mount` and each folder above it up to the mount. */
function selfAndParents(mount: string, cgroupPath: string): string[] {
  const dirs: string[] = [];
  for (let p = path.posix.normalize(`/${cgroupPath}`); ; p = path.posix.dirname(p)) {
    dirs.push(path.posix.join(mount, p));
    if (p === '/') return dirs;
  }
}

/**
 * The cores a worker count is chosen from: the machine's, or as many as the CPU quota gives (rounded up — 1.5 CPUs keep
 * two workers busy — and at least one).
 */
export function coresWithinQuota(machineCores: number, quota: number | undefined): number {
  if (quota === undefined || !Number.isFinite(quota) || quota <= 0) return machineCores;
  return Math.max(1, Math.min(machineCores, Math.ceil(quota - 1e-9)));
}
