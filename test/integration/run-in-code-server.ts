/**
 * Runs an extension's integration suite inside a real VS Code extension host, offline: the VS Code server shipped in
 * the npm package code-server@4.100.3 (VS Code 1.100.3, installed into .vscode-host/ by scripts/install-vscode-host.sh)
 * plus Debian's chromium, driven by playwright-core, opening its workbench. See test/integration/README.md and
 * DESIGN.md section 4 "Real VS Code".
 *
 * Library: `runVsCodeSuite(options)`. CLI (exit code = the suite's):
 *   node out/test/integration/run-in-code-server.js [--extensionDevelopmentPath DIR] [--extensionTestsPath FILE]
 *     [--workspace DIR] [--screenshot-dir DIR] [--timeout MS]
 * Without arguments it runs the smoke extension and suite of test/integration/ in a temporary workspace.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { format, parseArgs } from 'node:util';
import { chromium, type BrowserContext, type ConsoleMessage, type Frame, type Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';

/** Handed to `onPage` together with the workbench page. */
export interface SuitePageContext {
  /** Aborted when the suite has ended (or the run is being torn down): stop waiting for things then. */
  signal: AbortSignal;
  /** `options.screenshotDir` (created), or a temporary folder removed at the end when none was given. */
  screenshotDir: string;
  /** The workspace folder the workbench opened. */
  workspaceFolder: string;
}

export interface VsCodeSuiteOptions {
  /** Folder of the extension under test (its package.json); loaded as in "Run Extension" (F5). */
  extensionDevelopmentPath: string;
  /** The suite's entry file, a module exporting `run(): Promise<void>` (rejects when a test failed). */
  extensionTestsPath: string;
  /** An existing folder the workbench opens as its workspace. */
  workspaceFolder: string;
  /** Where to write a screenshot of the workbench at the end of the run (`workbench-<outcome>.png`). */
  screenshotDir?: string;
  /**
   * Budget from launching the server to the suite's end. A suite still running then gives `{ exitCode: 1, timedOut:
   * true }`; a server or browser that cannot even start within it makes `runVsCodeSuite` reject. Teardown comes on top
   * (a few seconds).
   */
  timeoutMs: number;
  /**
   * Called with the workbench page once it is loading, concurrently with the suite: read webview DOM (see
   * `waitForFrameWith`), take screenshots. If it rejects, the run stops and `runVsCodeSuite` rejects with its error.
   * After the suite ends it is given up to 10 s (its `signal` is aborted) to settle.
   */
  onPage?: (page: Page, context: SuitePageContext) => Promise<void> | void;
  /**
   * VSIX files installed (offline, `server-main.js --install-extension`) into the run's fresh extensions dir before the
   * server starts: to test the packaged extension rather than the development folder.
   */
  installVsix?: string[];
  /** Extra environment for the server, which the extension host (and so the suite) inherits. */
  env?: Record<string, string>;
  /** User settings written to the temporary user-data dir, over the harness's defaults. */
  settings?: Record<string, unknown>;
  /** Where scripts/install-vscode-host.sh installed code-server (default: env VSCODE_HOST_DIR, else <repo>/.vscode-host). */
  vscodeHostDir?: string;
  /** Chromium to drive (default: env CHROMIUM_PATH, else /usr/bin/chromium). */
  chromiumPath?: string;
  /** Output lines (extension host console, server log, harness messages); default: process.stdout. */
  log?: (line: string) => void;
  /** Also forward the workbench's own console noise and the server's log (default: only the extension host's). */
  verbose?: boolean;
  /** Aborting it ends the run: everything is torn down, then `runVsCodeSuite` rejects with an AbortError (the CLI wires
   * SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

export interface VsCodeSuiteResult {
  /** What the workbench passed to `codeAutomationExit`: 0 when every test passed; 1 on failure or timeout. */
  exitCode: number;
  timedOut: boolean;
  /** From launching the server to the suite's end. */
  durationMs: number;
  /** Screenshots the harness itself wrote. */
  screenshots: string[];
}

/** User settings for the test instance: no telemetry, welcome page, trust prompt, update or gallery checks. */
export const HARNESS_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'typescript.tsserver.experimental.enableProjectDiagnostics': false,
  'chat.commandCenter.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

