import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real small file system (tmpfs) to fill up: the way to meet ENOSPC for real. Mounting needs root (CI runs as root);
 * where it is impossible, `SMALL_DISK_NOTE` says so and the tests that need it are skipped with that in their names.
 */
function probe(): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-probe-disk-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0) return `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || 'mount failed').trim()}); needs root`;
    spawnSync('umount', [dir]);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Undefined when a tmpfs can be mounted here, else why not (for the skipped tests' names). */
export const SMALL_DISK_NOTE = probe();

export interface SmallDisk {
  dir: string;
  /** Grows (or shrinks) the file system in place: `mount -o remount,size=...`. */
  resize(kilobytes: number): void;
  /** Makes it read-only (writes then fail with EROFS) or writable again. */
  remount(mode: 'ro' | 'rw'): void;
  unmount(): void;
}

export function mountSmallDisk(kilobytes: number): SmallDisk {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-small-disk-'));
  const run = (args: string[]) => {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
  };
  run(['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', dir]);
  return {
    dir,
    resize: (kb) => run(['-o', `remount,size=${kb}k`, dir]),
    remount: (mode) => run(['-o', `remount,${mode}`, dir]),
    unmount() {
      spawnSync('umount', ['--lazy', dir]); // lazy: a file a failed test left open must not keep the mount
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
