/** The 413 message, the same whichever path (express's body parser or the inference fast path) read the body. */
export const bodyTooLargeMessage = (limit: number | undefined): string => `the request body is larger than the limit of ${limit} bytes`;

/** An answer other than success, with the status and the message the client sees as `{"error": message}`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}
