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
    .option('--verbose', 'also print onnxruntime\'s own warnings and errors (on stderr)')
    .action(async (file: string, opts: { json?: boolean; verbose?: boolean }) => {
      const description = await inspectModel(await readModelFile(file), { verbose: opts.verbose });
      process.stdout.write(opts.json ? JSON.stringify(description, null, 2) + '\n' : describeModelText(description, { full: true }).join('\n') + '\n');
    });
}
