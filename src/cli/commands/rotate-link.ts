import * as path from 'node:path';
import type { Command } from 'commander';
import { AccessControl } from '../../core/server/access';
import { loadOrCreateTokens, saveTokens, tokensFile } from '../../core/server/token-store';
import { requirePreviewFolder, usingDataDir } from '../data-dir';
import { runningPreview } from '../../client/running-server';
import { DATA_DIR_OPTION, onPreview } from '../running-preview';

interface RotateFlags {
  dataDir: string;
  create?: boolean;
}

/**
 * `model-preview rotate-link`: a new share token, so the old link stops working. A running preview of the folder is
 * asked to rotate (its old link answers 401 at once); with none running, tokens.json is rotated for the next serve.
 * A folder with no tokens.json is refused unless --create: rotating a mistyped folder would leave a leaked link working
 * while saying it was replaced.
 */
export function registerRotateLink(program: Command): void {
  program
    .command('rotate-link')
    .description('replace the share link: the old one stops working at once')
    .option(...DATA_DIR_OPTION)
    .option('--create', 'make tokens for the next serve when the folder holds no preview yet')
    .action(async (flags: RotateFlags) => {
      if (!flags.create) await requirePreviewFolder(flags.dataDir, [path.basename(tokensFile(flags.dataDir))], ', or add --create to make a link there for the next serve');
      const running = await runningPreview(flags.dataDir);
      if (!running) {
        const tokens = await usingDataDir(flags.dataDir, () => loadOrCreateTokens(flags.dataDir));
        await usingDataDir(flags.dataDir, () => saveTokens(flags.dataDir, new AccessControl(tokens).rotateShareToken()));
        process.stdout.write('No preview of this folder is running: the next `model-preview serve` uses a new share link.\n');
        return;
      }
      const link = await onPreview(running.server, running.owner.rotateShareLink());
      process.stdout.write(`New share link: ${link.shareUrl}\n${link.expiresAt ? `It expires ${link.expiresAt}. ` : ''}The old link no longer works.\n`);
    });
}
