import { availableParallelism } from 'node:os';
import { coresWithinQuota, cpuQuota } from '../cpu-quota';
import { defaultWorkerCount, workersByFlag } from '../worker-count';
import { availableMemory } from '../../core/inference/available-memory';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import bytes from 'bytes';
import type { CliEvent, LogEntry, WorkerChoice } from '../../shared/events';
import { isStopRequest } from '../../shared/server-control';
import { PreviewSession } from '../../core/session';
import { modelSizeOnDisk } from '../../core/model/model-file';
import { tokensFile } from '../../core/server/token-store';
import { describeModelText } from '../describe-text';
import { eventText, logText, type TextLine } from '../event-text';
import { terminalSafe } from '../../shared/visible-text';
import { parseLifetime } from '../../core/text/duration';
import { DEFAULT_RATE_LIMITS } from '../../core/server/rate-limits';
import { DEFAULT_CONNECTION_LIMITS } from '../../core/server/connection-limits';
import { createTunnelProvider, secretsFromEnvironment } from '../../core/tunnel/create-tunnel-provider';
import { listensOnAllInterfaces } from '../../core/server/lan-addresses';
import { portForDataDir, portsAfter, readRememberedAddress, saveRememberedAddress, type RememberedAddress } from '../../core/server/remembered-address';
import { randomUUID } from 'node:crypto';
import { DataFolderLock } from '../data-folder-lock';
import { argumentsForDetached, startDetached } from '../detach';
import { terminalQr } from '../qr-text';
import { statusFields, statusText } from '../status-text';
import { readServeConfig } from '../serve-config';
import { addTunnelOptions, tunnelConfigFrom, tunnelSettingNames, type TunnelFlags } from '../tunnel-flags';
import { usingDataDir } from '../data-dir';
import { wholeNumberFlag } from '../number-flags';
import { linkPasswordProblem } from '../../shared/link-policy';

interface ServeFlags extends TunnelFlags {
  config?: string;
  expires?: string;
  inviteOnly?: boolean;
  password?: string;
  rateLimitPredictions?: number;
  rateLimitFeedback?: number;
  maxConnectionsPerClient?: number;
  maxConnections?: number;
  port?: number;
  host: string;
  detach?: boolean;
  qr: boolean;
  dataDir: string;
  /** Unset: chosen from the cores, the model's size and the free memory (defaultWorkerCount). */
  workers?: number;
  maxQueue: number;
  timeout: number;
  bodyLimit: number;
  watch: boolean;
  json?: boolean;
  keepFeedbackInGit?: boolean;
  verbose?: boolean;
}

const integer = wholeNumberFlag;

