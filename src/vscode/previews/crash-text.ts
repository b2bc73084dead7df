import { describeEnd, type ChildEnd } from '../../client/child-output';

/** Stderr lines a toast shows: enough for a stack's message and where it came from, not the whole trace. */
const TOAST_STDERR_LINES = 3;
const TOAST_LINE_CHARS = 200;

/** What a signal usually means for a server nobody asked to stop, said where the owner will read it. */
const SIGNAL_HINTS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'the system may have run out of memory, or another program killed it',
  SIGSEGV: 'a crash in native code (onnxruntime)',
  SIGABRT: 'a crash in native code (onnxruntime)',
  SIGBUS: 'a crash in native code (onnxruntime)',
  SIGTERM: 'another program asked it to stop',
  SIGINT: 'it was interrupted (Ctrl+C)',
};

/**
 * The crash notification's text: which preview, how its process ended (exit code or signal, with what a signal
 * usually means) and its last stderr lines, so "why" is on the toast itself; the whole output is behind Show log.
 */
export function crashText(modelName: string, end: ChildEnd, lastStderr: readonly string[]): string {
  const hint = end.signal ? SIGNAL_HINTS[end.signal] : undefined;
  const how = `${describeEnd(end)}${hint ? `: ${hint}` : ''}`;
  const tail = lastStderr
    // eslint-disable-next-line no-control-regex
    .map((line) => line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim())
    .filter(Boolean)
    .slice(-TOAST_STDERR_LINES)
    .map((line) => (line.length > TOAST_LINE_CHARS ? `${line.slice(0, TOAST_LINE_CHARS)}…` : line));
  const said = tail.length ? ` Its last output: ${tail.join(' ⏎ ')}` : ' It wrote nothing on stderr.';
  return `The preview of ${modelName} stopped unexpectedly (${how}).${said}`;
}
