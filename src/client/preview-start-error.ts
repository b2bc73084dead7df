import type { ChildOutput } from './child-output';

export const START_CANCELLED = 'the preview server start was cancelled';

/** `start` failed: the child is gone. `lastStderr` holds its last words (also in the message). */
export class PreviewStartError extends Error {
  constructor(message: string, readonly lastStderr: string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'PreviewStartError';
  }
}

/** Any failure of the start as a PreviewStartError that carries the child's last stderr lines. */
export function asStartError(err: Error, output: ChildOutput): PreviewStartError {
  if (err instanceof PreviewStartError && err.lastStderr.length > 0) return err;
  return new PreviewStartError(err.message, output.lastStderr(), { cause: err.cause ?? err });
}

/** The last stderr lines as the end of an error message ('' when there are none). */
export function stderrSuffix(lines: string[]): string {
  const text = lines.join('\n').trim();
  return text ? `: ${text}` : '';
}
