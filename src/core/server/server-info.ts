import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * `<data-dir>/server.json` says which port the preview of that folder is served on, while it runs, so other commands
 * (`model-preview rotate-link`) can reach it. It holds no secret: the owner token stays in tokens.json.
 */
export interface ServerInfo {
  pid: number;
  port: number;
  /** Where it answers on this machine (its --host may not be 127.0.0.1). */
  localUrl: string;
  startedAt: string;
}

const FILE = 'server.json';

export async function writeServerInfo(dataDir: string, port: number, localUrl: string): Promise<void> {
  const info: ServerInfo = { pid: process.pid, port, localUrl, startedAt: new Date().toISOString() };
  await writeFile(path.join(dataDir, FILE), JSON.stringify(info, null, 2) + '\n');
}

/** Removes the file if this process wrote it (another server may have started on the same folder since). */
export async function removeServerInfo(dataDir: string): Promise<void> {
  const info = await readServerInfo(dataDir);
  if (info?.pid === process.pid) await rm(path.join(dataDir, FILE), { force: true });
}

/** The running server of a data folder, or undefined when none is recorded or its process is gone. */
export async function readServerInfo(dataDir: string): Promise<ServerInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as Partial<ServerInfo>;
    if (typeof info.pid !== 'number' || typeof info.port !== 'number' || typeof info.localUrl !== 'string') return undefined;
    process.kill(info.pid, 0); // throws when no such process: a server that died without cleaning up
    return info as ServerInfo;
  } catch {
    return undefined;
  }
}
