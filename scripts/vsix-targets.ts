import type { SupportedPlatform } from '../src/shared/platforms';

/**
 * How each supported platform's VSIX is made (src/shared/platforms.ts names them: those onnxruntime-node ships CPU
 * binaries for, in its `bin/napi-vN/<os>/<arch>/`). Intel Macs are not among them: onnxruntime-node 1.30 ships no
 * darwin/x64 binary (the extension says so at activation, src/vscode/platform-support.ts).
 *
 * Shared by the packager (scripts/package-vsix.ts) and the test that opens every VSIX (test/package/).
 */
export interface VsixTarget {
  /** `vsce package --target` name, and the `<os>-<arch>` a VS Code on that machine reports. */
  target: SupportedPlatform;
  os: 'linux' | 'darwin' | 'win32';
  arch: 'x64' | 'arm64';
  /** The @ngrok/ngrok package with this platform's native agent (one of @ngrok/ngrok's optionalDependencies). */
  ngrokPackage: string;
  /**
   * Files of onnxruntime-node's folder for this platform that stay out, and why they may: nothing we run loads them.
   * - darwin: `libonnxruntime.1.30.0.dylib` is a second copy of `libonnxruntime.1.dylib` (a symlink in the release,
   *   flattened by npm); the binding and the library itself name `@rpath/libonnxruntime.1.dylib`.
   * - win32: DirectML.dll is in onnxruntime.dll's delay-load table, loaded only when the DirectML execution provider
   *   is asked for; dxcompiler.dll and dxil.dll are loaded by name only by the GPU providers. Sessions here use the CPU
   *   provider only (src/core/onnx/ort-session.ts). Together they are 36-40 MB (~18 MB compressed).
   */
  leaveOut: RegExp[];
}

const WINDOWS_GPU_ONLY = [/^DirectML\.dll$/, /^dxcompiler\.dll$/, /^dxil\.dll$/];

export const VSIX_TARGETS: readonly VsixTarget[] = [
  { target: 'linux-x64', os: 'linux', arch: 'x64', ngrokPackage: '@ngrok/ngrok-linux-x64-gnu', leaveOut: [] },
  { target: 'linux-arm64', os: 'linux', arch: 'arm64', ngrokPackage: '@ngrok/ngrok-linux-arm64-gnu', leaveOut: [] },
  { target: 'darwin-arm64', os: 'darwin', arch: 'arm64', ngrokPackage: '@ngrok/ngrok-darwin-arm64', leaveOut: [/^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/] },
  { target: 'win32-x64', os: 'win32', arch: 'x64', ngrokPackage: '@ngrok/ngrok-win32-x64-msvc', leaveOut: WINDOWS_GPU_ONLY },
  { target: 'win32-arm64', os: 'win32', arch: 'arm64', ngrokPackage: '@ngrok/ngrok-win32-arm64-msvc', leaveOut: WINDOWS_GPU_ONLY },
];

export function vsixTarget(name: string): VsixTarget {
  const found = VSIX_TARGETS.find((t) => t.target === name);
  if (!found) throw new Error(`unknown target "${name}": one of ${VSIX_TARGETS.map((t) => t.target).join(', ')}`);
  return found;
}

export function vsixFileName(target: VsixTarget): string {
  return `model-preview-${target.target}.vsix`;
}
