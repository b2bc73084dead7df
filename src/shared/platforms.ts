/**
 * The `<os>-<arch>` platforms Model Preview serves models on: those onnxruntime-node ships CPU binaries for. One VSIX
 * is built per platform (scripts/vsix-targets.ts). Not Intel Macs (onnxruntime-node has no darwin-x64 build) and not
 * Alpine/musl (its Linux binaries need glibc).
 */
export const SUPPORTED_PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64', 'win32-arm64'] as const;

export type SupportedPlatform = (typeof SUPPORTED_PLATFORMS)[number];
