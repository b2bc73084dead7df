/**
 * `npm run package` (after the build): one VSIX per platform, `model-preview-<target>.vsix`, each holding only its own
 * native binaries. `npm run package -- --target win32-x64` builds one; `--out-dir DIR` writes them elsewhere.
 *
 * Why a staging folder: vsce packs the node_modules that `npm list` reports and filters them with .vscodeignore, but
 * it cannot pick one platform's files out of onnxruntime-node (all platforms in one npm package) nor add an @ngrok
 * platform package that npm did not install on this machine. So each target gets a folder laid out like the
 * extension: the build output, the docs, and a node_modules holding only the packages the bundles leave external (and
 * what they depend on, so `npm list` is satisfied), onnxruntime-node with this target's binaries only, and the target's
 * @ngrok package fetched from the npm registry with `npm pack` (npm's cache makes it offline after the first time).
 * `vsce package --target <t>` runs in that folder with the same .vscodeignore.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { VSIX_TARGETS, vsixFileName, vsixTarget, type VsixTarget } from './vsix-targets';

const repoRoot = path.resolve(__dirname, '../..');

/**
 * The packages the webpack bundles do not contain (webpack.config.js `externals`, minus ws's optional add-ons, which
 * are not installed) and the codicons the Feedback view links to.
 */
const RUNTIME_PACKAGES = ['onnxruntime-node', 'onnx-proto', '@ngrok/ngrok', '@vscode/codicons'];
/** Top-level files and folders of the extension: the bundles, media, the documentation and schema, the notebook export helper. */
const EXTENSION_FILES = ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'dist', 'media', 'docs', 'examples', 'python'];

export interface PackagedVsix {
  target: VsixTarget;
  file: string;
  bytes: number;
}

