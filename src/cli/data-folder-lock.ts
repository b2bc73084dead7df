import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { findRunningServer, serverInfoFile, type ServerLookup } from '../client/running-server';
import { OwnerApi } from '../client/owner-api';
import { processStartIdentity } from '../client/process-identity';
import { parseJson } from '../shared/json-lines';
import type { ServerInfo } from '../shared/server-info';
import { MODEL_PREVIEW_VERSION } from '../shared/version';

/**
 * A second server of a data folder that one already holds: two servers would append to one feedback.jsonl, keep two
 * idempotency indexes and overwrite each other's server.json. The message names the running one (pid, port, link).
 * The CLI exits 2 ("cannot serve").
 */
export class DataFolderHeldError extends Error {
  override readonly name = 'DataFolderHeldError';
}

/**
 * One data folder, one server: `server.json`, created exclusively before the server loads anything, is the folder's
 * lock as well as its address.
 *
 * Why an exclusive pid file and not a lock library such as proper-lockfile: proper-lockfile's lock is a folder whose
 * mtime the holder refreshes on a timer, and a lock is stale only once that mtime is older than `stale` (10 s by
 * default, 2 s at least). So after a crash or `kill -9` the next start waits out the staleness (or fails), and a holder
 * whose timer was late (a suspended laptop, a stopped process) loses a lock it still needs. The pid file names its
 * holder exactly: its pid and the OS's start identity of that process (Linux /proc starttime, `ps` elsewhere; Windows:
 * the server answers its instance id over HTTP). A holder that died is seen as dead at once, a pid the OS gave to
 * another process is not taken for the holder, and nothing runs on a timer.
 *
 * Created with link(2) from a complete temporary file: the file appears whole or not at all, so a reader never sees a
 * half-written holder and mistakes it for a stale one.
 */
export class DataFolderLock {
  private constructor(private readonly dataDir: string, private info: ServerInfo) {}

  /** Holds `dataDir` for this process, or throws DataFolderHeldError naming the server that holds it. */
  static async acquire(dataDir: string, details: { instanceId: string; modelFile: string; logFile?: string }): Promise<DataFolderLock> {
    await mkdir(dataDir, { recursive: true });
    const info: ServerInfo = {
      pid: process.pid, startIdentity: await processStartIdentity(process.pid), instanceId: details.instanceId,
      startedAt: new Date().toISOString(), version: MODEL_PREVIEW_VERSION, state: 'starting', modelFile: path.resolve(details.modelFile),
      ...(details.logFile && { logFile: details.logFile }),
    };
    const file = serverInfoFile(dataDir);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(info, null, 2) + '\n');
    try {
      // Two tries after clearing a stale file: a third start racing us for the same stale file gets it, or we do.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await link(temporary, file);
          return new DataFolderLock(dataDir, info);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const lookup = await findRunningServer(dataDir);
        if (lookup.state === 'running' || lookup.state === 'starting') throw await heldError(dataDir, lookup);
        await clearStale(file, lookup);
      }
      throw new DataFolderHeldError(`--data-dir ${dataDir}: another server keeps taking ${file}; try again`);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** The server listens: server.json gets its address (rewritten whole: readers never see half of it). */
  async ready(address: { port: number; host: string; localUrl: string }): Promise<void> {
    this.info = { ...this.info, state: 'ready', ...address };
    const file = serverInfoFile(this.dataDir);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.info, null, 2) + '\n');
    await rename(temporary, file);
  }

  /** Lets the folder go: removes server.json if it is still ours. */
  async release(): Promise<void> {
    const file = serverInfoFile(this.dataDir);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined && instanceIdIn(text) === this.info.instanceId) await rm(file, { force: true });
  }
}

/**
 * Moves a stale server.json out of the way. Renamed first (only one starter can rename it), then checked to be the
 * very file judged stale: if a live server's file was caught in the race, it is put back.
 */
async function clearStale(file: string, lookup: ServerLookup): Promise<void> {
  const aside = `${file}.stale-${process.pid}`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else cleared it
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  const judged = lookup.state === 'stale' && lookup.info;
  if (judged && instanceIdIn(moved) !== judged.instanceId) {
    await link(aside, file).catch(() => undefined); // a live holder's file: back where it was (unless another took the place)
  }
  await rm(aside, { force: true });
}

function instanceIdIn(text: string): unknown {
  const value = parseJson(text) as { instanceId?: unknown } | undefined;
  return typeof value === 'object' && value !== null ? value.instanceId : undefined;
}

async function heldError(dataDir: string, lookup: Extract<ServerLookup, { state: 'running' | 'starting' }>): Promise<DataFolderHeldError> {
  const where = `--data-dir ${dataDir}`;
  const stopHint = `stop it first (model-preview stop --data-dir ${dataDir}), or give this one another --data-dir`;
  if (lookup.state === 'starting') {
    return new DataFolderHeldError(`${where} is held by another model-preview server (pid ${lookup.info.pid}) that is still starting: ${stopHint}`);
  }
  const { info, owner } = lookup.server;
  const link = await new OwnerApi(owner).shareLink().then((l) => l.shareUrl, () => info.localUrl);
  return new DataFolderHeldError(`${where} is already served by model-preview (pid ${info.pid}, port ${info.port}): ${link} — ${stopHint}`);
}
