/**
 * What the extension sends the server it forked, over the child's IPC channel, to stop it gracefully (finish requests
 * in flight, flush feedback.jsonl and predictions.jsonl, free the port, exit 0). Not a signal: on Windows SIGTERM is
 * TerminateProcess, a hard kill no handler sees, so it would cut a write short.
 */
export const STOP_REQUEST = { type: 'model-preview/stop' } as const;

export function isStopRequest(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === STOP_REQUEST.type;
}
