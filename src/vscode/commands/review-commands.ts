import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OwnerApiError } from '../../client/owner-api';
import { REVIEW_LIMITS, reviewFileFormat, reviewLink, reviewSetNameProblem } from '../../shared/review-set';
import type { PreviewManager } from '../previews/preview-manager';
import { fileOf, pickRunningPreview } from './pick';

const COPY = 'Copy review link';
const OPEN = 'Open review';
const PUBLISH = 'Publish model preview';
const INVITE = 'Invite a reviewer…';

/** What the command gives back (to programs and tests): the set added, its cases and its Review-mode link. */
export interface ReviewSetAdded {
  name: string;
  cases: number;
  /** The share link's review link: with invite-only on it does not open, and each reviewer needs an invite instead. */
  link: string;
  inviteOnly: boolean;
}

/** The file's name as a review set's name: the characters a name may hold kept, the others made "-". */
function defaultName(file: string): string {
  const base = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9 ._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return base.slice(0, REVIEW_LIMITS.nameLength) || 'cases';
}

/**
 * "Ask stakeholders about these cases…" on a .jsonl or .csv file (the explorer's context menu, or the palette on the
 * active editor's file): adds it as a review set to a running preview through its owner API — the same call as
 * `model-preview review add` — which checks it against the served model and stores it whole or not at all. Programs
 * (and tests) may pass `{ file, name }` instead of being asked.
 */
export function registerReviewCommands(previews: PreviewManager, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('modelPreview.askStakeholders', async (arg?: unknown): Promise<ReviewSetAdded | undefined> => {
      const editor = vscode.window.activeTextEditor?.document.uri;
      const file = fileOf(arg) ?? (editor?.scheme === 'file' ? editor.fsPath : undefined);
      if (!file) {
        void vscode.window.showInformationMessage('Right-click a .jsonl or .csv file of cases in the explorer (or open one) to ask stakeholders about them.');
        return undefined;
      }
      let format: 'jsonl' | 'csv';
      try {
        format = reviewFileFormat(path.basename(file));
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
        return undefined;
      }
      if (previews.all.length === 0) {
        void vscode.window.showInformationMessage(`No model preview is running to ask about ${path.basename(file)}: publish the model these cases are for, then ask again.`, PUBLISH)
          .then((answer) => answer === PUBLISH && vscode.commands.executeCommand('modelPreview.publish'));
        return undefined;
      }
      const preview = await pickRunningPreview(previews);
      if (!preview) return undefined;
      const given = (arg as { name?: unknown } | undefined)?.name;
      const name = typeof given === 'string' ? given : await vscode.window.showInputBox({
        title: `Ask stakeholders about ${path.basename(file)} (${preview.model})`,
        prompt: 'The review set\'s name: reviewers choose it on the page, and their feedback names it',
        value: defaultName(file),
        validateInput: (value) => reviewSetNameProblem(value) ?? undefined,
      });
      if (name === undefined) return undefined;
      let cases: number;
      try {
        const { size } = await stat(file);
        if (size > REVIEW_LIMITS.bytes) {
          throw new Error(`the file is ${(size / 1024 / 1024).toFixed(1)} MB, over the ${REVIEW_LIMITS.bytes / 1024 / 1024} MB a review set holds; split it into several files`);
        }
        const list = await preview.process.owner.addReviewSet(name, format, await readFile(file, 'utf8'));
        cases = list.sets.find((s) => s.name === name)?.cases ?? 0;
      } catch (err) {
        const problem = err instanceof OwnerApiError && err.serverMessage ? err.serverMessage : (err as Error).message;
        log.error(`ask stakeholders about ${file}: ${(err as Error).message}`);
        void vscode.window.showErrorMessage(`${path.basename(file)} was not added as a review set: ${problem}. Nothing was added; fix the file and ask again.`);
        return undefined;
      }
      const link = reviewLink(preview.shareUrl, name);
      // Not knowing (an older server, a hiccup) is taken as "off": the link offered then is the one that worked before.
      const inviteOnly = await preview.process.owner.invites().then((list) => list.inviteOnly, () => false);
      if (inviteOnly) {
        void vscode.window.showInformationMessage(
          `Added the review set "${name}" (${cases} case${cases === 1 ? '' : 's'}) to ${preview.model}. Invite-only is on, so the share link does not open: invite each reviewer, and their own link opens these cases.`,
          INVITE,
        ).then((answer) => answer === INVITE && vscode.commands.executeCommand('modelPreview.inviteReviewer', { file: preview.file, reviewSet: name }));
        return { name, cases, link, inviteOnly };
      }
      void vscode.window.showInformationMessage(
        `Added the review set "${name}" (${cases} case${cases === 1 ? '' : 's'}) to ${preview.model}: send the review link, and reviewers step through the cases one by one.`,
        COPY, OPEN,
      ).then((answer) => {
        if (answer === COPY) void vscode.env.clipboard.writeText(link);
        if (answer === OPEN) void vscode.env.openExternal(vscode.Uri.parse(link));
      });
      return { name, cases, link, inviteOnly };
    }),
  ];
}
