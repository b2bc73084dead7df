import { OwnerApi } from '../client/owner-api';
import { readServerInfo, type ServerInfo } from '../core/server/server-info';
import * as path from 'node:path';
import { loadOrCreateTokens, tokensFile } from '../core/server/token-store';
import { requirePreviewFolder, usingDataDir } from './data-dir';

/** The `--data-dir` option of the commands that act on a preview's folder. */
export const DATA_DIR_OPTION = ['--data-dir <dir>', 'the preview\'s data folder (serve\'s --data-dir)', '.model-preview'] as const;

/** The folder must hold a preview (tokens.json): acting on a mistyped folder would never reach the real one. */
export const requirePreview = (dataDir: string): Promise<void> => requirePreviewFolder(dataDir, [path.basename(tokensFile(dataDir))], '');

/** The running preview of a data folder and its owner API, or undefined when none runs (server.json names none alive). */
export async function runningPreview(dataDir: string): Promise<{ server: ServerInfo; owner: OwnerApi } | undefined> {
  const server = await readServerInfo(dataDir);
  if (!server) return undefined;
  const tokens = await usingDataDir(dataDir, () => loadOrCreateTokens(dataDir));
  return { server, owner: new OwnerApi({ baseUrl: server.localUrl, ownerToken: tokens.ownerToken }) };
}

/** Runs an owner call on the running preview, naming its port when it fails. */
export function onPreview<T>(server: ServerInfo, call: Promise<T>): Promise<T> {
  return call.catch((err: Error) => {
    throw new Error(`the preview on port ${server.port}: ${err.message}`);
  });
}
