import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageVsixes, type PackagedVsix } from '../../scripts/package-vsix';
import { VSIX_TARGETS } from '../../scripts/vsix-targets';

let packaging: Promise<PackagedVsix[]> | undefined;

/**
 * Every platform's VSIX, built once per test run by the same code `npm run package` runs (from the current dist/),
 * into a temporary folder removed when the process exits: the content test and the install test share them.
 */
export function packagedVsixes(): Promise<PackagedVsix[]> {
  if (!packaging) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-vsixes-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    packaging = packageVsixes(VSIX_TARGETS, dir);
  }
  return packaging;
}

/** Time for packaging every target on a loaded 2-core machine (~2.5 min measured), for the first hook that waits. */
export const PACKAGING_TIMEOUT_MS = 420_000;
