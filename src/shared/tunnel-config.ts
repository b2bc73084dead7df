import { z } from 'zod';

/**
 * How a preview's share link is made public: one shape for the CLI (flags and the `tunnel` section of a config file)
 * and the extension (`modelPreview.tunnel.*` settings). Secrets are not part of it: they come from the environment
 * (CLI) or SecretStorage (extension) — see `TunnelSecrets`.
 */
const port = z.number().int().min(0).max(65535);

export const SSH_PRESET_NAMES = ['localhost.run', 'pinggy'] as const;

export const SshTunnelConfigSchema = z.object({
  provider: z.literal('ssh'),
  /** A public no-account service reached with `ssh -R`; its host, user and ports are filled in. */
  preset: z.enum(SSH_PRESET_NAMES).optional(),
  host: z.string().min(1).optional(),
  port: port.optional(),
  user: z.string().min(1).optional(),
  /** A private key file (OpenSSH format); without one the ssh agent (SSH_AUTH_SOCK; on Windows, else the OpenSSH agent's pipe) is used. */
  identityFile: z.string().min(1).optional(),
  /** The server's host key, pinned: a known_hosts line, a public key (`ssh-ed25519 AAAA...`) or a `SHA256:` fingerprint. */
  hostKey: z.string().min(1).optional(),
  /** The port to ask the server to listen on; 0 lets it choose (kept across reconnects). */
  remotePort: port.optional(),
  /** The public URL of the forwarded port, e.g. `https://preview.example.com:{port}/` ({host} and {port} are filled in). */
  urlTemplate: z.string().min(1).optional(),
}).strict();

export const PipenetTunnelConfigSchema = z.object({
  provider: z.literal('pipenet'),
  /** The pipenet server (self-hosted, or the public https://pipenet.dev). */
  server: z.url().optional(),
  subdomain: z.string().regex(/^[a-z0-9-]{4,63}$/, 'a subdomain is 4-63 lowercase letters, digits or dashes').optional(),
}).strict();

export const NgrokTunnelConfigSchema = z.object({
  provider: z.literal('ngrok'),
  /** A reserved ngrok domain (keeps the URL across restarts). */
  domain: z.string().min(1).optional(),
  /** ngrok's own access control: basic auth credentials `user:password`... */
  basicAuth: z.array(z.string().regex(/^[^:]+:.{8,}$/, 'basic auth is user:password, the password at least 8 characters')).optional(),
  /** ...or an OAuth provider (google, github, ...) with allowed e-mails and domains. */
  oauthProvider: z.string().min(1).optional(),
  oauthAllowEmails: z.array(z.string().min(3)).optional(),
  oauthAllowDomains: z.array(z.string().min(1)).optional(),
}).strict();

export const NoTunnelConfigSchema = z.object({ provider: z.literal('none') }).strict();

export const TunnelConfigSchema = z.discriminatedUnion('provider', [NoTunnelConfigSchema, SshTunnelConfigSchema, PipenetTunnelConfigSchema, NgrokTunnelConfigSchema]);

export type TunnelConfig = z.infer<typeof TunnelConfigSchema>;
export type TunnelProviderName = TunnelConfig['provider'];
export const TUNNEL_PROVIDERS: readonly TunnelProviderName[] = ['none', 'ssh', 'pipenet', 'ngrok'];

/** What must not be written in settings or config files. */
export interface TunnelSecrets {
  ngrokAuthtoken?: string;
  sshPassphrase?: string;
}
