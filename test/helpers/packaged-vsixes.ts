import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageVsixes, type PackagedVsix } from '../../scripts/package-vsix';
import { VSIX_TARGETS, type VsixTarget } from '../../scripts/vsix-targets';

let packaging: Map<VsixTarget, Promise<PackagedVsix>> | undefined;

/**
 * A platform's VSIX, built by the same code `npm run package` runs (from the current dist/). The first call starts
 * building every platform's, once per test run, into a temporary folder removed when the process exits: the content
 * test and the install test share them, and the install test waits for linux-x64 only.
 */
export function packagedVsix(target: VsixTarget): Promise<PackagedVsix> {
  if (!packaging) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-vsixes-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const built = packageVsixes(VSIX_TARGETS, dir);
    built.forEach((p) => p.catch(() => undefined)); // a failure is reported by the test that awaits it
    packaging = new Map(VSIX_TARGETS.map((t, i) => [t, built[i]]));
  }
  return packaging.get(target)!;
}

/** Time for packaging every target on a loaded 2-core machine (~2.5 min measured), for the first hook that waits. */
export const PACKAGING_TIMEOUT_MS = 420_000;
