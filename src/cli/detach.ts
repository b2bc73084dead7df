import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { findRunningServer } from '../client/running-server';
import { OwnerApi } from '../client/owner-api';
import { SERVER_LOG_FILE, type ServerStatus } from '../shared/server-info';
import { DataFolderHeldError } from './data-folder-lock';

/** A detached server that did not get ready: its exit code is the CLI's, its last log lines the message. */
export class DetachedStartError extends Error {
  override readonly name = 'DetachedStartError';
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** Loading a big model can take a while; past this the detached server is left running and the CLI says where to look. */
const READY_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

/**
 * `serve --detach`: runs the same `serve` command as a detached process (its own session: closing the terminal does
 * not stop it) whose output goes to `<data-dir>/server.log`, waits until it serves (its server.json says ready and it
 * answers as that process), and returns its status. If it exits first, throws with its exit code and last log lines.
 *
 * `serveArgs` are this command's own arguments without `--detach` and `--json` (the log is for people).
 */
export async function startDetached(dataDir: string, serveArgs: string[]): Promise<{ status: ServerStatus; logFile: string }> {
  await mkdir(dataDir, { recursive: true });
  const logFile = path.resolve(dataDir, SERVER_LOG_FILE);
  const log = await open(logFile, 'a', 0o600);
  const logStart = (await log.stat()).size;
  await log.write(`\n--- model-preview serve --detach, ${new Date().toISOString()}\n`);
  const child = spawn(process.execPath, [...process.execArgv, path.resolve(process.argv[1]), ...serveArgs], {
    detached: true, stdio: ['ignore', log.fd, log.fd], windowsHide: true, env: { ...process.env, MODEL_PREVIEW_LOG_FILE: logFile },
  });
  await log.close();
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  child.unref();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exitCode: number | undefined;
  void exited.then((code) => (exitCode = code));
  while (exitCode === undefined) {
    const lookup = await findRunningServer(dataDir);
    if (lookup.state === 'running' && lookup.server.info.pid === child.pid) {
      const status = await new OwnerApi(lookup.server.owner).server().catch(() => undefined);
      if (status) return { status, logFile };
    }
    if (Date.now() > deadline) {
      throw new DetachedStartError(`the detached server (pid ${child.pid}) is not ready after ${READY_TIMEOUT_MS / 1000} s; it may still be loading: see ${logFile}, or stop it with model-preview stop --data-dir ${dataDir}`, 1);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const text = (await readFile(logFile, 'utf8').catch(() => '')).slice(logStart);
  const lastLines = text.trim().split('\n').filter((l) => !l.startsWith('--- model-preview serve --detach')).slice(-5).join('\n');
  const message = lastLines.replace(/^model-preview: /gm, '');
  if (exitCode === 2 && /already served by model-preview|held by another model-preview server/.test(message)) throw new DataFolderHeldError(message);
  throw new DetachedStartError(`${message || `the detached server exited with code ${exitCode}`} (log: ${logFile})`, exitCode);
}

/** This command's arguments, for the detached server: the same, without `--detach` and `--json` (up to `--`). */
export function argumentsForDetached(argv: string[]): string[] {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const rest = end === -1 ? [] : argv.slice(end);
  return [...flags.filter((a) => a !== '--detach' && a !== '--json'), ...rest];
}