const size = (value: string): number => {
  const n = bytes.parse(value);
  if (n === null || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('give a size such as 32mb or 500kb');
  return n;
};


/**
 * The default worker count for this model (its files' size; an unreadable file is the session's to explain), in the
 * memory and the CPU quota this process may use.
 */
async function workersFor(modelFile: string, flag: number | undefined): Promise<WorkerChoice> {
  const machineCores = availableParallelism();
  const [modelBytes, freeBytes, cores] = [await modelSizeOnDisk(modelFile), availableMemory(), coresWithinQuota(machineCores, cpuQuota())];
  if (flag !== undefined) return workersByFlag(flag, modelBytes, freeBytes, cores);
  return defaultWorkerCount(modelBytes, freeBytes, cores, machineCores);
}

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve a model: a share link for people, the Open Inference Protocol (V2) for programs')
    .argument('<model>', 'path to an .onnx file; re-exporting it reloads the served model')
    .addOption(new Option('--port <n>', 'port to listen on; without it, the port this data folder had last time (the same link every start); 0 for any free port').argParser(integer(0, '--port', 65535)))
    .option('--detach', 'run the server in the background and return once it serves (its output goes to <data-dir>/server.log; stop it with model-preview stop)')
    .option('--no-qr', 'do not print a QR code of a link other devices can open')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'folder for tokens, predictions.jsonl and feedback.jsonl', '.model-preview')
    .addOption(new Option('--workers <n>', 'inference worker threads (default: one per core, fewer for a model large for the free memory)').argParser(integer(1, '--workers')))
    .addOption(new Option('--max-queue <n>', 'requests that may wait for a worker before 503').default(256).argParser(integer(0, '--max-queue')))
    .addOption(new Option('--timeout <ms>', 'per-request inference timeout (504 after it)').default(30_000).argParser(integer(1, '--timeout')))
    .addOption(new Option('--body-limit <size>', 'largest request body (413 beyond)').default(32 * 1024 * 1024, '32mb').argParser(size))
    .option('--no-watch', 'do not reload the model when its file changes')
    .option('--json', 'print newline-delimited JSON events instead of text (the first is "ready")')
    .option('--keep-feedback-in-git', "let git see predictions.jsonl, feedback.jsonl and blobs/ (by default the data folder's .gitignore hides what stakeholders sent)")
    .option('--verbose', 'also print onnxruntime\'s own warnings and errors (on stderr)')
    .option('--config <file>', 'JSON file with tunnel, expires, rateLimits, connectionLimits and keepFeedbackInGit settings (flags win over it)')
    .option('--expires <lifetime>', 'share link lifetime after it is made, e.g. 2h or 7d, or never (default 24h); 410 after it')
    .option('--invite-only', 'take invited reviewers only (model-preview invite): the general share link answers 401; kept until `invite-only off`')
    .addOption(new Option('--password <password>', 'the share link also needs this password (for tunnels with no access control)').env('MODEL_PREVIEW_PASSWORD'))
    .addOption(new Option('--rate-limit-predictions <n>', `predictions per minute per client, 0 for no limit (default ${DEFAULT_RATE_LIMITS.predictionsPerMinute}); 429 beyond`).argParser(integer(0, '--rate-limit-predictions')))
    .addOption(new Option('--rate-limit-feedback <n>', `feedback per minute per client, 0 for no limit (default ${DEFAULT_RATE_LIMITS.feedbackPerMinute})`).argParser(integer(0, '--rate-limit-feedback')))
    .addOption(new Option('--max-connections-per-client <n>', `open connections per client, 0 for no limit (default ${DEFAULT_CONNECTION_LIMITS.perClient}); 503 beyond`).argParser(integer(0, '--max-connections-per-client')))
    .addOption(new Option('--max-connections <n>', `open connections in all, 0 for no limit (default ${DEFAULT_CONNECTION_LIMITS.total}); 503 beyond`).argParser(integer(0, '--max-connections')));
  addTunnelOptions(command);
  command.addHelpText('after', `
Tunnels (--tunnel): none (default) keeps the link on this machine; ssh forwards a port of an ssh server you can log
in to (or a public service with --ssh-preset); pipenet uses a pipenet server; ngrok needs NGROK_AUTHTOKEN.
Secrets come from the environment: NGROK_AUTHTOKEN, MODEL_PREVIEW_SSH_PASSPHRASE, MODEL_PREVIEW_PASSWORD.
Rotate the share link of a running preview with: model-preview rotate-link --data-dir <dir>`);
  command.action(serve);
}

