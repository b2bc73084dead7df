import type { ShareLinkChangedEvent, TunnelUrlChangedEvent } from '../../shared/events';

/**
 * What to tell the owner when a preview's link changed without them asking, so they can send the new one: undefined
 * when there is nothing to tell (a rotation: the owner asked for it, and the Rotate command says so itself). Reasons
 * this extension does not know yet (a newer server) still get a notification: a changed link is always news.
 */
export function linkChangeText(model: string, event: ShareLinkChangedEvent | TunnelUrlChangedEvent): string | undefined {
  if (event.event === 'tunnel-url-changed') {
    return `The public link of ${model} changed: the ${event.provider} tunnel could not get its address back. The old link no longer works; send the new one.`;
  }
  // A plain string: the server's reasons may be more than this build's schema lists.
  const reason: string = event.reason;
  switch (reason) {
    case 'rotated':
      return undefined;
    case 'expired':
      return `The share link of ${model} had expired: a new one was made. The old link no longer works; send the new one.`;
    case 'port-changed':
      return `The share link of ${model} changed: its port was taken by another program, so the server listens on another one. The old link no longer works; send the new one.`;
    default:
      return `The share link of ${model} changed (${reason}). The old link no longer works; send the new one.`;
  }
}
