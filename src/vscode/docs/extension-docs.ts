import { readdir } from 'node:fs/promises';
import * as path from 'node:path';

/** What "How it works" and "Open documentation" open. */
export const README = 'README.md';

/**
 * The documents the extension ships that `modelPreview.openDocs` may open: the README and docs/*.md (the walkthrough
 * links to docs/sidecar.md with `command:modelPreview.openDocs?["docs/sidecar.md"]`, since a walkthrough's markdown
 * can follow only http and command links). Anything else is refused: the command can be called with any argument.
 */
export function isShippedDoc(relative: unknown): relative is string {
  return typeof relative === 'string' && (relative === README || /^docs\/[a-z0-9-]+\.md$/.test(relative));
}

/**
 * The path of an extension file as it is on disk, found case-insensitively when the exact name is missing: the VSIX
 * packager stores the README as `readme.md`, and on Linux (case-sensitive) `README.md` is then not found.
 * Undefined when there is no such file under any case.
 */
export async function findExtensionFile(extensionPath: string, relative: string): Promise<string | undefined> {
  let dir = extensionPath;
  for (const segment of relative.split('/')) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return undefined;
    }
    const name = names.includes(segment) ? segment : names.find((n) => n.toLowerCase() === segment.toLowerCase());
    if (!name) return undefined;
    dir = path.join(dir, name);
  }
  return dir;
}
