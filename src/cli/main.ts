#!/usr/bin/env node
import { Command } from 'commander';
import { MODEL_PREVIEW_VERSION } from '../shared/version';
import { ListenError } from '../core/server/graceful-server';
import { ModelLoadError } from '../core/onnx/model-load-error';
import { registerFeedback } from './commands/feedback';
import { registerInitPage } from './commands/init-page';
import { registerInspect } from './commands/inspect';
import { registerInvites } from './commands/invites';
import { registerReview } from './commands/review';
import { registerRotateLink } from './commands/rotate-link';
import { registerServe } from './commands/serve';
import { registerStatus } from './commands/status';
import { registerStop } from './commands/stop';
import { DataFolderHeldError } from './data-folder-lock';
import { DetachedStartError } from './detach';
import { TunnelError } from '../core/tunnel/tunnel-provider';
import { DataDirError } from './data-dir';

/** Exit code for "the model, its data folder or its tunnel cannot work": distinct from usage errors (1). */
const EXIT_CANNOT_SERVE = 2;

const program = new Command()
  .name('model-preview')
  .description('Serve an exported ONNX model, share a try-it link, collect feedback.')
  .version(MODEL_PREVIEW_VERSION)
  .showHelpAfterError('(run with --help for usage)');
registerServe(program);
registerInspect(program);
registerInitPage(program);
registerFeedback(program);
registerRotateLink(program);
registerInvites(program);
registerReview(program);
registerStatus(program);
registerStop(program);

program.parseAsync(process.argv).catch((err: Error) => {
  // Expected failures are one line, no stack: the message already names the file and the reason.
  process.stderr.write(`model-preview: ${err.message}\n`);
  if (err instanceof DetachedStartError) process.exit(err.exitCode);
  process.exit([ModelLoadError, ListenError, TunnelError, DataDirError, DataFolderHeldError].some((type) => err instanceof type) ? EXIT_CANNOT_SERVE : 1);
});
