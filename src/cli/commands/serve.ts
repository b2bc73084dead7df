import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import bytes from 'bytes';
import type { CliEvent } from '../../shared/events';
import { PreviewSession } from '../../core/session';
import { tokensFile } from '../../core/server/token-store';
import { describeModelText } from '../describe-text';
import { feedbackLine } from '../feedback-text';
import { terminalSafe } from '../../core/text/visible-text';

interface ServeFlags {
  port: number;
  host: string;
  dataDir: string;
  workers: number;
  maxQueue: number;
  timeout: number;
  bodyLimit: number;
  watch: boolean;
  json?: boolean;
}

const integer = (min: number, what: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${what} must be a whole number >= ${min}`);
  return n;
};

const size = (value: string): number => {
  const n = bytes.parse(value);
  if (n === null || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('give a size such as 32mb or 500kb');
  return n;
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a model: a share link for people, the Open Inference Protocol (V2) for programs')
    .argument('<model>', 'path to an .onnx file; re-exporting it reloads the served model')
    .addOption(new Option('--port <n>', 'port to listen on, 0 for any free port').default(0).argParser(integer(0, '--port')))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'folder for tokens, predictions.jsonl and feedback.jsonl', '.model-preview')
    .addOption(new Option('--workers <n>', 'inference worker threads').default(availableParallelism(), 'the number of cores').argParser(integer(1, '--workers')))
    .addOption(new Option('--max-queue <n>', 'requests that may wait for a worker before 503').default(256).argParser(integer(0, '--max-queue')))
    .addOption(new Option('--timeout <ms>', 'per-request inference timeout (504 after it)').default(30_000).argParser(integer(1, '--timeout')))
    .addOption(new Option('--body-limit <size>', 'largest request body (413 beyond)').default(32 * 1024 * 1024, '32mb').argParser(size))
    .option('--no-watch', 'do not reload the model when its file changes')
    .option('--json', 'print newline-delimited JSON events instead of text (the first is "ready")')
    .action(serve);
}

async function serve(modelFile: string, flags: ServeFlags): Promise<void> {
  const emit = (e: CliEvent) => process.stdout.write(JSON.stringify(e) + '\n');
  const say = (line: string) => process.stdout.write(line + '\n');
  const session = await PreviewSession.start({
    modelFile, host: flags.host, port: flags.port, dataDir: flags.dataDir, workers: flags.workers,
    maxQueue: flags.maxQueue, timeoutMs: flags.timeout, bodyLimitBytes: flags.bodyLimit, watch: flags.watch,
    log: (m) => (flags.json ? emit({ event: 'error', source: 'worker', message: m }) : process.stderr.write(m + '\n')),
  });
  const card = session.card()!;

  session.on('event', (e) => {
    if (flags.json) return emit(e);
    if (e.event === 'model-reloaded') say(`reloaded: ${e.model} is now version ${e.modelVersion} (was ${e.previousVersion}, loaded in ${e.loadMs} ms)`);
    else if (e.event === 'feedback') say(`feedback: ${feedbackLine(e.record)}`);
    else if (e.event === 'error') process.stderr.write(`error (${e.source}): ${terminalSafe(e.message)}\n`);
  });

  if (flags.json) {
    emit({ event: 'ready', model: card.name, modelVersion: card.version, port: session.port, localUrl: session.localUrl, shareUrl: session.shareUrl, ownerToken: session.access.ownerToken });
  } else {
    say(`Model Preview: serving ${describeModelText(card, { full: false }).join('\n')}`);
    if (card.sidecarError) say(`sidecar ignored: ${terminalSafe(card.sidecarError)}`);
    say(`workers    ${session.workers} (one onnxruntime thread each)`);
    say('');
    say(`Share link:  ${session.shareUrl}`);
    say(`V2 API:      ${session.localUrl}v2/models/${encodeURIComponent(card.name)}/infer  (Authorization: Bearer <share token from the link>)`);
    say(`Owner token: in ${path.resolve(tokensFile(flags.dataDir))} (for /metrics)`);
    say(flags.watch ? `Watching ${modelFile} for re-exports. Press Ctrl+C to stop.` : 'Press Ctrl+C to stop.');
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    if (!flags.json) say('Stopping: finishing requests in progress...');
    session.stop().then(() => {
      if (flags.json) emit({ event: 'stopped' });
      process.exit(0);
    }, (err: Error) => {
      process.stderr.write(`error while stopping: ${err.message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
