import { spawnSync } from 'node:child_process';

/** Debian's Python (the pyenv python3 on PATH does not see Debian's pandas). */
const PYTHON = '/usr/bin/python3';

/**
 * Reads a JSON Lines file the way the docs tell data scientists to: `pandas.read_json(path, lines=True)`. Returns the
 * number of rows, or throws with pandas' own complaint.
 */
export function pandasRowCount(file: string): number {
  const r = spawnSync(PYTHON, ['-c', 'import sys, pandas; print(len(pandas.read_json(sys.argv[1], lines=True)))', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pandas.read_json(${file}, lines=True) failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
  return Number(r.stdout.trim());
}