async function serve(modelFile: string, flags: ServeFlags, command: Command): Promise<void> {
  if (flags.detach) return serveDetached(flags, command);
  // Forked by the extension: if the extension host dies (crash, kill), the IPC channel closes; the server must not
  // outlive it holding a port and a public tunnel. Listened for first, so a parent lost during the start counts too.
  const parentGone = new Promise<void>((resolve) => process.send && process.once('disconnect', () => resolve()));
  const emit = (e: CliEvent) => process.stdout.write(JSON.stringify(e) + '\n');
  const say = (line: string) => process.stdout.write(line + '\n');
  const write = (text: TextLine | undefined) => text && (text.stderr ? process.stderr : process.stdout).write(text.line + '\n');
  // With --json, `ready` is the first line: log lines written while the preview starts wait for it.
  let startingLogs: LogEntry[] | undefined = flags.json ? [] : undefined;
  const printLog = (entry: LogEntry) => (flags.json ? emit({ event: 'log', ...entry }) : write(logText(entry)));
  const releaseLogs = () => {
    const held = startingLogs ?? [];
    startingLogs = undefined;
    held.forEach(printLog);
  };
  const config = flags.config ? await readServeConfig(flags.config) : {};
  const tunnel = tunnelConfigFrom(flags, config.tunnel);
  const lifetime = flags.expires ?? config.expires ?? '24h';
  let expiresMs: number | undefined;
  try {
    expiresMs = parseLifetime(lifetime);
  } catch (err) {
    throw new InvalidArgumentError(`--expires: ${(err as Error).message}`);
  }
  const passwordProblem = flags.password === undefined ? null : linkPasswordProblem(flags.password);
  if (passwordProblem) throw new InvalidArgumentError(`--password (or MODEL_PREVIEW_PASSWORD) ${passwordProblem}`);
  const rateLimits = {
    predictionsPerMinute: flags.rateLimitPredictions ?? config.rateLimits?.predictionsPerMinute ?? DEFAULT_RATE_LIMITS.predictionsPerMinute,
    feedbackPerMinute: flags.rateLimitFeedback ?? config.rateLimits?.feedbackPerMinute ?? DEFAULT_RATE_LIMITS.feedbackPerMinute,
  };
  const connectionLimits = {
    perClient: flags.maxConnectionsPerClient ?? config.connectionLimits?.perClient ?? DEFAULT_CONNECTION_LIMITS.perClient,
    total: flags.maxConnections ?? config.connectionLimits?.total ?? DEFAULT_CONNECTION_LIMITS.total,
  };
  const workers = await workersFor(modelFile, flags.workers);
  // Set once the preview serves (a stop request over HTTP cannot come before: nothing listens yet).
  let stopNow: ((signal: string) => void) | undefined = undefined;
  const shutdown = (signal: string) => stopNow?.(signal);
  // One data folder, one server: held before anything is loaded, so a second serve stops here and names the first.
  const instanceId = randomUUID();
  const lock = await usingDataDir(flags.dataDir, () => DataFolderLock.acquire(flags.dataDir, { instanceId, modelFile, logFile: process.env.MODEL_PREVIEW_LOG_FILE }));
  const remembered = await readRememberedAddress(flags.dataDir);
  // --port wins; else the port this folder had (the same link as last time), else the folder's own port of the range.
  const port = flags.port ?? remembered?.port ?? portForDataDir(flags.dataDir);
  if (!flags.json && tunnel.provider !== 'none') say(`Opening the ${tunnel.provider} tunnel...`);
  let session: PreviewSession;
  try {
    session = await usingDataDir(flags.dataDir, async () => PreviewSession.start({
      modelFile, host: flags.host, port, dataDir: flags.dataDir, workers: workers.count, instanceId,
      whenPortTaken: flags.port === undefined ? { ports: portsAfter(port), remembered: remembered?.port !== undefined } : undefined,
      tunnelMemory: remembered?.tunnel, onStopRequest: () => shutdown('stop request'),
      maxQueue: flags.maxQueue, timeoutMs: flags.timeout, bodyLimitBytes: flags.bodyLimit, watch: flags.watch,
      ortLog: { verbose: flags.verbose },
      tunnel: await createTunnelProvider(tunnel, secretsFromEnvironment(), flags.dataDir, tunnelSettingNames(flags, config.tunnel, flags.config)), expiresMs, password: flags.password || undefined, rateLimits, connectionLimits,
      keepFeedbackInGit: flags.keepFeedbackInGit ?? config.keepFeedbackInGit ?? false,
      ...(flags.inviteOnly ? { inviteOnly: true } : {}),
      log: (entry) => (startingLogs ? startingLogs.push(entry) : printLog(entry)),
    }));
  } catch (err) {
    releaseLogs();
    await lock.release();
    throw err;
  }
  // The remembered port stays the folder's own when it was taken this time: the next start tries it again, and the
  // link people hold works again once it is free.
  const remember = () => saveRememberedAddress(flags.dataDir, rememberedNow(session, flags.port, remembered));
  await usingDataDir(flags.dataDir, async () => {
    await lock.ready({ port: session.port, host: flags.host, localUrl: session.localUrl });
    await remember();
  }).catch(async (err: Error) => {
    releaseLogs();
    await session.stop();
    await lock.release();
    throw err;
  });
  // Before `ready` is printed: whoever reads it may stop us at once, and a signal with no handler yet would kill us
  // without releasing the data folder.
  let stopping = false;
  stopNow = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    if (!flags.json) process.stdout.write('Stopping: finishing requests in progress...\n');
    session.stop().then(() => lock.release()).then(() => {
      if (flags.json) emit({ event: 'stopped' });
      process.exit(0);
    }, (err: Error) => {
      process.stderr.write(`error while stopping: ${err.message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  void parentGone.then(() => shutdown('disconnect'));
  // The extension's way to stop us: a signal cannot do it on Windows (SIGTERM there is a hard kill).
  process.on('message', (message) => isStopRequest(message) && shutdown('stop request'));

  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const card = session.card()!;
  // A QR code of a link another device can open (the public one, else the first on the network); made before the
  // banner, as nothing may await between the banner and the event listener below.
  const reachable = session.shareLink().publicUrl ? session.shareUrl : session.lanUrls()[0];
  const qr = !flags.json && flags.qr && reachable ? await terminalQr(reachable) : undefined;

  // From here to the listener below nothing awaits, so no event can slip between what the preview published while it
  // started (a replaced expired link, an invalid sidecar: no one listened yet) and the live ones.
  if (flags.json) {
    const link = session.shareLink();
    emit({
      event: 'ready', model: card.name, modelVersion: card.version, port: session.port, localUrl: session.localUrl, shareUrl: link.shareUrl,
      expiresAt: link.expiresAt, tunnel: link.tunnel.provider, epoch: session.hub.epoch, ownerToken: session.access.ownerToken,
      pid: process.pid, lanUrls: session.lanUrls(), workers: { ...workers, count: session.workers },
    });
  } else {
    say(`Model Preview: serving ${describeModelText(card, { full: false }).join('\n')}`);
    if (card.sidecarError) say(`sidecar ignored: ${terminalSafe(card.sidecarError)}`);
    say(`workers    ${session.workers} (one onnxruntime thread each; ${workers.reason})`);
    say('');
    for (const line of shareLinkLines(session, flags.host)) say(line);
    if (qr) say(`\n${qr}`);
    say(`V2 API:      ${session.localUrl}v2/models/${encodeURIComponent(card.name)}/infer  (Authorization: Bearer <share token from the link>)`);
    say(`Owner token: in ${path.resolve(tokensFile(flags.dataDir))} (for /metrics)`);
    say(flags.watch ? `Watching ${modelFile} for re-exports. Press Ctrl+C to stop.` : 'Press Ctrl+C to stop.');
  }
  for (const numbered of session.hub.since(0) ?? []) {
    const { id: _id, ...e } = numbered;
    if (flags.json) emit(e);
    else if (!(e.event === 'error' && e.source === 'sidecar')) write(eventText(e, flags.dataDir)); // the banner says "sidecar ignored"
  }
  releaseLogs();
  session.on('event', (e) => {
    if (flags.json) emit(e);
    else write(eventText(e, flags.dataDir));
    // A tunnel that (re)opened may have learnt what gives the same public URL next time.
    if (e.event === 'tunnel-up' || e.event === 'tunnel-url-changed') void remember().catch(() => undefined);
  });

}

/** The share link lines of the banner: the link people can open, and who can open it. */
function shareLinkLines(session: PreviewSession, host: string): string[] {
  const link = session.shareLink();
  const terms = `${link.expiresAt ? `expires ${link.expiresAt}` : 'never expires'}${link.passwordRequired ? ', needs the password' : ''}`;
  if (link.publicUrl) return [`Share link:  ${link.shareUrl}`, `             public through ${link.tunnel.provider}, ${terms}`];
  const lan = session.lanUrls();
  if (lan.length > 0) {
    return [
      `Share link:  ${lan[0]}`, ...lan.slice(1).map((url) => `             ${url}`),
      `             anyone on your network with the link can open it, ${terms}`,
      `This machine: ${link.shareUrl}`,
    ];
  }
  const why = listensOnAllInterfaces(host) ? 'this machine has no network address now' : '--tunnel makes it public';
  return [`Share link:  ${link.shareUrl}`, `             on this machine only (${why}), ${terms}`];
}

/**
 * What the next start reads from address.json. The port is the one this folder picks for itself: kept when it was
 * taken this time (the next start tries it again, and the old link works again once it is free), never a --port
 * given for this run.
 */
function rememberedNow(session: PreviewSession, explicitPort: number | undefined, before: RememberedAddress | undefined): RememberedAddress {
  const now = session.rememberedAddress();
  const port = explicitPort !== undefined ? before?.port : before?.port ?? now.port;
  const tunnel = now.tunnel ?? before?.tunnel;
  return { ...(port !== undefined && { port }), ...(tunnel && { tunnel }) };
}

/** `serve --detach`: the same command in the background; prints its links once it serves. */
async function serveDetached(flags: ServeFlags, command: Command): Promise<void> {
  const args = argumentsForDetached(process.argv.slice(process.argv.indexOf(command.name())));
  const { status, logFile } = await startDetached(flags.dataDir, args);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ running: true, dataDir: path.resolve(flags.dataDir), logFile, ...statusFields(status) }) + '\n');
    return;
  }
  for (const line of statusText(status, flags.dataDir)) process.stdout.write(line + '\n');
  process.stdout.write(`Running in the background (pid ${status.pid}); its output goes to ${logFile}.\nStop it with: model-preview stop --data-dir ${flags.dataDir}\n`);
}
