import * as path from 'node:path';
import type { Command } from 'commander';
import { inspectModel } from '../../core/model/describe';
import { readModelFile } from '../../core/model/model-file';
import { readSidecar, sidecarPathFor } from '../../core/model/sidecar-file';
import { factsInEffect, sidecarFacts } from '../../shared/model-facts';
import { describeModelText, labelsText } from '../describe-text';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show a model\'s inputs, outputs, producer, opsets, metadata, version id, and the labels the page uses with where each came from')
    .argument('<model>', 'path to an .onnx file')
    .option('--json', 'print the description as JSON')
    .option('--verbose', 'also print onnxruntime\'s own warnings and errors (on stderr)')
    .action(async (file: string, opts: { json?: boolean; verbose?: boolean }) => {
      const description = await inspectModel(await readModelFile(file), { verbose: opts.verbose });
      const { sidecar, error } = await readSidecar(description.file);
      // The labels the page would use: the sidecar's beside the model, then what the model itself says.
      const labels = factsInEffect([...(sidecar ? sidecarFacts(sidecar, path.basename(sidecarPathFor(description.file))) : []), ...description.facts]);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...description, labels, ...(error ? { sidecarError: error } : {}) }, null, 2) + '\n');
        return;
      }
      const lines = [...describeModelText(description, { full: true }), ...labelsText(labels)];
      if (error) lines.push(`sidecar ignored: ${error}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
