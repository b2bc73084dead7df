/**
 * A request body as the HTTP parser delivered it, in chunks that are not joined on the HTTP thread: they are copied
 * once, straight to their place in the buffer a worker gets (worker-slot.ts). Joining them first was a second copy
 * of every large body (1.2 MB for a 3x320x320 FP32 image, ~0.3 ms of the HTTP thread's time per request).
 */
export class BodyChunks {
  /** `length`: the chunks' total byte length. */
  constructor(readonly chunks: readonly Uint8Array[], readonly length: number) {}
}

/** A request's body: its bytes, or its chunks still apart. */
export type RequestBody = Uint8Array | BodyChunks;

/** Copies the body's bytes into `target` at `offset`. */
export function copyBody(body: RequestBody, target: Uint8Array, offset: number): void {
  if (body instanceof Uint8Array) return target.set(body, offset);
  for (const chunk of body.chunks) {
    target.set(chunk, offset);
    offset += chunk.length;
  }
}
