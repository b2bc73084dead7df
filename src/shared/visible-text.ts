/**
 * Text from outside (a model's metadata, what a stakeholder typed) made safe to show in a terminal or a CSV cell:
 * control characters, including ESC that starts terminal escape sequences, become visible `\u001b`-style escapes
 * instead of acting. Tab and newline are kept.
 */
export function terminalSafe(text: string): string {
  // Also the bidirectional controls, which could reorder what a printed line appears to say.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * An error message that may quote what a client sent (an input name, an id, a model name from the URL), as one line
 * safe to show anywhere: terminalSafe, and newlines and tabs made visible too, so a quoted value cannot fake a
 * second line of the message.
 */
export function visibleLine(text: string): string {
  return terminalSafe(text).replace(/[\n\t]/g, (c) => (c === '\n' ? '\\n' : '\\t'));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