/** The flags DESIGN.md section 4 lists: offline-friendly, and a root user in CI needs --no-sandbox. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** The repository root: the nearest folder above this file whose package.json is the Model Preview one. */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'model-preview') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no model-preview package.json above ${from}`);
  }
}

/** server-main.js of the installed code-server, or a clear error saying how to install it. */
export function serverMainPath(vscodeHostDir = process.env.VSCODE_HOST_DIR ?? path.join(repoRoot(), '.vscode-host')): string {
  const main = path.join(vscodeHostDir, 'node_modules/code-server/lib/vscode/out/server-main.js');
  if (!existsSync(main) || !existsSync(path.join(vscodeHostDir, `.complete-${CODE_SERVER_VERSION}`))) {
    throw new Error(`code-server@${CODE_SERVER_VERSION} is not installed in ${vscodeHostDir}: run scripts/install-vscode-host.sh`);
  }
  return main;
}

/** A port free right now on 127.0.0.1 (the server gets it a moment later; nothing else races for it in a test run). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A `vscode-remote://` URI for a path on the server (this machine). */
function remoteUri(authority: string, absPath: string): string {
  return `vscode-remote://${authority}${absPath.split('/').map(encodeURIComponent).join('/')}`;
}

/** The workbench URL: the folder to open and, as `payload`, the extension-development and test paths. */
export function workbenchUrl(port: number, o: Pick<VsCodeSuiteOptions, 'extensionDevelopmentPath' | 'extensionTestsPath' | 'workspaceFolder'>): string {
  const authority = `127.0.0.1:${port}`;
  const payload = [
    ['extensionDevelopmentPath', remoteUri(authority, path.resolve(o.extensionDevelopmentPath))],
    ['extensionTestsPath', remoteUri(authority, path.resolve(o.extensionTestsPath))],
  ];
  const query = new URLSearchParams({ folder: path.resolve(o.workspaceFolder), payload: JSON.stringify(payload) });
  return `http://${authority}/?${query}`;
}

/**
 * The first frame (webviews are iframes inside iframes) holding an element matching `selector`; polls until found,
 * `timeoutMs` passes or `signal` aborts.
 */
