import * as z from 'zod/mini';
import { ShareLinkInfoSchema } from './share-link';
import { httpUrl, nonEmptyString } from './wire';

/** The file in a data folder that names its running server (and, created exclusively, holds the folder for it). */
export const SERVER_INFO_FILE = 'server.json';
/** The data folder's tokens (the owner token opens a running server's owner API). */
export const TOKENS_FILE = 'tokens.json';
/** Where `serve --detach` writes the detached server's output, in the data folder. */
export const SERVER_LOG_FILE = 'server.log';

const port = () => z.int().check(z.minimum(1), z.maximum(65_535));

/**
 * `<data-dir>/server.json`: which process serves the folder, while it runs. The server creates it exclusively before it
 * loads anything (so a second server of the folder stops there) and fills in its address once it listens. It holds no
 * secret: the owner token stays in tokens.json.
 *
 * A pid alone is not an identity: after a crash the OS may give it to any other process, which must never get the
 * owner token or a signal. `startIdentity` is how the OS names that process's start (Linux: boot id and start time
 * from /proc; macOS and other Unixes: `ps`'s start time); where the OS cannot say (Windows), `instanceId` is checked
 * instead by asking the server itself (`GET /api/server` answers it).
 */
export const ServerInfoSchema = z.object({
  pid: z.int().check(z.minimum(1)),
  startIdentity: z.optional(z.string()),
  /** Random per server run. */
  instanceId: nonEmptyString(),
  /** When the process started serving (ISO 8601). */
  startedAt: z.string(),
  /** The program's version (package.json's). */
  version: z.string(),
  /** `starting` until it listens; then `ready` with its address. */
  state: z.enum(['starting', 'ready']),
  port: z.optional(port()),
  /** The address it listens on (`--host`). */
  host: z.optional(z.string()),
  /** Where it answers on this machine. */
  localUrl: z.optional(httpUrl()),
  /** The model file it serves (absolute). */
  modelFile: z.optional(z.string()),
  /** A detached server's output (`serve --detach`), absolute. */
  logFile: z.optional(z.string()),
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

/**
 * The owner's view of the running server process (`GET /api/server`): who it is (to match server.json), what it
 * serves, and every link to it. `model-preview status --json` prints these fields with `running: true`.
 */
export const ServerStatusSchema = z.object({
  pid: z.int().check(z.minimum(1)),
  instanceId: nonEmptyString(),
  startedAt: z.string(),
  version: z.string(),
  model: z.string(),
  modelVersion: z.string(),
  port: port(),
  host: z.string(),
  localUrl: httpUrl(),
  /** The share link (public through the tunnel when it is up, else local), with the share token. */
  shareUrl: httpUrl(),
  /** With `--host 0.0.0.0` (or `::`): the link on each network address of this machine, with the share token. */
  lanUrls: z.array(httpUrl()),
  shareLink: ShareLinkInfoSchema,
});
export type ServerStatus = z.infer<typeof ServerStatusSchema>;

/** `POST /api/server/stop`'s answer: the server stops right after it (finishing requests in flight first). */
export const StopAnswerSchema = z.object({ stopping: z.literal(true), pid: z.int() });
