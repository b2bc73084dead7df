import { access, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { SUPPORTED_PLATFORMS } from '../shared/platforms';

/**
 * Can this machine serve models? The server loads onnxruntime-node's native binary for `process.platform` /
 * `process.arch` from the extension's own node_modules, and each VSIX holds one platform's only. Read at activation
 * (one folder listing, no onnxruntime load), so the user hears it once and plainly, instead of a cryptic "Cannot find
 * module .../onnxruntime_binding.node" at every publish.
 *
 * Intel Macs get their own answer: onnxruntime-node ships no darwin-x64 binary at all, and its WebAssembly build is
 * not shipped as a stand-in (docs/extension.md, "Platforms", has the measurements and the reasons).
 */
export async function localServingProblem(extensionPath: string): Promise<string | undefined> {
  const { platform, arch } = process;
  if (await hasOnnxruntimeBinary(extensionPath, platform, arch)) return undefined;
  if (platform === 'darwin' && arch === 'x64') {
    return 'Model Preview cannot serve models on an Intel Mac: onnxruntime, which runs the models, has no build for macOS on Intel. ' +
      'Open the folder in a container or a remote machine instead (Dev Containers "Reopen in Container", Remote-SSH, Codespaces): ' +
      'the extension and its server then run there. Apple Silicon Macs, Linux and Windows are supported.';
  }
  const supported: readonly string[] = SUPPORTED_PLATFORMS;
  const here = `${platform}-${arch}`;
  return supported.includes(here)
    ? `Model Preview cannot serve models here: this copy has no onnxruntime binary for ${here} (a VSIX for another platform was installed). Install model-preview-${here}.vsix.`
    : `Model Preview cannot serve models on ${here}: onnxruntime has no build for it. Supported: ${supported.join(', ')}; a remote window on one of those works.`;
}

/** onnxruntime-node loads `bin/napi-v<N>/<platform>/<arch>/onnxruntime_binding.node` (its dist/binding.js). */
async function hasOnnxruntimeBinary(extensionPath: string, platform: string, arch: string): Promise<boolean> {
  const bin = path.join(extensionPath, 'node_modules', 'onnxruntime-node', 'bin');
  const napiDirs = await readdir(bin).catch(() => [] as string[]);
  for (const napi of napiDirs) {
    if (await access(path.join(bin, napi, platform, arch, 'onnxruntime_binding.node')).then(() => true, () => false)) return true;
  }
  return false;
}
