/**
 * Runs `fn` with `process.platform` (and `process.arch`) reporting another machine: for the code paths that branch on
 * them (Windows, macOS) tested here on Linux. The real values come back afterwards, also when `fn` throws.
 */
export async function onPlatform<T>(platform: NodeJS.Platform, arch: NodeJS.Architecture | undefined, fn: () => T | Promise<T>): Promise<T> {
  const saved = { platform: Object.getOwnPropertyDescriptor(process, 'platform')!, arch: Object.getOwnPropertyDescriptor(process, 'arch')! };
  Object.defineProperty(process, 'platform', { ...saved.platform, value: platform });
  if (arch) Object.defineProperty(process, 'arch', { ...saved.arch, value: arch });
  try {
    return await fn();
  } finally {
    Object.defineProperty(process, 'platform', saved.platform);
    Object.defineProperty(process, 'arch', saved.arch);
  }
}
