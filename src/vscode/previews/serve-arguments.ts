import type { ExtensionSettings } from '../settings';

/**
 * How a publish makes its link reachable: a tunnel provider of the server's, `vscode` (port forwarding, done by the
 * extension) or `lan` (no tunnel: the server listens on every interface, for people on this network).
 */
export type PublishTunnel = 'none' | 'lan' | 'ssh' | 'pipenet' | 'ngrok' | 'vscode';

/**
 * The `serve` flags for a publish, from the settings: the same flags a CLI user types, so the extension and the CLI
 * cannot drift apart. Secrets are not flags (they would show in `ps`): they go in the child's environment.
 * `vscode` forwarding needs nothing from the server: the extension maps the local URL with `asExternalUri`.
 */
export function serveArguments(settings: ExtensionSettings, tunnel: PublishTunnel): string[] {
  const args = ['--expires', settings.linkLifetime, ...(settings.keepFeedbackInGit ? ['--keep-feedback-in-git'] : [])];
  const flag = (name: string, value: string | number) => (value === '' ? [] : [name, String(value)]);
  if (tunnel === 'lan') {
    args.push('--host', '0.0.0.0');
  } else if (tunnel === 'ssh') {
    const s = settings.tunnel.ssh;
    args.push('--tunnel', 'ssh', ...flag('--ssh-host', s.host), '--ssh-port', String(s.port), ...flag('--ssh-user', s.user),
      ...flag('--ssh-key', s.identityFile), ...flag('--ssh-host-key', s.hostKey), '--ssh-remote-port', String(s.remotePort), ...flag('--ssh-url', s.urlTemplate));
  } else if (tunnel === 'pipenet') {
    args.push('--tunnel', 'pipenet', ...flag('--pipenet-server', settings.tunnel.pipenet.server));
  } else if (tunnel === 'ngrok') {
    args.push('--tunnel', 'ngrok', ...flag('--ngrok-domain', settings.tunnel.ngrok.domain));
  }
  return args;
}

/**
 * What each choice needs and who can open the link: the first publish's quick pick shows this. Each detail fits VS Code's
 * default quick-pick width (at most `QUICK_PICK_TEXT_MAX` characters, or it is cut off with an ellipsis); the longer
 * story (ngrok's warning page, a reserved domain) is in docs/tunnels.md and the link's own messages (`linkReach`).
 */
export const TUNNEL_CHOICES: Array<{ tunnel: PublishTunnel; label: string; detail: string }> = [
  { tunnel: 'none', label: 'This machine only', detail: 'No tunnel: only this computer can open the link.' },
  { tunnel: 'lan', label: 'Share on this network', detail: 'Anyone on your network with the link can open it; nobody outside.' },
  { tunnel: 'vscode', label: 'VS Code port forwarding', detail: 'Codespaces, remote windows: private unless you make the port public.' },
  { tunnel: 'ssh', label: 'ssh server', detail: 'Your ssh server (modelPreview.tunnel.ssh.*): anyone with the link.' },
  { tunnel: 'pipenet', label: 'pipenet', detail: 'A pipenet server (yours or pipenet.dev): anyone with the link.' },
  { tunnel: 'ngrok', label: 'ngrok', detail: 'ngrok account + authtoken; free plan shows visitors a warning page.' },
];

/** The longest quick-pick line kept; the integration test checks in the workbench that none is cut off. */
export const QUICK_PICK_TEXT_MAX = 70;

/** Where the first publish's answer is kept (user settings). */
export const TUNNEL_SETTING = 'modelPreview.tunnel.provider';
export const TUNNEL_PICK_TITLE = 'Who should be able to open the share link?';
/** Where the answer goes is said once it is given (`tunnelSavedText`): the placeholder must fit the pick's width. */
export const TUNNEL_PICK_PLACEHOLDER = 'Pick one: it is kept for every later publish';

/** The note after the first publish's pick: where the answer was saved and how to change it. */
export function tunnelSavedText(label: string): string {
  return `Publishing with "${label}" from now on: saved in your user settings as ${TUNNEL_SETTING}. Change it there any time.`;
}

/** Who can open a preview's link, in words, by how it was published (the QR panel and the link toasts say it). */
export function linkReach(tunnel: PublishTunnel): string {
  switch (tunnel) {
    case 'none':
      return 'Only this computer can open this link: a phone cannot. To share it, publish on this network or through a tunnel.';
    case 'lan':
      return 'Anyone on your network with the link can open it; nobody outside your network.';
    case 'vscode':
      return 'Through VS Code port forwarding: private to your account unless you make the port public.';
    case 'ngrok':
      return 'Anyone with the link (on ngrok\'s free plan they first see ngrok\'s warning page).';
    default:
      return 'Anyone with the link.';
  }
}
