import * as path from 'node:path';
import picomatch from 'picomatch';

/**
 * Do file names differ only by case (and Unicode form) on this machine's usual file systems? Windows (NTFS) and macOS
 * (APFS, HFS+) are case-insensitive by default; Linux is not. VS Code compares paths by the same rule. Read from
 * `process.platform` at each call.
 */
export function caseInsensitivePaths(): boolean {
  return process.platform === 'win32' || process.platform === 'darwin';
}

/**
 * The identity of a file path: two paths naming the same file give the same key. On Windows and macOS, `C:\Work\Iris.onnx`
 * and `c:/work/iris.onnx` are one file (drive-letter case differs between VS Code's URIs and paths from elsewhere; a
 * notebook may re-export with other casing); on Linux they are two.
 */
export function pathKey(file: string): string {
  if (process.platform === 'win32') return path.win32.normalize(file).normalize('NFC').toLowerCase();
  if (process.platform === 'darwin') return file.normalize('NFC').toLowerCase();
  return file;
}

/** A Map keyed by file path that treats two spellings of one file as one key (see `pathKey`); it keeps the values' own paths. */
export class PathMap<V> {
  private readonly map = new Map<string, V>();

  get size(): number {
    return this.map.size;
  }

  get(file: string): V | undefined {
    return this.map.get(pathKey(file));
  }

  has(file: string): boolean {
    return this.map.has(pathKey(file));
  }

  set(file: string, value: V): this {
    this.map.set(pathKey(file), value);
    return this;
  }

  delete(file: string): boolean {
    return this.map.delete(pathKey(file));
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}

/**
 * Is a workspace-relative path excluded by the exclude globs (`**\/node_modules/**`, `**\/.venv/**`, ...)? On
 * case-insensitive systems `Node_Modules/` and `.VENV/` are those same folders, so the globs match without case there.
 */
export function isExcludedPath(relativePath: string, excludeGlobs: readonly string[]): boolean {
  return excludeGlobs.length > 0 && picomatch.isMatch(relativePath.replace(/\\/g, '/'), [...excludeGlobs], { dot: true, nocase: caseInsensitivePaths() });
}
