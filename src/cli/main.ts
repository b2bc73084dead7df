#!/usr/bin/env node
import { Command } from 'commander';
import { ModelLoadError } from '../core/model/model-load-error';
import { registerFeedback } from './commands/feedback';
import { registerInspect } from './commands/inspect';
import { registerServe } from './commands/serve';

/** Exit code for "the model (or the request to serve it) cannot work": distinct from usage errors (1). */
const EXIT_CANNOT_SERVE = 2;

const program = new Command()
  .name('model-preview')
  .description('Serve an exported ONNX model, share a try-it link, collect feedback.')
  .version(process.env.MODEL_PREVIEW_VERSION ?? '0.1.0')
  .showHelpAfterError('(run with --help for usage)');
registerServe(program);
registerInspect(program);
registerFeedback(program);

program.parseAsync(process.argv).catch((err: Error) => {
  // Expected failures are one line, no stack: the message already names the file and the reason.
  process.stderr.write(`model-preview: ${err instanceof ModelLoadError ? err.message : err.message}\n`);
  process.exit(err instanceof ModelLoadError || /port|address/.test(err.message) ? EXIT_CANNOT_SERVE : 1);
});
