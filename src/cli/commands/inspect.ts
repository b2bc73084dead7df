import type { Command } from 'commander';
import { inspectModel } from '../../core/model/describe';
import { readModelFile } from '../../core/model/model-file';
import { describeModelText } from '../describe-text';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show a model\'s inputs, outputs, producer, opsets, metadata and version id')
    .argument('<model>', 'path to an .onnx file')
    .option('--json', 'print the description as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const description = await inspectModel(await readModelFile(file));
      process.stdout.write(opts.json ? JSON.stringify(description, null, 2) + '\n' : describeModelText(description, { full: true }).join('\n') + '\n');
    });
}
