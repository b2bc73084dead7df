import type { TunnelConfig, TunnelSecrets } from '../../shared/tunnel-config';
import { NgrokTunnelProvider } from './ngrok-tunnel';
import { PipenetTunnelProvider } from './pipenet-tunnel';
import * as path from 'node:path';
import { TRUST_ON_FIRST_USE } from './ssh-host-key';
import { sshOptionsFromPreset } from './ssh-presets';
import { defaultSshAgent, SshTunnelProvider } from './ssh-tunnel';
import { TunnelError, type TunnelProvider } from './tunnel-provider';

/** Secrets the CLI reads from its environment (the extension reads them from SecretStorage instead). */
export function secretsFromEnvironment(env: NodeJS.ProcessEnv = process.env): TunnelSecrets {
  return { ngrokAuthtoken: env.NGROK_AUTHTOKEN || undefined, sshPassphrase: env.MODEL_PREVIEW_SSH_PASSPHRASE || undefined };
}

/** What the user calls a setting where they set it, for messages (the CLI: its flags, or a config file's keys). */
export interface TunnelSettingNames {
  hostKey?: string;
}

/**
 * The provider a config names, or undefined for `none`. (pipenet and ngrok load their libraries only when they open,
 * so a preview without them never loads ngrok's native binary.) A config that cannot work is a permanent TunnelError saying which setting is missing.
 */
export async function createTunnelProvider(config: TunnelConfig, secrets: TunnelSecrets, dataDir?: string, names: TunnelSettingNames = {}): Promise<TunnelProvider | undefined> {
  switch (config.provider) {
    case 'none':
      return undefined;
    case 'ssh': {
      const overrides = {
        ...(config.host && { host: config.host }), ...(config.port !== undefined && { port: config.port }),
        ...(config.user && { username: config.user }), ...(config.remotePort !== undefined && { remotePort: config.remotePort }),
        privateKeyFile: config.identityFile, passphrase: secrets.sshPassphrase, hostKey: config.hostKey, hostKeySetting: names.hostKey,
        urlTemplate: config.urlTemplate, agent: config.identityFile ? undefined : defaultSshAgent(),
        // Trust-on-first-use records the key it met in the preview's own known_hosts, next to its tokens.
        knownHostsFile: config.hostKey === TRUST_ON_FIRST_USE && dataDir ? path.join(dataDir, 'known_hosts') : undefined,
      };
      if (config.preset) return new SshTunnelProvider(sshOptionsFromPreset(config.preset, overrides));
      if (!config.host) throw new TunnelError('the ssh tunnel needs a host (--ssh-host, or tunnel.host in the config file)', true);
      if (!config.user) throw new TunnelError('the ssh tunnel needs a user to log in as (--ssh-user, or tunnel.user)', true);
      if (!config.hostKey) throw new TunnelError(`the ssh tunnel needs the server's host key pinned (${names.hostKey ?? 'hostKey'}; \`ssh-keyscan -p ${config.port ?? 22} ${config.host}\` prints it)`, true);
      return new SshTunnelProvider({ ...overrides, host: config.host, username: config.user });
    }
    case 'pipenet':
      return new PipenetTunnelProvider({ server: config.server, subdomain: config.subdomain });
    case 'ngrok':
      return new NgrokTunnelProvider({
        authtoken: secrets.ngrokAuthtoken, domain: config.domain, basicAuth: config.basicAuth,
        oauthProvider: config.oauthProvider, oauthAllowEmails: config.oauthAllowEmails, oauthAllowDomains: config.oauthAllowDomains,
      });
  }
}
