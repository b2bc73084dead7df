import type { TunnelProviderName } from '../shared/tunnel-config';

/**
 * The extension's settings as one plain object, with the same defaults as package.json's `contributes.configuration`
 * (a unit test keeps the two equal). Read through a `get` function so this file needs no `vscode` and is unit-tested
 * as is; `vscode/settings-source.ts` passes `workspace.getConfiguration('modelPreview').get`.
 */
export interface ExtensionSettings {
  modelInclude: string[];
  modelExclude: string[];
  dataFolder: string;
  port: number;
  /** 0: one per core (the server's own default). */
  workers: number;
  notifyOnExport: boolean;
  linkLifetime: string;
  /** The share link also needs a password (asked at the first publish, kept in SecretStorage). */
  requirePassword: boolean;
  /** Let git see the preview's predictions and feedback (by default its data folder's .gitignore hides them). */
  keepFeedbackInGit: boolean;
  /** `untilStopped`: previews run as processes of their own that outlive the window, until Stop. */
  keepRunning: 'whileWindowOpen' | 'untilStopped';
  tunnel: {
    /** `lan` and `vscode` are the extension's own: no server tunnel (every interface; VS Code port forwarding). */
    provider: TunnelProviderName | 'lan' | 'vscode' | 'ask';
    ssh: { host: string; port: number; user: string; identityFile: string; hostKey: string; remotePort: number; urlTemplate: string };
    pipenet: { server: string };
    ngrok: { domain: string };
  };
}

export const DEFAULT_SETTINGS: ExtensionSettings = {
  modelInclude: ['**/*.onnx'],
  modelExclude: [
    '**/node_modules/**', '**/.git/**', '**/.venv/**', '**/venv/**', '**/site-packages/**', '**/dist-packages/**',
    '**/__pycache__/**', '**/.ipynb_checkpoints/**', '**/.tox/**', '**/.nox/**', '**/build/**', '**/dist/**',
  ],
  dataFolder: '.model-preview',
  port: 0,
  workers: 0,
  notifyOnExport: true,
  linkLifetime: '24h',
  requirePassword: false,
  keepFeedbackInGit: false,
  keepRunning: 'whileWindowOpen',
  tunnel: {
    provider: 'ask',
    ssh: { host: '', port: 22, user: '', identityFile: '', hostKey: '', remotePort: 0, urlTemplate: '' },
    pipenet: { server: 'https://pipenet.dev' },
    ngrok: { domain: '' },
  },
};

const PROVIDERS = ['ask', 'none', 'lan', 'ssh', 'pipenet', 'ngrok', 'vscode'] as const;

export type SettingGetter = (key: string) => unknown;

/** A value of the wrong type (a hand-edited settings.json) falls back to the default instead of breaking a command. */
export function readSettings(get: SettingGetter): ExtensionSettings {
  const d = DEFAULT_SETTINGS;
  const str = (key: string, fallback: string) => {
    const v = get(key);
    return typeof v === 'string' ? v : fallback;
  };
  const int = (key: string, fallback: number, min: number, max: number) => {
    const v = get(key);
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
  };
  const globs = (key: string, fallback: string[]) => {
    const v = get(key);
    return Array.isArray(v) && v.every((g) => typeof g === 'string' && g.trim() !== '') ? (v as string[]) : fallback;
  };
  const provider = get('tunnel.provider');
  return {
    modelInclude: globs('models.include', d.modelInclude),
    modelExclude: globs('models.exclude', d.modelExclude),
    dataFolder: str('dataFolder', d.dataFolder).trim() || d.dataFolder,
    port: int('port', d.port, 0, 65535),
    workers: int('workers', d.workers, 0, 64),
    notifyOnExport: typeof get('notifyOnExport') === 'boolean' ? (get('notifyOnExport') as boolean) : d.notifyOnExport,
    linkLifetime: str('linkLifetime', d.linkLifetime).trim() || d.linkLifetime,
    requirePassword: typeof get('requirePassword') === 'boolean' ? (get('requirePassword') as boolean) : d.requirePassword,
    keepFeedbackInGit: typeof get('keepFeedbackInGit') === 'boolean' ? (get('keepFeedbackInGit') as boolean) : d.keepFeedbackInGit,
    keepRunning: get('keepRunning') === 'untilStopped' ? 'untilStopped' : d.keepRunning,
    tunnel: {
      provider: PROVIDERS.includes(provider as (typeof PROVIDERS)[number]) ? (provider as ExtensionSettings['tunnel']['provider']) : d.tunnel.provider,
      ssh: {
        host: str('tunnel.ssh.host', d.tunnel.ssh.host),
        port: int('tunnel.ssh.port', d.tunnel.ssh.port, 1, 65535),
        user: str('tunnel.ssh.user', d.tunnel.ssh.user),
        identityFile: str('tunnel.ssh.identityFile', d.tunnel.ssh.identityFile),
        hostKey: str('tunnel.ssh.hostKey', d.tunnel.ssh.hostKey),
        remotePort: int('tunnel.ssh.remotePort', d.tunnel.ssh.remotePort, 0, 65535),
        urlTemplate: str('tunnel.ssh.urlTemplate', d.tunnel.ssh.urlTemplate),
      },
      pipenet: { server: str('tunnel.pipenet.server', d.tunnel.pipenet.server) },
      ngrok: { domain: str('tunnel.ngrok.domain', d.tunnel.ngrok.domain) },
    },
  };
}

/** Flattens the defaults to `key -> value` (the shape of package.json's configuration), for the test that compares them. */
export function flattenSettings(settings: ExtensionSettings): Record<string, unknown> {
  const t = settings.tunnel;
  return {
    'models.include': settings.modelInclude, 'models.exclude': settings.modelExclude, dataFolder: settings.dataFolder,
    port: settings.port, workers: settings.workers, notifyOnExport: settings.notifyOnExport, linkLifetime: settings.linkLifetime,
    requirePassword: settings.requirePassword, keepFeedbackInGit: settings.keepFeedbackInGit, keepRunning: settings.keepRunning,
    'tunnel.provider': t.provider,
    ...Object.fromEntries(Object.entries(t.ssh).map(([k, v]) => [`tunnel.ssh.${k}`, v])),
    'tunnel.pipenet.server': t.pipenet.server, 'tunnel.ngrok.domain': t.ngrok.domain,
  };
}
