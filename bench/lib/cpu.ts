import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';

/**
 * CPU time of processes and their threads, read from Linux /proc (clock ticks of 10 ms). Elsewhere every reading
 * is undefined and the report says "n/a": the figures are context, not results.
 */
const TICKS_PER_SECOND = 100;

/** utime + stime in ticks from a /proc stat line; the command name may hold spaces, so parse after its ')'. */
function ticksOf(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at "state" (field 3); utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

function readTicks(file: string): number | undefined {
  try {
    return ticksOf(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Busy and total ticks of the whole machine, from the first line of /proc/stat. */
function readMachine(): { busy: number; total: number } | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

interface ProcessSample {
  ticks?: number;
  threads: Map<number, number>;
}

function sampleProcess(pid: number): ProcessSample {
  const threads = new Map<number, number>();
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const t = readTicks(`/proc/${pid}/task/${tid}/stat`);
      if (t !== undefined) threads.set(Number(tid), t);
    }
  } catch {
    // not Linux, or the process is gone
  }
  return { ticks: readTicks(`/proc/${pid}/stat`), threads };
}

/** CPU use of one process over a window, in percent of one core (200 = two cores fully busy). */
export interface ProcessCpu {
  label: string;
  pid: number;
  percent?: number;
  /** The main thread (tid = pid): for a server, the HTTP thread. */
  mainThreadPercent?: number;
  /** The other threads, busiest first (worker threads, onnxruntime, libuv, V8 GC); idle ones left out. */
  otherThreadsPercent: number[];
}

export interface CpuWindow {
  seconds: number;
  /** Whole machine, percent of all cores together (100 = every core busy). */
  machineBusyPercent?: number;
  /** Busy CPU not used by the watched processes (other programs on the machine), percent of one core. */
  elsewherePercent?: number;
  processes: ProcessCpu[];
}

/** Starts measuring CPU use of the given processes; call `stop()` at the end of the window. */
export function startCpuWindow(processes: Array<{ label: string; pid: number }>): { stop(): CpuWindow } {
  const started = performance.now();
  const machine0 = readMachine();
  const samples0 = processes.map((p) => sampleProcess(p.pid));
  return {
    stop(): CpuWindow {
      const seconds = (performance.now() - started) / 1000;
      const machine1 = readMachine();
      const pct = (ticks: number) => (ticks / TICKS_PER_SECOND / seconds) * 100;
      const result = processes.map((p, i): ProcessCpu => {
        const before = samples0[i];
        const after = sampleProcess(p.pid);
        const threadPct = (tid: number) => {
          const a = after.threads.get(tid);
          return a === undefined ? undefined : pct(a - (before.threads.get(tid) ?? 0));
        };
        const others = [...after.threads.keys()].filter((tid) => tid !== p.pid).map((tid) => threadPct(tid) ?? 0);
        return {
          label: p.label,
          pid: p.pid,
          percent: before.ticks !== undefined && after.ticks !== undefined ? pct(after.ticks - before.ticks) : undefined,
          mainThreadPercent: threadPct(p.pid),
          otherThreadsPercent: others.filter((x) => x >= 0.5).sort((a, b) => b - a),
        };
      });
      const machineBusyPercent = machine0 && machine1 && machine1.total > machine0.total
        ? ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100
        : undefined;
      const watched = result.reduce((n, p) => n + (p.percent ?? 0), 0);
      const elsewherePercent = machineBusyPercent === undefined ? undefined : Math.max(0, (machineBusyPercent * os.availableParallelism()) - watched);
      return { seconds, machineBusyPercent, elsewherePercent, processes: result };
    },
  };
}

export function describeCpu(w: CpuWindow): string {
  const f = (n?: number) => (n === undefined ? 'n/a' : `${Math.round(n)}%`);
  const parts = w.processes.map((p) => {
    const threads = p.otherThreadsPercent.length > 0 ? `, other threads ${p.otherThreadsPercent.slice(0, 4).map(f).join(' ')}` : '';
    return `${p.label} ${f(p.percent)} (main thread ${f(p.mainThreadPercent)}${threads})`;
  });
  return `CPU: ${parts.join('; ')}; other processes ${f(w.elsewherePercent)}; machine busy ${f(w.machineBusyPercent)} of all cores`;
}
