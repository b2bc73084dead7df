import * as path from 'node:path';
import type { RunningServer } from '../client/running-server';
import { tokensFile } from '../core/server/token-store';
import { requirePreviewFolder } from './data-dir';

type ServerInfo = RunningServer['info'];

/** The `--data-dir` option of the commands that act on a preview's folder. */
export const DATA_DIR_OPTION = ['--data-dir <dir>', 'the preview\'s data folder (serve\'s --data-dir)', '.model-preview'] as const;

/** The folder must hold a preview (tokens.json): acting on a mistyped folder would never reach the real one. */
export const requirePreview = (dataDir: string): Promise<void> => requirePreviewFolder(dataDir, [path.basename(tokensFile(dataDir))], '');

/** Runs an owner call on the running preview, naming its port when it fails. */
export function onPreview<T>(server: ServerInfo, call: Promise<T>): Promise<T> {
  return call.catch((err: Error) => {
    throw new Error(`the preview on port ${server.port}: ${err.message}`);
  });
}
