import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runVsCodeSuite } from '../../test/integration/run-in-code-server';
import type { BenchCase, CaseResult } from '../lib/case';
import { repoRoot } from '../lib/paths';
import { fmt, round } from '../lib/stats';
import { RESULT_ENV } from '../vscode/result-env';

const FILES = 50_000;
const ACTIVATION_TARGET_MS = 50;
/** What Model Preview adds to the extension host's CPU while nothing happens (watcher events included). */
const IDLE_CPU_TARGET_PERCENT = 1;

/**
 * A workspace like a big repository's: 50,000 files, about half of them where the catalog never looks (node_modules,
 * a virtual environment called "env", build output), and no model. Returns its folder.
 */
function bigWorkspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-50k-'));
  const areas = [
    { dir: 'src', share: 0.5 }, { dir: 'node_modules/pkg', share: 0.2 }, { dir: 'env/lib/python3.11/site-packages/lib', share: 0.2 }, { dir: 'build/out', share: 0.1 },
  ];
  for (const { dir, share } of areas) {
    const count = Math.round(FILES * share);
    for (let i = 0; i < count; i++) {
      const folder = path.join(root, dir, `d${Math.floor(i / 100)}`);
      if (i % 100 === 0) fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `f${i}.py`), '# a file\n');
    }
  }
  fs.writeFileSync(path.join(root, 'env/pyvenv.cfg'), 'home = /usr/bin\n');
  return root;
}

/**
 * The extension in a real VS Code (code-server + chromium, as the integration tests run it) on a 50,000-file workspace
 * with no model: it activates at startup (`onStartupFinished`), so what that costs every window matters.
 */
export const vscodeActivation: BenchCase = {
  name: 'vscode-activation',
  description: `activation at startup, first scan, idle CPU and export -> offer in a real VS Code on a ${FILES.toLocaleString('en')}-file workspace`,
  async run({ log }): Promise<CaseResult> {
    const workspace = bigWorkspace();
    const resultFile = path.join(workspace, '..', `${path.basename(workspace)}.json`);
    log(`  generated ${FILES} files in ${workspace}`);
    let figures: { activationMs: number; scanMs: number; idleCpuPercent: number; exportToOfferMs: number };
    let baseline: { idleCpuPercent: number };
    const placeholder = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-placeholder-'));
    fs.writeFileSync(path.join(placeholder, 'package.json'), JSON.stringify({ name: 'placeholder', publisher: 'bench', version: '0.0.0', engines: { vscode: '^1.100.0' } }));
    const inVsCode = async (extensionDevelopmentPath: string) => {
      const output: string[] = [];
      const result = await runVsCodeSuite({
        extensionDevelopmentPath, extensionTestsPath: path.join(repoRoot, 'out/bench/vscode/activation-suite.js'),
        workspaceFolder: workspace, timeoutMs: 150_000, env: { [RESULT_ENV]: resultFile }, log: (line) => output.push(line),
      });
      if (result.exitCode !== 0) throw new Error(`the run in VS Code failed:\n${output.join('\n')}`);
      return JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    };
    try {
      baseline = await inVsCode(placeholder);
      figures = await inVsCode(repoRoot);
    } finally {
      for (const dir of [workspace, placeholder]) fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(resultFile, { force: true });
    }
    const added = figures.idleCpuPercent - baseline.idleCpuPercent;
    return {
      tables: [{
        title: `Extension in VS Code 1.100 (code-server), ${FILES.toLocaleString('en')}-file workspace, no model`,
        rows: [
          ['activate (ms)', 'first scan (ms)', 'ext host idle CPU (%)', 'same without Model Preview (%)', 'export -> offer event (ms)'],
          [fmt(figures.activationMs), fmt(figures.scanMs), fmt(figures.idleCpuPercent, 2), fmt(baseline.idleCpuPercent, 2), fmt(figures.exportToOfferMs)],
        ],
      }],
      notes: ['idle CPU: the extension host process over 10 s with nothing happening, with Model Preview and with a placeholder extension instead (the test runner and built-in extensions run in both; VS Code\'s file watcher runs in the server process, for every workspace alike)'],
      checks: [
        { target: `activation <= ${ACTIVATION_TARGET_MS} ms`, actual: `${fmt(figures.activationMs)} ms`, pass: figures.activationMs <= ACTIVATION_TARGET_MS },
        { target: `idle CPU Model Preview adds to the extension host <= ${IDLE_CPU_TARGET_PERCENT} %`, actual: `${fmt(added, 2)} %`, pass: added <= IDLE_CPU_TARGET_PERCENT },
      ],
      data: { files: FILES, ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v, 2)])), baselineIdleCpuPercent: round(baseline.idleCpuPercent, 2) },
    };
  },
};
