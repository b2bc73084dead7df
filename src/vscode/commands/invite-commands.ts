import * as vscode from 'vscode';
import { inviteNameProblem } from '../../shared/invites';
import { linkPasswordProblem } from '../../shared/link-policy';
import { reviewLink } from '../../shared/review-set';
import type { PreviewManager } from '../previews/preview-manager';
import { pickRunningPreview } from './pick';

const COPY = 'Copy link';
const NO_PASSWORD = 'No password of its own';
const OWN_PASSWORD = 'A password for this link…';

/**
 * Asks whether the link gets a password of its own (it then replaces the preview's on this link only): undefined when
 * the person closed the question, null for none.
 */
async function askOwnPassword(name: string): Promise<string | null | undefined> {
  const choice = await vscode.window.showQuickPick([
    { label: NO_PASSWORD, description: 'the share link\'s password, if any, applies' },
    { label: OWN_PASSWORD, description: `${name} types it on the page; it replaces the share link's password on this link` },
  ], { title: `Protect ${name}'s link?`, placeHolder: 'A password of its own for this link, or none' });
  if (!choice) return undefined;
  if (choice.label === NO_PASSWORD) return null;
  const password = await vscode.window.showInputBox({
    title: `Password for ${name}'s link`, prompt: 'At least 8 characters. Send it to them apart from the link; it is stored hashed and not shown again.',
    password: true, ignoreFocusOut: true, validateInput: (value) => linkPasswordProblem(value) ?? undefined,
  });
  return password === undefined ? undefined : password;
}

/**
 * "Invite a reviewer…": a named reviewer's own link, made by the running preview's owner API (the token is stored
 * hashed there and shown only now). Programs (and tests) may pass `{ file, name }` instead of being asked, and
 * `reviewSet` for a link that opens that review set (what "Ask stakeholders…" offers when invite-only is on), and
 * `password` for the link's own password. A person typing the name is also asked whether the link gets a password.
 */
export function registerInviteCommands(previews: PreviewManager): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('modelPreview.inviteReviewer', async (arg?: unknown) => {
      const p = await pickRunningPreview(previews, arg);
      if (!p) return undefined;
      const given = (arg as { name?: unknown } | undefined)?.name;
      const name = typeof given === 'string' ? given : await vscode.window.showInputBox({
        title: `Invite a reviewer to ${p.model}`,
        prompt: 'Their name: their feedback carries it, verified, and you can revoke their link alone (model-preview revoke)',
        validateInput: (value) => inviteNameProblem(value) ?? undefined,
      });
      if (name === undefined) return undefined;
      const givenPassword = (arg as { password?: unknown } | undefined)?.password;
      const password = typeof givenPassword === 'string' ? givenPassword : typeof given === 'string' ? null : await askOwnPassword(name);
      if (password === undefined) return undefined;
      const reviewSet = (arg as { reviewSet?: unknown } | undefined)?.reviewSet;
      const invite = await p.inviteReviewer(name, password ?? undefined);
      const link = typeof reviewSet === 'string' ? reviewLink(invite, reviewSet) : invite;
      const opens = typeof reviewSet === 'string' ? `, opening the review set "${reviewSet}"` : '';
      const guarded = password !== null ? '; it asks for the password you set: send that to them apart from the link' : '';
      void vscode.window.showInformationMessage(`Invitation link for ${name}${opens} (shown only now: copy it and send it to them${guarded}).`, COPY).then((answer) => {
        if (answer === COPY) void vscode.env.clipboard.writeText(link);
      });
      return link;
    }),
  ];
}
