import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { inspectModel } from '../../core/model/describe';
import { readModelFile } from '../../core/model/model-file';
import { draftSidecar } from '../../core/model/sidecar-draft';
import { sidecarPathFor } from '../../core/model/sidecar-file';
import { readableJson } from '../../core/text/readable-json';
import { terminalSafe } from '../../shared/visible-text';
import { resolvePageHints } from '../../shared/model-facts';
import { SidecarSchema } from '../../shared/sidecar';

/**
 * `model-preview init-page <model>`: writes `<model>.preview.json` beside the model, filled in with everything the
 * model says about itself, for the data scientist to correct. An existing sidecar is never overwritten without
 * `--force`: it holds someone's edits.
 */
export function registerInitPage(program: Command): void {
  program
    .command('init-page')
    .description('write <model>.preview.json beside the model, pre-filled with the labels, categories, class names and an example it knows')
    .argument('<model>', 'path to an .onnx file')
    .option('--force', 'replace an existing <model>.preview.json')
    .action(async (file: string, opts: { force?: boolean }) => {
      const description = await inspectModel(await readModelFile(file));
      const draft = SidecarSchema.parse(draftSidecar(description, resolvePageHints(description.facts)));
      const target = sidecarPathFor(description.file);
      try {
        await writeFile(target, readableJson(draft) + '\n', { flag: opts.force ? 'w' : 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new Error(`${terminalSafe(target)} exists already (it may hold your edits): edit it, or add --force to write it again from the model`);
        }
        throw err;
      }
      const known = description.facts.length;
      process.stdout.write(`wrote ${terminalSafe(target)} (${known} thing${known === 1 ? '' : 's'} read from the model); edit it, and a running preview shows the change\n`);
    });
}
