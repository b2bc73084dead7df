/**
 * Runs the same integration suite as run-in-code-server.ts, in desktop VS Code (Electron) through @vscode/test-electron.
 * It downloads VS Code at run time, so it needs internet (it cannot work on the offline CI machines; see
 * test/integration/README.md). On a Linux machine without a display, run it under `xvfb-run -a`.
 *
 * Library: `runVsCodeSuiteInElectron(options)`. CLI (exit code = the suite's):
 *   node out/test/integration/run-in-electron.js [--extensionDevelopmentPath DIR] [--extensionTestsPath FILE]
 *     [--workspace DIR] [--timeout MS] [--vscode-version 1.100.3]
 * Without arguments it runs the smoke extension and suite of test/integration/ in a temporary workspace.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { HARNESS_SETTINGS, repoRoot } from './run-in-code-server';

/** The VS Code that code-server@4.100.3 embeds; engines.vscode is ^1.100.0. */
export const DEFAULT_VSCODE_VERSION = '1.100.3';

export interface ElectronSuiteOptions {
  extensionDevelopmentPath: string;
  /** A module exporting `run(): Promise<void>` (the same file run-in-code-server.ts is given). */
  extensionTestsPath: string;
  workspaceFolder: string;
  /** The suite's whole run, the download included; on expiry VS Code is killed and the result is 1. */
  timeoutMs: number;
  /** Extra environment for the extension host (`extensionTestsEnv`). */
  env?: Record<string, string>;
  /** User settings over the harness's defaults. */
  settings?: Record<string, unknown>;
  /** Default env VSCODE_TEST_VERSION, else 1.100.3 (the version the code-server launcher runs). */
  version?: string;
}

/** Kills every process below `pid` (deepest first); the VS Code that runTests spawned is one of ours. */
function killDescendants(pid: number): void {
  if (process.platform === 'win32') return;
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return; // pgrep exits 1 when there are none
  }
  for (const child of children) {
    killDescendants(child);
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Resolves with the suite's exit code: 0 when every test passed. */
export async function runVsCodeSuiteInElectron(options: ElectronSuiteOptions): Promise<number> {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'vscode-electron-run-'));
  const userData = path.join(temp, 'user-data');
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify({ ...HARNESS_SETTINGS, ...options.settings }, null, 2));
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = runTests({
      version: options.version ?? process.env.VSCODE_TEST_VERSION ?? DEFAULT_VSCODE_VERSION,
      extensionDevelopmentPath: path.resolve(options.extensionDevelopmentPath),
      extensionTestsPath: path.resolve(options.extensionTestsPath),
      extensionTestsEnv: options.env,
      // The first launch argument is the folder to open; the rest isolate the run from this machine's VS Code.
      launchArgs: [
        path.resolve(options.workspaceFolder), '--disable-extensions', '--disable-telemetry',
        `--user-data-dir=${userData}`, `--extensions-dir=${path.join(temp, 'extensions')}`,
      ],
    }).then(
      (code) => code,
      (err: unknown) => {
        if (err instanceof TestRunFailedError) return err.code ?? 1;
        throw err;
      },
    );
    const timedOut = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`run-in-electron: the suite did not finish in ${options.timeoutMs} ms; killing VS Code\n`);
        killDescendants(process.pid);
        resolve(1);
      }, options.timeoutMs);
    });
    return await Promise.race([run, timedOut]);
  } finally {
    clearTimeout(timer);
    rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      extensionDevelopmentPath: { type: 'string' },
      extensionTestsPath: { type: 'string' },
      workspace: { type: 'string' },
      timeout: { type: 'string', default: '600000' },
      'vscode-version': { type: 'string' },
    },
  });
  const smoke = path.join(repoRoot(), 'test/integration');
  let workspaceFolder = values.workspace;
  let tempWorkspace: string | undefined;
  if (!workspaceFolder) {
    tempWorkspace = workspaceFolder = mkdtempSync(path.join(os.tmpdir(), 'vscode-electron-workspace-'));
    writeFileSync(path.join(workspaceFolder, 'README.md'), '# integration-test workspace\n');
  }
  try {
    return await runVsCodeSuiteInElectron({
      extensionDevelopmentPath: values.extensionDevelopmentPath ?? path.join(smoke, 'smoke-extension'),
      extensionTestsPath: values.extensionTestsPath ?? path.join(smoke, 'smoke-suite/index.js'),
      workspaceFolder,
      timeoutMs: Number(values.timeout),
      version: values['vscode-version'],
    });
  } finally {
    if (tempWorkspace) rmSync(tempWorkspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code), (err: Error) => {
    process.stderr.write(`run-in-electron: ${err.stack ?? err.message}\n`);
    process.exit(2);
  });
}
