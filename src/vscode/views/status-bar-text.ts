import type { RunningPreview } from '../previews/running-preview';

/** Shown text for the previews: pure, so the format is unit-tested. */
export function statusText(previews: Array<Pick<RunningPreview, 'model' | 'counts' | 'tunnelState'>>): { text: string; tooltip: string; label: string } | undefined {
  if (previews.length === 0) return undefined;
  const sum = (key: 'predictions' | 'up' | 'down') => previews.reduce((n, p) => n + p.counts[key], 0);
  const icon = previews.some((p) => p.tunnelState === 'down' || p.tunnelState === 'unreachable') ? '$(warning)'
    : previews.some((p) => p.tunnelState === 'reconnecting') ? '$(sync~spin)' : '$(broadcast)';
  const what = previews.length === 1 ? previews[0].model : `${previews.length} previews`;
  const text = `${icon} ${what}  $(pulse) ${sum('predictions')}  $(thumbsup) ${sum('up')}  $(thumbsdown) ${sum('down')}`;
  const lines = previews.map((p) => `${p.model}: ${p.counts.predictions} predictions, ${p.counts.up} up, ${p.counts.down} down${TUNNEL_STATE_TEXT[p.tunnelState]}`);
  return { text, tooltip: `Model Preview — click for the share link\n${lines.join('\n')}`, label: `Model Preview: ${lines.join('; ')}` };
}

/** What the status bar's tooltip adds for a tunnel state (nothing when all is well). */
const TUNNEL_STATE_TEXT: Record<RunningPreview['tunnelState'], string> = {
  none: '', up: '', reconnecting: ' (tunnel reconnecting)', down: ' (tunnel down: link local only)', unreachable: ' (tunnel up, but the link does not reach it from outside)',
};