export async function waitForFrameWith(page: Page, selector: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Frame> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const found = await frame.$(selector).catch(() => null);
      if (found) {
        await found.dispose();
        return frame;
      }
    }
    if (opts.signal?.aborted) throw new Error(`gave up waiting for a frame with ${selector}: the suite ended`);
    if (Date.now() > deadline) throw new Error(`no frame with ${selector} after ${opts.timeoutMs ?? 30_000} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function waitForServer(port: number, server: ChildProcess, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, sig: string | null) => reject(new Error(`VS Code server exited before listening (code ${code}, signal ${sig})`));
    server.once('exit', onExit);
    const attempt = () => {
      const req = http.get({ host: '127.0.0.1', port, path: '/version', timeout: 2_000 }, (res) => {
        res.resume();
        server.off('exit', onExit);
        resolve();
      });
      req.on('error', retry);
      req.on('timeout', () => req.destroy(new Error('timeout')));
    };
    const retry = () => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      if (Date.now() > deadline) {
        server.off('exit', onExit);
        reject(new Error(`VS Code server did not answer on port ${port} in time`));
        return;
      }
      setTimeout(attempt, 150);
    };
    attempt();
  });
}

/** Lines of a stream, each handed to `onLine`. */
function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => rest && onLine(rest));
}

/**
 * While an extension test runs from a CLI, VS Code sends everything the extension host writes to its console into the
 * workbench's log service, which prints `console.log('%c INFO', 'color: #33f', format, ...args)` (`%c  ERR` / `%c WARN`
 * for console.error / console.warn). Returns the formatted text, or null for any other console message.
 */
async function logServiceText(message: ConsoleMessage): Promise<string | null> {
  const head = /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)\b/.exec(message.text());
  if (!head) return null;
  const args = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg))));
  const rest = args.slice(2);
  const text = rest.length ? format(...rest) : message.text();
  return head[1] === 'INFO' ? text : `[${head[1]}] ${text}`;
}

/** What the workbench itself logs on every start, offline; hidden unless `verbose`. */
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/, /^Creating a socket/, /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/, /open-vsx\.org|ENOTFOUND|ERR_NAME_NOT_RESOLVED/, /^\[Service Worker\]/, /^\[ERR\] \[Service Worker\]/,
];

/** Waits for `promise`, but no longer than `ms` (and leaves no timer behind). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => { timer = setTimeout(resolve, ms); })]).catch(() => undefined);
  clearTimeout(timer);
}

function abortError(): Error {
  return Object.assign(new Error('the run was aborted'), { name: 'AbortError' });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Runs the suite; always tears down the server's process group, the browser and the temporary folders. */
export async function runVsCodeSuite(options: VsCodeSuiteOptions): Promise<VsCodeSuiteResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const serverMain = serverMainPath(options.vscodeHostDir);
  for (const [what, p] of [['extensionDevelopmentPath', path.join(options.extensionDevelopmentPath, 'package.json')],
    ['extensionTestsPath', options.extensionTestsPath], ['workspaceFolder', options.workspaceFolder]]) {
    if (!existsSync(p)) throw new Error(`${what}: ${p} does not exist`);
  }
  throwIfAborted(options.signal);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const temp = mkdtempSync(path.join(os.tmpdir(), 'vscode-host-run-'));
  const dirs = {
    serverData: path.join(temp, 'server-data'), userData: path.join(temp, 'user-data'),
    extensions: path.join(temp, 'extensions'), browserProfile: path.join(temp, 'browser-profile'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const settings = JSON.stringify({ ...HARNESS_SETTINGS, ...options.settings }, null, 2);
  // The web workbench reads user settings from the server's <user-data-dir>/User/settings.json (measured: the
  // server-data-dir's data/User and data/Machine files are not read).
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(path.join(dirs.userData, 'User/settings.json'), settings);
  for (const vsix of options.installVsix ?? []) {
    const args = [serverMain, '--install-extension', path.resolve(vsix), '--force', '--accept-server-license-terms',
      '--server-data-dir', dirs.serverData, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
    const installed = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
    if (installed.status !== 0) {
      rmSync(temp, { recursive: true, force: true });
      throw new Error(`installing ${vsix} failed (${installed.status}): ${installed.stdout}${installed.stderr}`);
    }
    log(`[harness] installed ${path.basename(vsix)}`);
  }
  const screenshotDir = options.screenshotDir ? path.resolve(options.screenshotDir) : path.join(temp, 'screenshots');
  mkdirSync(screenshotDir, { recursive: true });

  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  const killOnExit = () => server && killGroup(server, 'SIGKILL');
  process.once('exit', killOnExit);
  const pageAbort = new AbortController();
  const screenshots: string[] = [];
  let consoleLines = Promise.resolve();
  try {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    // Variables of an enclosing VS Code (a terminal inside it) would make this server talk to that one.
    for (const key of Object.keys(env)) if (/^VSCODE_/.test(key) || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
    server = spawn(process.execPath, [
      serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
      '--enable-smoke-test-driver', '--disable-workspace-trust', '--disable-telemetry',
      '--server-data-dir', dirs.serverData, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
    ], { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.on('error', (err) => log(`[harness] VS Code server: ${err.message}`));
    const serverLog: string[] = [];
    const onServerLine = (line: string) => {
      serverLog.push(line);
      if (serverLog.length > 200) serverLog.shift();
      if (options.verbose) log(`[vscode-server] ${line}`);
    };
    forwardLines(server.stdout, onServerLine);
    forwardLines(server.stderr, onServerLine);
    try {
      await waitForServer(port, server, deadline);
    } catch (err) {
      log(`[harness] VS Code server log:\n${serverLog.join('\n')}`);
      throw err;
    }
    log(`[harness] VS Code server on 127.0.0.1:${port} after ${Date.now() - started} ms`);
    throwIfAborted(options.signal);

    context = await chromium.launchPersistentContext(dirs.browserProfile, {
      executablePath: options.chromiumPath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 },
      // playwright's own handlers would kill the browser and exit(130) in the middle of this function's teardown
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      timeout: Math.max(1_000, deadline - Date.now()),
    });
    const page = context.pages()[0] ?? await context.newPage();
    throwIfAborted(options.signal);

    let settle!: (outcome: { exitCode: number; timedOut: boolean }) => void;
    let fail!: (err: Error) => void;
    const ended = new Promise<{ exitCode: number; timedOut: boolean }>((resolve, reject) => { settle = resolve; fail = reject; });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => settle({ exitCode: typeof code === 'number' ? code : 1, timedOut: false }));
    // Formatting a message awaits its arguments: chain them so lines keep their order.
    page.on('console', (message) => {
      consoleLines = consoleLines.then(async () => {
        const text = await logServiceText(message).catch(() => message.text());
        if (text === null) {
          if (options.verbose) log(`[workbench ${message.type()}] ${message.text()}`);
        } else if (options.verbose || !WORKBENCH_NOISE.some((noise) => noise.test(text))) {
          log(text);
        }
      });
    });
    page.on('pageerror', (err) => options.verbose && log(`[workbench pageerror] ${err.message}`));
    page.on('crash', () => fail(new Error('the workbench page crashed')));
    server.once('exit', (code, sig) => fail(new Error(`VS Code server exited during the run (code ${code}, signal ${sig})`)));
    const timer = setTimeout(() => settle({ exitCode: 1, timedOut: true }), Math.max(0, deadline - Date.now()));
    const onAbort = () => fail(abortError());
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const url = workbenchUrl(port, options);
    log(`[harness] opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: Math.max(1_000, deadline - Date.now()) });

    let onPageError: Error | undefined;
    const onPageDone = options.onPage
      ? Promise.resolve()
        .then(() => options.onPage!(page, { signal: pageAbort.signal, screenshotDir, workspaceFolder: path.resolve(options.workspaceFolder) }))
        .catch((err: Error) => {
          if (pageAbort.signal.aborted) return;
          onPageError = err;
          fail(err);
        })
      : Promise.resolve();

    let outcome: { exitCode: number; timedOut: boolean } | undefined;
    try {
      outcome = await ended;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      pageAbort.abort();
      await within(onPageDone, 10_000);
      await within(consoleLines, 2_000);
      const name = outcome ? (outcome.timedOut ? 'timeout' : `exit-${outcome.exitCode}`) : 'error';
      if (options.screenshotDir && !page.isClosed()) {
        const file = path.join(screenshotDir, `workbench-${name}.png`);
        await page.screenshot({ path: file, timeout: 5_000 }).then(() => screenshots.push(file), () => undefined);
      }
    }
    if (onPageError) throw onPageError;
    const durationMs = Date.now() - started;
    log(`[harness] suite ${outcome.timedOut ? `timed out after ${options.timeoutMs} ms` : `exited with ${outcome.exitCode}`} (${durationMs} ms)`);
    return { ...outcome, durationMs, screenshots };
  } finally {
    pageAbort.abort();
    await context?.close().catch(() => undefined);
    if (server) {
      const child = server;
      const exited = child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killGroup(child, 'SIGTERM');
      await within(exited, 3_000);
      // The extension host and pty host share the server's group: whatever is still in it goes now.
      killGroup(child, 'SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
    }
    process.off('exit', killOnExit);
    rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      extensionDevelopmentPath: { type: 'string' },
      extensionTestsPath: { type: 'string' },
      workspace: { type: 'string' },
      'screenshot-dir': { type: 'string' },
      timeout: { type: 'string', default: '180000' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const root = repoRoot();
  const smoke = path.join(root, 'test/integration');
  let workspaceFolder = values.workspace;
  let tempWorkspace: string | undefined;
  if (!workspaceFolder) {
    tempWorkspace = workspaceFolder = mkdtempSync(path.join(os.tmpdir(), 'vscode-host-workspace-'));
    writeFileSync(path.join(workspaceFolder, 'README.md'), '# integration-test workspace\n');
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await runVsCodeSuite({
      extensionDevelopmentPath: path.resolve(values.extensionDevelopmentPath ?? path.join(smoke, 'smoke-extension')),
      extensionTestsPath: path.resolve(values.extensionTestsPath ?? path.join(smoke, 'smoke-suite/index.js')),
      workspaceFolder,
      screenshotDir: values['screenshot-dir'],
      timeoutMs: Number(values.timeout),
      verbose: values.verbose,
      signal: abort.signal,
    });
    return result.exitCode;
  } finally {
    if (tempWorkspace) rmSync(tempWorkspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code), (err: Error) => {
    if (err.name === 'AbortError') {
      process.stderr.write('run-in-code-server: interrupted\n');
      process.exit(130);
    }
    process.stderr.write(`run-in-code-server: ${err.stack ?? err.message}\n`);
    process.exit(2);
  });
}
