import { InvalidArgumentError, Option, type Command } from 'commander';
import { SSH_PRESET_NAMES, TUNNEL_PROVIDERS, TunnelConfigSchema, type TunnelConfig } from '../shared/tunnel-config';
import type { TunnelSettingNames } from '../core/tunnel/create-tunnel-provider';

/** The `--tunnel` flags of `serve`, one group per provider, each documented in `--help`. */
export interface TunnelFlags {
  tunnel?: string;
  sshPreset?: string;
  sshHost?: string;
  sshPort?: number;
  sshUser?: string;
  sshKey?: string;
  sshHostKey?: string;
  sshRemotePort?: number;
  sshUrl?: string;
  pipenetServer?: string;
  pipenetSubdomain?: string;
  ngrokDomain?: string;
  ngrokBasicAuth?: string[];
  ngrokOauth?: string;
  ngrokOauthAllowEmail?: string[];
  ngrokOauthAllowDomain?: string[];
}

const portNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
};
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addTunnelOptions(command: Command): Command {
  return command
    .addOption(new Option('--tunnel <provider>', 'make the share link public through a tunnel').choices(TUNNEL_PROVIDERS as string[]))
    .addOption(new Option('--ssh-preset <name>', 'ssh: a public no-account service (its host key must still be pinned with --ssh-host-key)').choices([...SSH_PRESET_NAMES]))
    .option('--ssh-host <host>', 'ssh: the server that forwards its port to this preview')
    .addOption(new Option('--ssh-port <n>', 'ssh: its ssh port (default 22)').argParser(portNumber))
    .option('--ssh-user <name>', 'ssh: the user to log in as')
    .option('--ssh-key <file>', 'ssh: private key file (default: the ssh agent; passphrase in MODEL_PREVIEW_SSH_PASSPHRASE)')
    .option('--ssh-host-key <key>', 'ssh: the server\'s pinned host key: a known_hosts line, a public key, or SHA256:<fingerprint>; or trust-on-first-use (recorded in <data-dir>/known_hosts)')
    .addOption(new Option('--ssh-remote-port <n>', 'ssh: port the server listens on for the preview (0: it chooses; kept on reconnect)').argParser(portNumber))
    .option('--ssh-url <template>', 'ssh: public URL of the forwarded port, {host} and {port} filled in (default http://{host}:{port}/)')
    .option('--pipenet-server <url>', 'pipenet: the pipenet server (default https://pipenet.dev)')
    .option('--pipenet-subdomain <name>', 'pipenet: subdomain to ask for')
    .option('--ngrok-domain <domain>', 'ngrok: a reserved domain (authtoken in NGROK_AUTHTOKEN)')
    .option('--ngrok-basic-auth <user:password>', 'ngrok: require this login at ngrok\'s edge (repeatable)', collect)
    .option('--ngrok-oauth <provider>', 'ngrok: require an OAuth login (google, github, ...) at ngrok\'s edge')
    .option('--ngrok-oauth-allow-email <email>', 'ngrok: with --ngrok-oauth, allow this e-mail (repeatable)', collect)
    .option('--ngrok-oauth-allow-domain <domain>', 'ngrok: with --ngrok-oauth, allow this e-mail domain (repeatable)', collect);
}

/**
 * How the user set each tunnel setting that messages name: a flag, or the config file's key when the value came from
 * there (with no value at all, the flag to add).
 */
export function tunnelSettingNames(flags: TunnelFlags, fromFile: TunnelConfig | undefined, configFile: string | undefined): TunnelSettingNames {
  const fileHasHostKey = fromFile?.provider === 'ssh' && fromFile.hostKey !== undefined;
  return { hostKey: flags.sshHostKey === undefined && fileHasHostKey ? `tunnel.hostKey in ${configFile}` : '--ssh-host-key' };
}

/**
 * The tunnel to open: the config file's `tunnel` section, with any flag given on the command line taking precedence.
 * Validated by the same schema as the file, so a flag and a file entry fail with the same message.
 */
export function tunnelConfigFrom(flags: TunnelFlags, fromFile: TunnelConfig | undefined): TunnelConfig {
  const provider = flags.tunnel ?? fromFile?.provider ?? 'none';
  // A provider's flag with another provider chosen is a mistake worth saying, not a setting to drop silently.
  for (const [key, value] of Object.entries(flags)) {
    const owner = /^(ssh|pipenet|ngrok)[A-Z]/.exec(key)?.[1];
    if (owner && owner !== provider && value !== undefined) {
      const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
      throw new InvalidArgumentError(`${flag} is a ${owner} option, but the tunnel is ${provider} (add --tunnel ${owner})`);
    }
  }
  const base: Record<string, unknown> = fromFile?.provider === provider ? { ...fromFile } : { provider };
  const given: Record<string, unknown> = provider === 'ssh'
    ? { preset: flags.sshPreset, host: flags.sshHost, port: flags.sshPort, user: flags.sshUser, identityFile: flags.sshKey, hostKey: flags.sshHostKey, remotePort: flags.sshRemotePort, urlTemplate: flags.sshUrl }
    : provider === 'pipenet'
      ? { server: flags.pipenetServer, subdomain: flags.pipenetSubdomain }
      : provider === 'ngrok'
        ? { domain: flags.ngrokDomain, basicAuth: flags.ngrokBasicAuth, oauthProvider: flags.ngrokOauth, oauthAllowEmails: flags.ngrokOauthAllowEmail, oauthAllowDomains: flags.ngrokOauthAllowDomain }
        : {};
  for (const [key, value] of Object.entries(given)) if (value !== undefined) base[key] = value;
  const parsed = TunnelConfigSchema.safeParse(base);
  if (!parsed.success) {
    throw new InvalidArgumentError(`--tunnel ${provider}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
