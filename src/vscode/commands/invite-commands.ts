import * as vscode from 'vscode';
import { inviteNameProblem } from '../../shared/invites';
import { reviewLink } from '../../shared/review-set';
import type { PreviewManager } from '../previews/preview-manager';
import { pickRunningPreview } from './pick';

const COPY = 'Copy link';

/**
 * "Invite a reviewer…": a named reviewer's own link, made by the running preview's owner API (the token is stored
 * hashed there and shown only now). Programs (and tests) may pass `{ file, name }` instead of being asked, and
 * `reviewSet` for a link that opens that review set (what "Ask stakeholders…" offers when invite-only is on).
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
      const reviewSet = (arg as { reviewSet?: unknown } | undefined)?.reviewSet;
      const invite = await p.inviteReviewer(name);
      const link = typeof reviewSet === 'string' ? reviewLink(invite, reviewSet) : invite;
      const opens = typeof reviewSet === 'string' ? `, opening the review set "${reviewSet}"` : '';
      void vscode.window.showInformationMessage(`Invitation link for ${name}${opens} (shown only now: copy it and send it to them).`, COPY).then((answer) => {
        if (answer === COPY) void vscode.env.clipboard.writeText(link);
      });
      return link;
    }),
  ];
}
