import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * How the OS names the start of process `pid`, or undefined when the process does not exist or the OS cannot say.
 * Two different processes that got the same pid have different identities, so a pid written down by a server that
 * crashed is not mistaken for a live server when the OS hands the pid to something else.
 *
 * - Linux: the boot id and the start time in clock ticks since boot (/proc/<pid>/stat, field 22): exact, no child
 *   process, and a reboot cannot make an old identity match.
 * - macOS and other Unixes: `ps -o lstart= -p <pid>` (start time to the second; a pid is not reused within a second
 *   in practice).
 * - Windows: undefined; callers then ask the server itself over HTTP (its `instanceId`).
 */
export async function processStartIdentity(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') return linuxIdentity(pid);
  if (process.platform === 'win32') return undefined;
  return psIdentity(pid);
}

async function linuxIdentity(pid: number): Promise<string | undefined> {
  try {
    const [stat, bootId] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile('/proc/sys/kernel/random/boot_id', 'utf8')]);
    // The command name (field 2) is in parentheses and may itself hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (DEAD_STATES.has(fields[0])) return undefined;
    const startTicks = fields[22 - 3];
    return startTicks ? `linux:${bootId.trim()}:${startTicks}` : undefined;
  } catch {
    return undefined;
  }
}

export function psIdentity(pid: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'lstart=', '-p', String(pid)], { timeout: 5_000, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => {
      const started = stdout?.trim();
      resolve(err || !started ? undefined : `ps:${started}`);
    });
  });
}

/** Linux process states of a process that has ended: a zombie (its parent has not reaped it yet) is not running. */
const DEAD_STATES = new Set(['Z', 'X', 'x']);

/**
 * Whether a process with this pid is running (of any user: EPERM means it exists). On Linux a zombie is not: a
 * killed server whose parent is gone (a detached server) may stay a zombie until init reaps it.
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !DEAD_STATES.has(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}