/** Builds the VSIX of one target into `outDir`. Needs `npm run build` first (dist/). */
export async function packageVsix(target: VsixTarget, outDir: string, log: (line: string) => void = () => undefined): Promise<PackagedVsix> {
  if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const stage = mkdtempSync(path.join(os.tmpdir(), `model-preview-${target.target}-`));
  try {
    for (const name of EXTENSION_FILES) cpSync(path.join(repoRoot, name), path.join(stage, name), { recursive: true });
    writeStagedManifest(stage);
    for (const dir of dependencyClosure(RUNTIME_PACKAGES)) copyPackage(dir, stage);
    stageOnnxruntimeBinaries(target, stage);
    stageNgrokPackage(target, stage);
    const file = path.resolve(outDir, vsixFileName(target));
    const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
    await promisify(execFile)(process.execPath, [vsce, 'package', '--target', target.target, '--allow-missing-repository', '--skip-license',
      '--no-rewrite-relative-links', '--out', file], { cwd: stage, maxBuffer: 16 * 1024 * 1024 });
    const bytes = statSync(file).size;
    log(`${path.relative(process.cwd(), file) || file}: ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    return { target, file, bytes };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The shipped package.json: the same manifest, with `dependencies` only the packages staged (vsce's `npm list` must
 * find every one), and without what is for npm or development only: scripts, devDependencies, and `files` (the npm
 * package's file list; vsce refuses a manifest with both `files` and a .vscodeignore).
 */
function writeStagedManifest(stage: string): void {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown> & { dependencies: Record<string, string> };
  manifest.dependencies = Object.fromEntries(RUNTIME_PACKAGES.map((name) => [name, manifest.dependencies[name]]));
  delete manifest.devDependencies;
  delete manifest.scripts;
  delete manifest.files;
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * The folders of `names` and of everything they depend on, found the way Node resolves them (node_modules of the
 * requiring package, then of each folder above). Optional dependencies are not followed: the only ones are
 * @ngrok/ngrok's per-platform packages, added per target.
 */
function dependencyClosure(names: string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string) => {
    const dir = resolvePackage(name, from);
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir);
  };
  for (const name of names) visit(name, repoRoot);
  return [...found];
}

function resolvePackage(name: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir || !dir.startsWith(repoRoot)) throw new Error(`${name} (needed by ${from}) is not installed: run npm ci`);
  }
}

/** Copies a package to the same place under the stage, without its nested node_modules (those are in the closure) and without onnxruntime-node's binaries. */
function copyPackage(dir: string, stage: string): void {
  const relative = path.relative(repoRoot, dir);
  const skip = new Set([path.join(dir, 'node_modules'), path.join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin')]);
  cpSync(dir, path.join(stage, relative), { recursive: true, filter: (source) => !skip.has(source) });
}

/** onnxruntime-node's `bin/napi-vN/<os>/<arch>/`, minus the files this target's `leaveOut` names. */
function stageOnnxruntimeBinaries(target: VsixTarget, stage: string): void {
  const bin = path.join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin');
  const napiDirs = readdirSync(bin).filter((d) => /^napi-v\d+$/.test(d));
  let copied = 0;
  for (const napi of napiDirs) {
    const source = path.join(bin, napi, target.os, target.arch);
    if (!existsSync(source)) continue;
    const dest = path.join(stage, 'node_modules', 'onnxruntime-node', 'bin', napi, target.os, target.arch);
    mkdirSync(dest, { recursive: true });
    for (const file of readdirSync(source)) {
      if (target.leaveOut.some((pattern) => pattern.test(file))) continue;
      cpSync(path.join(source, file), path.join(dest, file));
      copied++;
    }
  }
  if (copied === 0) throw new Error(`onnxruntime-node ${bin} has no binaries for ${target.os}/${target.arch}`);
}

/** `npm pack <ngrok platform package>@<@ngrok/ngrok's version>` from the registry, unpacked into the stage's node_modules. */
function stageNgrokPackage(target: VsixTarget, stage: string): void {
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', '@ngrok', 'ngrok', 'package.json'), 'utf8')) as { version: string };
  const download = mkdtempSync(path.join(os.tmpdir(), 'model-preview-ngrok-'));
  try {
    const packed = execFileSync('npm', ['pack', `${target.ngrokPackage}@${version}`, '--pack-destination', download, '--json', '--silent'], {
      cwd: download, encoding: 'utf8', shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename }] = JSON.parse(packed) as { filename: string }[];
    execFileSync('tar', ['-xzf', path.join(download, path.basename(filename)), '-C', download]);
    const dest = path.join(stage, 'node_modules', ...target.ngrokPackage.split('/'));
    mkdirSync(path.dirname(dest), { recursive: true });
    renameSync(path.join(download, 'package'), dest);
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

/**
 * Starts building several targets, two at a time (vsce spends most of its time compressing, one core each); one
 * promise per target, so a caller can use the first VSIX while the others are still being built.
 */
export function packageVsixes(targets: readonly VsixTarget[], outDir: string, log?: (line: string) => void): Promise<PackagedVsix>[] {
  mkdirSync(outDir, { recursive: true });
  const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  return targets.map((target, i) => {
    const done = lanes[i % 2].catch(() => undefined).then(() => packageVsix(target, outDir, log));
    lanes[i % 2] = done;
    return done;
  });
}

function parseArgs(argv: string[]): { targets: VsixTarget[]; outDir: string } {
  const targets: VsixTarget[] = [];
  let outDir = repoRoot;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target' && argv[i + 1]) targets.push(vsixTarget(argv[++i]));
    else if (argv[i] === '--out-dir' && argv[i + 1]) outDir = path.resolve(argv[++i]);
    else throw new Error(`unknown argument "${argv[i]}": use --target <${VSIX_TARGETS.map((t) => t.target).join('|')}> (repeatable) and --out-dir <dir>`);
  }
  return { targets: targets.length ? targets : [...VSIX_TARGETS], outDir };
}

if (require.main === module) {
  void (async () => {
    const { targets, outDir } = parseArgs(process.argv.slice(2));
    await Promise.all(packageVsixes(targets, outDir, (line) => process.stdout.write(line + '\n')));
  })().catch((err: Error & { stderr?: Buffer | string }) => {
    process.stderr.write(`npm run package: ${err.message}${err.stderr ? `\n${err.stderr.toString()}` : ''}\n`);
    process.exit(1);
  });
}
