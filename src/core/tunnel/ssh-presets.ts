/**
 * Public `ssh -R` services that need no account, as plain data for the ssh tunnel. Their host keys are not in here:
 * they cannot be fetched (or checked) offline, and a key copied into source goes stale when the service re-keys. The
 * user pins the key (`ssh-keyscan` prints it) or explicitly chooses trust-on-first-use with a known_hosts file.
 */
import { TRUST_ON_FIRST_USE } from './ssh-host-key';
import type { SshTunnelOptions } from './ssh-tunnel';
import { TunnelError } from './tunnel-provider';

export interface SshPreset {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** What to ask the server to listen on; these services map it to a public HTTPS name. */
  readonly remotePort: number;
  /** The tunnel's URL among everything the service prints (its banner also links to its own pages). */
  readonly urlPattern: RegExp;
  readonly docs: string;
}

export const SSH_PRESETS = {
  // `ssh -R 80:localhost:8080 nokey@localhost.run`: "nokey" asks for an anonymous tunnel (no account, no key).
  // The URL is printed after the forward is set up, e.g. "…tunneled with tls termination, https://<id>.lhr.life".
  'localhost.run': {
    host: 'localhost.run',
    port: 22,
    username: 'nokey',
    remotePort: 80,
    urlPattern: /https:\/\/[a-z0-9-]+\.(?:lhr\.life|lhrtunnel\.link)\b/i,
    docs: 'https://localhost.run/docs/',
  },
  // `ssh -p 443 -R0:localhost:8000 free.pinggy.io` (pinggy.io/docs/usages; older pages say a.pinggy.io). No login
  // is needed; the user name carries a token or keywords, so we send a plain word rather than the local login name.
  // Without a pty it prints plain lines with an http:// and an https:// URL; we take the https one.
  pinggy: {
    host: 'free.pinggy.io',
    port: 443,
    username: 'free',
    remotePort: 0,
    urlPattern: /https:\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.free\.pinggy\.[a-z]+\b/i,
    docs: 'https://pinggy.io/docs/',
  },
} as const satisfies Record<string, SshPreset>;

export type SshPresetName = keyof typeof SSH_PRESETS;

export function isSshPresetName(name: string): name is SshPresetName {
  return Object.hasOwn(SSH_PRESETS, name);
}

/**
 * The ssh tunnel options for a preset, with the caller's overrides on top. `hostKey` is required: a pinned key, or
 * 'trust-on-first-use' together with `knownHostsFile`.
 */
export function sshOptionsFromPreset(name: string, overrides: Partial<SshTunnelOptions> = {}): SshTunnelOptions {
  if (!isSshPresetName(name)) {
    throw new TunnelError(`unknown ssh tunnel preset "${name}"; known: ${Object.keys(SSH_PRESETS).join(', ')}`, true);
  }
  const preset: SshPreset = SSH_PRESETS[name];
  if (!overrides.hostKey) {
    const setting = overrides.hostKeySetting ?? 'hostKey';
    throw new TunnelError(`the ${name} tunnel needs its host key pinned: run \`ssh-keyscan -p ${preset.port} ${preset.host}\` on a network you trust and give its output as ${setting}, or ${setting} "${TRUST_ON_FIRST_USE}" (the key met first is recorded in the preview's known_hosts and required from then on)`, true);
  }
  return {
    host: preset.host,
    port: preset.port,
    username: preset.username,
    remotePort: preset.remotePort,
    urlFromOutput: true,
    urlPattern: preset.urlPattern,
    ...overrides,
  };
}
