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

/** What each choice needs and who can open the link (and what they see first): the first publish's quick pick shows this. */
export const TUNNEL_CHOICES: Array<{ tunnel: PublishTunnel; label: string; detail: string }> = [
  { tunnel: 'none', label: 'This machine only', detail: 'No tunnel. Only people on this computer can open the link.' },
  { tunnel: 'lan', label: 'Share on this network', detail: 'No tunnel: the link uses this computer\'s address on your network (office, home Wi-Fi). Anyone on your network with the link can open it; nobody outside.' },
  { tunnel: 'vscode', label: 'VS Code port forwarding', detail: 'Codespaces and remote windows: the forwarded URL; private to your account unless you make the port public.' },
  { tunnel: 'ssh', label: 'ssh server', detail: 'Needs an ssh server you can log in to (modelPreview.tunnel.ssh.*). Anyone who can reach its port and has the link.' },
  { tunnel: 'pipenet', label: 'pipenet', detail: 'Needs a pipenet server (yours, or pipenet.dev). Anyone with the link.' },
  { tunnel: 'ngrok', label: 'ngrok', detail: 'Needs an ngrok account and authtoken (kept in SecretStorage). Anyone with the link. On the free plan, ngrok shows visitors its own warning page ("You are about to visit…") before the preview; a reserved domain on a paid plan does not.' },
];

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
