/** A model file that cannot be served: the message names the file and the reason, ready to show as one line. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
  }
}
