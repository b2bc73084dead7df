import * as path from 'node:path';

/**
 * The data folder's known ways to refuse a write. They are conditions of the owner's machine, not bugs: the client
 * gets a status that says "not your fault, try later" (507, or 503 for a failing disk) and a sentence saying why;
 * the owner is told once what to fix (see StorageHealth).
 */
const KNOWN: Record<string, { status: number; visitor: string; owner: string }> = {
  ENOSPC: { status: 507, visitor: "the preview owner's disk is full", owner: 'the disk is full' },
  EDQUOT: { status: 507, visitor: "the preview owner's disk quota is used up", owner: 'the disk quota is used up' },
  EFBIG: { status: 507, visitor: "the preview owner's data file has reached the largest size their system allows", owner: 'the file is as large as the system allows (a file size limit: ulimit -f or the file system)' },
  EROFS: { status: 507, visitor: "the preview owner's data folder is read-only", owner: 'the file system is read-only' },
  EIO: { status: 503, visitor: "the preview owner's disk reported an input/output error", owner: 'the disk reported an input/output error (check the disk)' },
};

export class StorageError extends Error {
  override readonly name = 'StorageError';
  /** What the client is told (no path: the owner's disk layout is theirs). */
  readonly clientMessage: string;
  /** What the owner is told: the file, the cause in words, and the OS code. */
  readonly ownerMessage: string;

  constructor(readonly code: string, readonly file: string, readonly status: number, visitor: string, owner: string) {
    super(`cannot write ${file}: ${owner} (${code})`);
    this.clientMessage = `${visitor}, so nothing new can be saved right now; try again later (the owner has been told)`;
    this.ownerMessage = `cannot write ${path.basename(file)} in ${path.dirname(file)}: ${owner} (${code}). New predictions and feedback are refused`
      + ` (HTTP ${status}) until it can be written again; everything already saved is intact, and pages keep unsent feedback and retry.`;
  }
}

/** The error as a StorageError when its OS code is one of the known conditions; any other error unchanged. */
export function asStorageError(err: unknown, file: string): unknown {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const known = code !== undefined && Object.hasOwn(KNOWN, code) ? KNOWN[code] : undefined;
  return known ? new StorageError(code!, file, known.status, known.visitor, known.owner) : err;
}
