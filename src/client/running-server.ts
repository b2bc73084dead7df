import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseJson } from '../shared/json-lines';
import { SERVER_INFO_FILE, ServerInfoSchema, TOKENS_FILE, type ServerInfo } from '../shared/server-info';
import { OwnerApi, type OwnerConnection } from './owner-api';
import { pidExists, processStartIdentity } from './process-identity';

/** A verified running server of a data folder: where it answers and what opens its owner API. */
export interface RunningServer {
  info: ServerInfo & { state: 'ready'; port: number; localUrl: string };
  /** `http://127.0.0.1:<port>/` (or its --host): the base URL of every call. */
  baseUrl: string;
  /** For `new OwnerApi(...)` and `new EventsClient(...)`. */
  owner: OwnerConnection;
}

/** What `server.json` of a data folder says, once checked against the live process it names. */
export type ServerLookup =
  /** No server.json: no server holds the folder. */
  | { state: 'none' }
  /** A server.json whose process is gone, or whose pid now belongs to another process: not to be trusted or signalled. */
  | { state: 'stale'; info?: ServerInfo; reason: string }
  /** Its process is alive and ours, but not listening yet. */
  | { state: 'starting'; info: ServerInfo }
  | { state: 'running'; server: RunningServer };

/** How long a live process that records no start identity (Windows) is believed to be still starting. */
const STARTING_WITHOUT_IDENTITY_MS = 120_000;

export const serverInfoFile = (dataDir: string): string => path.join(dataDir, SERVER_INFO_FILE);

/** The data folder's server.json as written, unverified; undefined when there is none; 'invalid' when unreadable. */
export async function readServerInfo(dataDir: string): Promise<ServerInfo | 'invalid' | undefined> {
  let text: string;
  try {
    text = await readFile(serverInfoFile(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'invalid';
  }
  const parsed = ServerInfoSchema.safeParse(parseJson(text));
  return parsed.success ? parsed.data : 'invalid';
}

/** The owner token of a data folder (tokens.json), or undefined when it has none. */
export async function readOwnerToken(dataDir: string): Promise<string | undefined> {
  try {
    const tokens = parseJson(await readFile(path.join(dataDir, TOKENS_FILE), 'utf8')) as { ownerToken?: unknown } | undefined;
    return typeof tokens?.ownerToken === 'string' && tokens.ownerToken.length >= 22 ? tokens.ownerToken : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the process `info` names is alive and is the one that wrote it: its pid exists and the OS gives the same
 * start identity. Where the OS gives none (Windows), `ask` checks with the server itself (it answers its instanceId).
 */
export async function verifyServerProcess(info: ServerInfo, ask?: () => Promise<boolean>): Promise<{ live: boolean; reason: string }> {
  if (!pidExists(info.pid)) return { live: false, reason: `its process ${info.pid} is gone` };
  const now = await processStartIdentity(info.pid);
  if (info.startIdentity !== undefined && now !== undefined) {
    return info.startIdentity === now
      ? { live: true, reason: 'same process' }
      : { live: false, reason: `pid ${info.pid} now belongs to another process (it started at another time)` };
  }
  if (ask) {
    return (await ask()) ? { live: true, reason: 'the server answered with its identity' } : { live: false, reason: `the server of pid ${info.pid} does not answer as itself` };
  }
  // No way to tell (no identity, not listening yet): a live pid counts for a while, then not any more.
  const young = Date.now() - Date.parse(info.startedAt) < STARTING_WITHOUT_IDENTITY_MS;
  return young ? { live: true, reason: 'a live pid, recently started' } : { live: false, reason: `pid ${info.pid} cannot be verified` };
}

/**
 * The running server of a data folder, verified: its server.json names a live process that is the one that wrote it
 * (a reused pid is reported `stale`, never trusted). A `running` server comes with the owner token from tokens.json,
 * so the caller can use its owner API and events socket at once (the extension attaches this way; `status` and
 * `stop` too).
 */
export async function findRunningServer(dataDir: string, options: { requestTimeoutMs?: number } = {}): Promise<ServerLookup> {
  const info = await readServerInfo(dataDir);
  if (info === undefined) return { state: 'none' };
  if (info === 'invalid') return { state: 'stale', reason: `${serverInfoFile(dataDir)} is not a server.json this program wrote` };
  const ownerToken = await readOwnerToken(dataDir);
  const ready = info.state === 'ready' && info.port !== undefined && info.localUrl !== undefined;
  const owner = ready && ownerToken ? { baseUrl: info.localUrl!, ownerToken, requestTimeoutMs: options.requestTimeoutMs ?? 3_000 } : undefined;
  const ask = owner ? () => answersAs(owner, info) : undefined;
  const verdict = await verifyServerProcess(info, ask);
  if (!verdict.live) return { state: 'stale', info, reason: verdict.reason };
  if (!ready) return { state: 'starting', info };
  if (!owner) return { state: 'stale', info, reason: `${path.join(dataDir, TOKENS_FILE)} holds no owner token` };
  return { state: 'running', server: { info: info as RunningServer['info'], baseUrl: info.localUrl!, owner } };
}

/** Whether the server at `owner.baseUrl` says it is the run `info` names. */
async function answersAs(owner: OwnerConnection, info: ServerInfo): Promise<boolean> {
  try {
    const status = await new OwnerApi(owner).server();
    return status.instanceId === info.instanceId && status.pid === info.pid;
  } catch {
    return false;
  }
}

/** The verified running server's server.json of a data folder, or undefined when none is running (or it cannot be trusted). */
export async function liveServerInfo(dataDir: string): Promise<RunningServer['info'] | undefined> {
  const lookup = await findRunningServer(dataDir);
  return lookup.state === 'running' ? lookup.server.info : undefined;
}

/**
 * The running preview of a data folder and its owner API, or undefined when none runs: its server.json names no live
 * process that is the one that wrote it (a reused pid is never trusted), or that server is not listening yet.
 */
export async function runningPreview(dataDir: string): Promise<{ server: RunningServer['info']; owner: OwnerApi } | undefined> {
  const lookup = await findRunningServer(dataDir);
  if (lookup.state !== 'running') return undefined;
  return { server: lookup.server.info, owner: new OwnerApi(lookup.server.owner) };
}
