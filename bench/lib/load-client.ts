import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { LoadOptions, LoadResult } from '../load';
import { startCpuWindow, type CpuWindow } from './cpu';
import { benchOutDir } from './paths';

export interface MeasuredLoad {
  result: LoadResult;
  /** CPU use of the server(s) and of the load generator during the measured window. */
  cpu: CpuWindow;
}

/**
 * Runs the load generator (out/bench/load.js) in a child process against a server, and measures the CPU use of
 * `watch` processes plus the generator itself while the measured window runs.
 */
export function runLoad(options: LoadOptions, watch: Array<{ label: string; pid: number }>): Promise<MeasuredLoad> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(benchOutDir, 'load.js'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    let window: ReturnType<typeof startCpuWindow> | undefined;
    let cpu: CpuWindow | undefined;
    let result: LoadResult | undefined;
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let event: { event?: string } & Record<string, unknown>;
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return;
      }
      if (event.event === 'measuring') window = startCpuWindow([...watch, { label: 'load generator', pid: child.pid! }]);
      if (event.event === 'measured') cpu = window?.stop();
      if (event.event === 'result') {
        const { event: _event, ...rest } = event;
        result = rest as unknown as LoadResult;
      }
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 && result && cpu) resolve({ result, cpu });
      else reject(new Error(`the load generator failed (exit ${code}): ${stderr.trim() || 'no result line'}`));
    });
  });
}
