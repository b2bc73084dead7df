import type { TunnelConfig, TunnelSecrets } from '../../shared/tunnel-config';
import { TunnelError, type TunnelProvider } from './tunnel-provider';

/** Secrets the CLI reads from its environment (the extension reads them from SecretStorage instead). */
export function secretsFromEnvironment(env: NodeJS.ProcessEnv = process.env): TunnelSecrets {
  return { ngrokAuthtoken: env.NGROK_AUTHTOKEN || undefined, sshPassphrase: env.MODEL_PREVIEW_SSH_PASSPHRASE || undefined };
}

/** The provider a config names, or undefined for `none`. WIP: providers are wired in once they land. */
export async function createTunnelProvider(config: TunnelConfig, _secrets: TunnelSecrets): Promise<TunnelProvider | undefined> {
  if (config.provider === 'none') return undefined;
  throw new TunnelError(`the ${config.provider} tunnel is not wired in yet`, true);
}
