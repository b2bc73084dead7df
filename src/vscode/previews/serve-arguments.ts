import type { ExtensionSettings } from '../settings';

/** The tunnel a publish uses: a provider of the server's, or `vscode` (port forwarding, done by the extension). */
export type PublishTunnel = 'none' | 'ssh' | 'pipenet' | 'ngrok' | 'vscode';

/**
 * The `serve` flags for a publish, from the settings: the same flags a CLI user types, so the extension and the CLI
 * cannot drift apart. Secrets are not flags (they would show in `ps`): they go in the child's environment.
 * `vscode` forwarding needs nothing from the server: the extension maps the local URL with `asExternalUri`.
 */
export function serveArguments(settings: ExtensionSettings, tunnel: PublishTunnel): string[] {
  const args = ['--expires', settings.linkLifetime, ...(settings.keepFeedbackInGit ? ['--keep-feedback-in-git'] : [])];
  const flag = (name: string, value: string | number) => (value === '' ? [] : [name, String(value)]);
  if (tunnel === 'ssh') {
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

/** What each choice needs and who can open the link: the first publish's quick pick shows this. */
export const TUNNEL_CHOICES: Array<{ tunnel: PublishTunnel; label: string; detail: string }> = [
  { tunnel: 'none', label: 'This machine only', detail: 'No tunnel. Only people on this computer can open the link.' },
  { tunnel: 'vscode', label: 'VS Code port forwarding', detail: 'Codespaces and remote windows: the forwarded URL; private to your account unless you make the port public.' },
  { tunnel: 'ssh', label: 'ssh server', detail: 'Needs an ssh server you can log in to (modelPreview.tunnel.ssh.*). Anyone who can reach its port and has the link.' },
  { tunnel: 'pipenet', label: 'pipenet', detail: 'Needs a pipenet server (yours, or pipenet.dev). Anyone with the link.' },
  { tunnel: 'ngrok', label: 'ngrok', detail: 'Needs an ngrok account and authtoken (kept in SecretStorage). Anyone with the link.' },
];
