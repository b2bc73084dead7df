/** "just now", "5 minutes ago", "yesterday", ... from two instants (ms since the epoch); English, like the page and the view. */
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 1000], ['minute', 60_000], ['hour', 3_600_000], ['day', 86_400_000], ['week', 604_800_000],
];

// Made at the first use, not when the script loads: making one loads ICU's relative-time data, 50-67 ms in each new
// Chromium page (measured), which was on the path of the page's first screen.
let format: Intl.RelativeTimeFormat | undefined;

export function relativeTime(thenMs: number, nowMs: number): string {
  if (!Number.isFinite(thenMs)) return 'at an unknown time';
  const diff = thenMs - nowMs;
  const abs = Math.abs(diff);
  if (abs < 45_000) return 'just now';
  let unit: Intl.RelativeTimeFormatUnit = 'second';
  let size = 1000;
  for (const [u, s] of UNITS) {
    if (abs >= s * 0.95) {
      unit = u;
      size = s;
    }
  }
  if (unit === 'second') {
    unit = 'minute';
    size = 60_000;
  }
  format ??= new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  return format.format(Math.round(diff / size), unit);
}
