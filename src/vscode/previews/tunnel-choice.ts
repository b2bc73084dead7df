import * as vscode from 'vscode';
import type { ExtensionSettings } from '../settings';
import { TUNNEL_CHOICES, TUNNEL_PICK_PLACEHOLDER, TUNNEL_PICK_TITLE, TUNNEL_SETTING, tunnelSavedText, type PublishTunnel } from './serve-arguments';
import { keyNeedsPassphrase } from './ssh-key-file';

const NGROK_SECRET = 'modelPreview.ngrok.authtoken';
const SSH_PASSPHRASE_SECRET = 'modelPreview.ssh.passphrase';
const LINK_PASSWORD_SECRET = 'modelPreview.linkPassword';
const OPEN_SETTING = 'Open setting';
const NGROK_PROMPT = 'From https://dashboard.ngrok.com/get-started/your-authtoken — kept in VS Code\'s SecretStorage.';

/**
 * Which tunnel a publish uses, and the secrets it needs. The first publish asks (the setting's default is "ask"),
 * saying what each provider needs and who can open the link, remembers the answer in the user settings and says so
 * (with a button to that setting).
 * Secrets live in SecretStorage and reach the server through its environment, never its arguments.
 */
export class TunnelChoice {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Undefined when the user dismissed the question: the publish is cancelled. */
  async resolve(settings: ExtensionSettings): Promise<{ tunnel: PublishTunnel; env: NodeJS.ProcessEnv } | undefined> {
    const tunnel = settings.tunnel.provider === 'ask' ? await this.ask() : settings.tunnel.provider;
    if (!tunnel) return undefined;
    const env: NodeJS.ProcessEnv = {};
    if (tunnel === 'ngrok') {
      const token = await this.secret(NGROK_SECRET, 'ngrok authtoken', NGROK_PROMPT);
      if (!token) return undefined;
      env.NGROK_AUTHTOKEN = token;
    }
    if (tunnel === 'ssh') {
      if (!settings.tunnel.ssh.host || !settings.tunnel.ssh.user || !settings.tunnel.ssh.hostKey) {
        const open = 'Open settings';
        const answer = await vscode.window.showWarningMessage('The ssh tunnel needs a host, a user and the server\'s pinned host key (modelPreview.tunnel.ssh.*).', open);
        if (answer === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'modelPreview.tunnel.ssh');
        return undefined;
      }
      const keyFile = settings.tunnel.ssh.identityFile;
      if (keyFile && await keyNeedsPassphrase(keyFile)) {
        const passphrase = await this.secret(SSH_PASSPHRASE_SECRET, 'ssh key passphrase', `The passphrase of ${keyFile} — kept in VS Code's SecretStorage.`);
        if (!passphrase) return undefined;
        env.MODEL_PREVIEW_SSH_PASSPHRASE = passphrase;
      }
    }
    if (settings.requirePassword) {
      const password = await this.secret(LINK_PASSWORD_SECRET, 'share link password', 'People opening the link type this on the page. At least 8 characters.');
      if (!password) return undefined;
      env.MODEL_PREVIEW_PASSWORD = password;
    }
    if (tunnel === 'vscode' && vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop) {
      // Locally, asExternalUri returns the same localhost URL: say so rather than pretend the link is public.
      void vscode.window.showInformationMessage('VS Code port forwarding only makes a public link in Codespaces and remote windows; here the link stays on this machine.');
    }
    return { tunnel, env };
  }

  /** Stores (or replaces) the ngrok authtoken: typed into a password box, or given by a program. False when none was given. */
  async setNgrokAuthtoken(given?: string): Promise<boolean> {
    if (given?.trim()) {
      await this.secrets.store(NGROK_SECRET, given.trim());
      return true;
    }
    return (await this.askFor(NGROK_SECRET, 'ngrok authtoken', NGROK_PROMPT)) !== undefined;
  }

  /** Forgets the stored secrets (a wrong ngrok token, a changed passphrase). */
  async forgetSecrets(): Promise<void> {
    await Promise.all([NGROK_SECRET, SSH_PASSPHRASE_SECRET, LINK_PASSWORD_SECRET].map((key) => this.secrets.delete(key)));
  }

  private async ask(): Promise<PublishTunnel | undefined> {
    const picked = await vscode.window.showQuickPick(
      TUNNEL_CHOICES.map((c) => ({ label: c.label, detail: c.detail, tunnel: c.tunnel })),
      { title: TUNNEL_PICK_TITLE, placeHolder: TUNNEL_PICK_PLACEHOLDER, ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    await vscode.workspace.getConfiguration().update(TUNNEL_SETTING, picked.tunnel, vscode.ConfigurationTarget.Global);
    // Not awaited: the publish goes on while the note is shown.
    void vscode.window.showInformationMessage(tunnelSavedText(picked.label), OPEN_SETTING).then((answer) => {
      if (answer === OPEN_SETTING) void vscode.commands.executeCommand('workbench.action.openSettings', TUNNEL_SETTING);
    });
    return picked.tunnel;
  }

  private async secret(key: string, what: string, prompt: string): Promise<string | undefined> {
    return (await this.secrets.get(key)) || this.askFor(key, what, prompt);
  }

  /** Asks for a secret in a password box and stores what was typed; undefined when nothing was. */
  private async askFor(key: string, what: string, prompt: string): Promise<string | undefined> {
    const entered = await vscode.window.showInputBox({
      title: `Model Preview: ${what}`, prompt, password: true, ignoreFocusOut: true,
      validateInput: (value) => (key === LINK_PASSWORD_SECRET && value.trim().length < 8 ? 'At least 8 characters: it guards a link on the internet.' : undefined),
    });
    const value = entered?.trim();
    if (value) await this.secrets.store(key, value);
    return value || undefined;
  }
}
