import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

/** The built CLI bundle: these tests run the very program users run. */
export const CLI = path.resolve(__dirname, '../../../dist/cli.js');
export const REPO = path.resolve(__dirname, '../../..');

export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the next stdout line that parses as JSON and satisfies `match`, or rejects after `timeoutMs`. */
  nextEvent(match?: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stderr(): string;
  /** Every stdout line so far: parsed JSON, or `{ text }` for a line that is not JSON. */
  lines(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function startCli(args: string[], cwd = REPO): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let errText = '';
  child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      events.push(JSON.parse(line));
    } catch {
      events.push({ text: line });
    }
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    waiters.splice(0).forEach((w) => w());
    resolve(code);
  }));
  let cursor = 0;
  const nextEvent = (match: (e: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; stderr: ${errText}; events: ${JSON.stringify(events)}`)), timeoutMs);
      const check = () => {
        while (cursor < events.length) {
          const e = events[cursor++];
          if (match(e)) {
            clearTimeout(timer);
            return resolve(e);
          }
        }
        if (child.exitCode !== null) {
          clearTimeout(timer);
          return reject(new Error(`the CLI exited (${child.exitCode}) before the event; stderr: ${errText}`));
        }
        waiters.push(check);
      };
      check();
    });
  return { child, nextEvent, stderr: () => errText, lines: () => [...events], exited };
}

/** `as`: run as another user (uid and gid), e.g. one that cannot write a folder even though the tests run as root. */
export function runCli(args: string[], cwd = REPO, env: NodeJS.ProcessEnv = {}, as: { uid?: number; gid?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, ...as });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether a share link admits its token: the status of the page's API (`GET /api/card`) with the link's token. */
export async function linkServes(shareUrl: unknown): Promise<number> {
  const url = new URL(String(shareUrl));
  return (await fetch(new URL('/api/card', url), { headers: { authorization: `Bearer ${url.searchParams.get('t')}` } })).status;
}

/** Stops a `serve` with SIGTERM (unless it already ended) and checks it stopped cleanly: exit code 0. */
export async function stopCleanly(cli: CliRun): Promise<void> {
  if (cli.child.exitCode === null) cli.child.kill('SIGTERM');
  const code = await cli.exited;
  if (code !== 0) throw new Error(`serve did not stop cleanly (exit ${code}, signal ${cli.child.signalCode}): ${cli.stderr()}`);
}
