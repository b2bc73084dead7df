import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelPreviewExtension } from '../../../src/vscode/model-preview-extension';
import { syntheticFeedback } from '../../helpers/synthetic-feedback';
import { askPage, EXTENSION_ID, handshake, until } from './suite-kit';

/**
 * The sidebar a data scientist lives in, in a real VS Code extension host: the walkthrough ticking on a real export,
 * the Feedback view's badge, title actions, filters and sort, the Models tree's context menu, and a clean shutdown of
 * the output channel. Starts on an empty workspace (the export happens during the run). What only a person looking at
 * the window would see is read by the launcher's page callback (test/integration/sidebar.test.ts).
 */
const REPO = path.resolve(__dirname, '../../../..');


/** How often the walkthrough is opened and closed, the Feedback view checked after each (its page once stayed blank). */
const WALKTHROUGH_ROUNDS = 4;

const tokenOf = (link: string) => new URL(link).searchParams.get('t');


/** Every write to the "Model Preview" channel, and each that threw (a write to a closed channel throws). */
const writes: Array<{ level: string; line: string; threw?: string }> = [];
function recordLog(log: vscode.LogOutputChannel): void {
  for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
    const write = log[level].bind(log) as (message: string, ...args: unknown[]) => void;
    Object.assign(log, {
      [level]: (message: string, ...args: unknown[]) => {
        const entry: { level: string; line: string; threw?: string } = { level, line: message };
        writes.push(entry);
        try {
          write(message, ...args);
        } catch (err) {
          entry.threw = (err as Error).message;
          throw err;
        }
      },
    });
  }
}

describe('The Model Preview sidebar in a real VS Code extension host', () => {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const iris = path.join(folder, 'iris', 'iris.onnx');
  let api: ModelPreviewExtension;
  let shareUrl: string;

  const sendFeedback = async (body: Record<string, unknown>, features = [6.7, 3.0, 5.2, 2.3]) => {
    const token = new URL(shareUrl).searchParams.get('t')!;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const predicted = await (await fetch(new URL('/api/predict', shareUrl), { method: 'POST', headers, body: JSON.stringify({ inputs: { features } }) })).json() as { predictionId: string };
    const sent = await fetch(new URL('/api/feedback', shareUrl), {
      method: 'POST', headers, body: JSON.stringify({ predictionId: predicted.predictionId, idempotencyKey: `sidebar-${Math.random().toString(36).slice(2)}`, ...body }),
    });
    assert.equal(sent.status, 201, await sent.text());
  };

  it('activates (the workspace has no model yet)', async () => {
    const extension = vscode.extensions.getExtension<ModelPreviewExtension>(EXTENSION_ID)!;
    api = await extension.activate();
    recordLog(api.log);
    assert.equal(api.catalog.models.length, 0);
  });

  it('the walkthrough ticks "Export a model" when a notebook-style torch export writes an .onnx file, not before', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#firstPublish`, false);
    const before = await askPage<{ steps: Record<string, string> }>('walkthrough-before', {});
    if (before) assert.equal(before.steps.export, 'false', `step 1 is not ticked before any export: ${JSON.stringify(before.steps)}`);
    mkdirSync(path.dirname(iris), { recursive: true });
    // A real export, as a notebook cell does it: torch writes the file.
    execFileSync('/usr/bin/python3', ['-c', [
      'import sys, torch',
      'torch.manual_seed(0)',
      'm = torch.nn.Sequential(torch.nn.Linear(4, 3))',
      'torch.onnx.export(m, torch.randn(1, 4), sys.argv[1], input_names=["features"], output_names=["logits"], dynamic_axes={"features": {0: "batch"}, "logits": {0: "batch"}})',
    ].join('\n'), iris], { stdio: 'pipe' });
    copyFileSync(path.join(REPO, 'examples/iris/iris.preview.json'), path.join(folder, 'iris', 'iris.preview.json'));
    await until('the export in the Models tree', () => api.catalog.models.some((m) => m.file === iris && m.description));
    const after = await askPage<{ steps: Record<string, string>; code: Array<{ text: string; overflow: number }> }>('walkthrough-after', {});
    if (after) {
      assert.ok(after.code.length >= 2, `the step shows its code samples: ${JSON.stringify(after.code)}`);
      assert.deepEqual(after.code.filter((c) => c.overflow > 0), [], 'every code sample fits its box (nothing cut off)');
      assert.equal(after.steps.export, 'true', `step 1 is ticked after the export: ${JSON.stringify(after.steps)}`);
      assert.equal(after.steps.publish, 'false', 'publishing is still to do');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('publishes the exported model', async () => {
    shareUrl = await vscode.commands.executeCommand<string>('modelPreview.publish', vscode.Uri.file(iris));
    assert.match(shareUrl, /^http:\/\/127\.0\.0\.1:\d+\/\?t=/);
  });

  it('feedback that arrives while the Feedback view is out of sight raises a badge on the activity bar; showing the view clears it', async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    await sendFeedback({ rating: 'down', expected: 'virginica', reasons: ['wrong answer'], comment: 'petals look long', reviewer: 'Dana (sales)' });
    await sendFeedback({ rating: 'up', reviewer: 'Ravi' }, [5.1, 3.5, 1.4, 0.2]);
    await until('two unseen', () => api.feedbackView.unseenCount === 2);
    const shown = await askPage<{ badge: string }>('badge', { expect: '2' });
    if (shown) assert.equal(shown.badge, '2', 'the Model Preview activity-bar icon shows 2');
    await vscode.commands.executeCommand('modelPreview.feedback.focus');
    await until('the badge to clear', () => api.feedbackView.unseenCount === 0);
    const cleared = await askPage<{ badge: string }>('badge-cleared', { expect: '' });
    if (cleared) assert.equal(cleared.badge, '', 'no badge once the view was shown');

    // Hidden again (the view now has a page): one more raises it again, on the view itself.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await sendFeedback({ rating: 'down', expected: 'setosa', comment: 'looks like a setosa to me' });
    await until('one unseen', () => api.feedbackView.unseenCount === 1);
    const again = await askPage<{ badge: string }>('badge-again', { expect: '1' });
    if (again) assert.equal(again.badge, '1');
    await vscode.commands.executeCommand('modelPreview.feedback.focus');
    await until('the badge to clear again', () => api.feedbackView.unseenCount === 0);
    const clearedAgain = await askPage<{ badge: string }>('badge-cleared-again', { expect: '' });
    if (clearedAgain) assert.equal(clearedAgain.badge, '', 'no badge once the view was shown again');
  });

  it('the Feedback view gets most of the sidebar: the Models tree is the smaller part', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.modelPreview');
    const sizes = await askPage<{ models: number; feedback: number }>('view-sizes', {});
    if (sizes) assert.ok(sizes.feedback > 2 * sizes.models, `Feedback ${sizes.feedback} px, Models ${sizes.models} px`);
  });

  it('the Feedback view shows its cards again each time the walkthrough tab was opened and closed', async () => {
    for (let round = 1; round <= WALKTHROUGH_ROUNDS; round++) {
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#firstPublish`, false);
      await askPage(`walkthrough-open-${round}`, { last: round === WALKTHROUGH_ROUNDS });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('modelPreview.feedback.focus');
      const seen = await askPage<{ cards: number; frames: string }>(`cards-after-walkthrough-${round}`, {});
      if (seen) assert.equal(seen.cards, 3, `round ${round}: the Feedback view shows its 3 cards, not a blank page; the webviews show:\n${seen.frames}`);
    }
    // How often the provider had to load the page again (its log line), for whoever reads the run's artifacts.
    const reloads = writes.filter((w) => /Feedback view's page did not load/.test(w.line)).map((w) => w.line);
    mkdirSync(path.join(REPO, 'test-results'), { recursive: true });
    writeFileSync(path.join(REPO, 'test-results', 'feedback-view-reloads.txt'), `${reloads.length} reload(s) in ${WALKTHROUGH_ROUNDS} rounds\n${reloads.join('\n')}\n`);
  });

  it('cards show the inputs; the filter bar finds by text, rating, reviewer and reason; the title bar sorts thumbs-down first', async () => {
    await vscode.commands.executeCommand('modelPreview.feedback.focus');
    const seen = await askPage<{
      inputs: string[]; focused: boolean; byText: number; byRating: string[]; byReviewer: number; newest: string[]; worst: string[]; anonymous: number;
      reasonChoices: string[]; byReason: string[]; cutOff: string[];
    }>('filters', {});
    if (!seen) return;
    assert.ok(seen.inputs.includes('features: [6.7, 3, 5.2, 2.3]'), `a card shows its inputs on one line: ${seen.inputs.join(' | ')}`);
    assert.deepEqual(seen.cutOff, [], 'each filter dropdown shows its whole text at the sidebar\'s width');
    assert.equal(seen.focused, true, 'the Filter title action puts the cursor in the search box');
    assert.equal(seen.byText, 1, 'searching "petals" finds the one comment that says it');
    assert.deepEqual(seen.byRating, ['up'], 'Thumbs up alone');
    assert.equal(seen.byReviewer, 1, 'Dana (sales) gave one');
    assert.equal(seen.anonymous, 1, 'one came without a name');
    assert.deepEqual(seen.reasonChoices, ['Any reason', 'wrong answer (1)'], 'the reason filter lists the reasons given, with counts');
    assert.deepEqual(seen.byReason, ['down'], 'one thumbs-down said "wrong answer"');
    assert.deepEqual(seen.newest, ['down', 'up', 'down'], 'newest first');
    assert.deepEqual(seen.worst, ['down', 'down', 'up'], 'thumbs-down first after the title-bar sort');
    assert.equal(api.feedbackView.cardOrder, 'worst');
  });

  it('the title bar\'s Open feedback file, Export CSV and Insert loader act on the running preview', async () => {
    const feedbackFile = path.join(api.previews.get(iris)!.dataDir, 'feedback.jsonl');
    const notebookFile = path.join(folder, 'analysis.ipynb');
    await writeFile(notebookFile, JSON.stringify({ cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['import pandas as pd'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(notebookFile));
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('modelPreview.feedback.focus');
    const clicked = await askPage<{ clicked: string[] }>('title-actions', { csv: path.join(path.dirname(feedbackFile), 'feedback.csv') }, 60_000);
    if (!clicked) return;
    assert.deepEqual(clicked.clicked, ['Insert feedback loader into notebook', 'Export feedback as CSV', 'Open feedback file']);
    assert.equal(notebook.cellCount, 2, 'the loader cell was added to the notebook');
    assert.match(notebook.cellAt(1).document.getText(), /read_json/);
    const csv = await until('the CSV', () => existsSync(path.join(path.dirname(feedbackFile), 'feedback.csv')) && readFileSync(path.join(path.dirname(feedbackFile), 'feedback.csv'), 'utf8'));
    assert.equal(csv.trim().split('\n').length, 4, 'a header and three records');
    await until('feedback.jsonl in an editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === feedbackFile);
  });

  it('right-clicking a published model offers what its inline actions do, and more; Copy share link copies it', async () => {
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('workbench.view.extension.modelPreview');
    const menu = await askPage<{ items: string[] }>('context-menu', { click: 'Copy share link' });
    if (!menu) return;
    for (const item of ['Stop preview', 'Copy share link', 'Open preview page', 'Rotate share link', 'Customize stakeholder page…', 'Export feedback as CSV', 'Open feedback file']) {
      assert.ok(menu.items.includes(item), `the menu has "${item}": ${menu.items.join(' | ')}`);
    }
    assert.ok(!menu.items.includes('Publish model preview'), 'a published model is not offered Publish');
    assert.equal(await until('the copied link', async () => (await vscode.env.clipboard.readText()) || undefined), shareUrl);
  });

  it('opening iris.onnx shows the model editor: signature, size, version, sidecar, publish state with link and its QR code, and the latest feedback; Stop, Publish and Customize page work from it', async () => {
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(iris));
    const version = api.catalog.get(iris)!.description!.version;
    const seen = await askPage<{ inputs: string; outputs: string; facts: string; sidecar: string; link: string; feedback: number; qrCode: string; stoppedState: string; stoppedQrCodes: number; republishedLink: string; republishedQrCode: string }>('model-editor', { version }, 60_000);
    if (!seen) return;
    assert.match(seen.inputs, /features\s+FP32\s+\[batch, 4\]/);
    assert.match(seen.outputs, /logits\s+FP32\s+\[batch, 3\]/);
    assert.match(seen.facts, new RegExp(`iris/iris\\.onnx · [0-9.]+ (B|KB) · version ${version}`));
    assert.match(seen.sidecar, /Page settings: iris\.preview\.json/);
    assert.equal(seen.link, shareUrl, 'the editor shows the share link');
    assert.equal(seen.qrCode, shareUrl, 'beside it, a QR code a phone\'s camera reads as that link');
    assert.equal(seen.feedback, 3, 'the latest feedback is listed');
    assert.match(seen.stoppedState, /Not published/, 'Stop in the editor stopped the preview');
    assert.equal(seen.stoppedQrCodes, 0, 'no QR code of a stopped link');
    const again = await until('the preview running again', () => api.previews.get(iris));
    assert.equal(seen.republishedLink, again.shareUrl, 'the editor shows the new run\'s link');
    assert.equal(seen.republishedQrCode, again.shareUrl, 'and its QR code');
    assert.equal(tokenOf(again.shareUrl), tokenOf(shareUrl), 'Publish in the editor brought the link back with the same token');
    shareUrl = again.shareUrl;
    const sidecar = path.join(path.dirname(iris), 'iris.preview.json');
    await until('"Customize page" opening iris.preview.json', () => vscode.window.activeTextEditor?.document.uri.fsPath === sidecar);
    assert.equal(JSON.parse(readFileSync(sidecar, 'utf8')).title, 'Iris species classifier', 'the page settings there were left as they were');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the notebook toolbar\'s "Publish model preview" publishes the model that notebook exported', async () => {
    await vscode.commands.executeCommand('modelPreview.stop', { file: iris });
    const notebookFile = path.join(folder, 'train.ipynb');
    await writeFile(notebookFile, JSON.stringify({
      cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['torch.onnx.export(model, x, "iris/iris.onnx", input_names=["features"])'] }],
      metadata: {}, nbformat: 4, nbformat_minor: 5,
    }));
    await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(vscode.Uri.file(notebookFile)));
    const clicked = await askPage<{ buttons: string[] }>('notebook-toolbar', {}, 60_000);
    if (clicked) {
      assert.ok(clicked.buttons.includes('Insert export cell'), `the toolbar offers the export cell: ${clicked.buttons.join(' | ')}`);
    } else {
      await vscode.commands.executeCommand('modelPreview.publishFromNotebook');
    }
    const preview = await until('the preview of the exported model', () => api.previews.get(iris), 30_000);
    assert.equal(tokenOf(preview.shareUrl), tokenOf(shareUrl));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('"Open feedback table" in the Feedback view\'s title bar: every record of the workspace (5,000 from an older run and the live ones) in a virtualised, sortable, filterable table with both charts; a row opens its exact record', async () => {
    const older = path.join(folder, '.model-preview', 'older', 'model');
    mkdirSync(older, { recursive: true });
    writeFileSync(path.join(older, 'feedback.jsonl'), syntheticFeedback(5_000).map((r) => JSON.stringify(r)).join('\n') + '\n');
    // The Feedback view's title-bar button opens it (the palette command without a page to click on).
    await vscode.commands.executeCommand('modelPreview.feedback.focus');
    if (!handshake) await vscode.commands.executeCommand('modelPreview.openFeedbackTable');
    const seen = await askPage<{
      status: string; rowElements: number; lastRowIndex: number; lines: number; bars: number; legend: string[]; oldestFirst: string; filtered: string; cspViolations: string[];
    }>('feedback-table', { search: 'petals look long' }, 90_000);
    assert.equal(api.feedbackTable.recordCount, 5_003);
    if (seen) {
      assert.equal(seen.status, '5003 of 5003 feedback');
      assert.ok(seen.rowElements < 100, `only the rows in view exist in the DOM (${seen.rowElements})`);
      assert.equal(seen.lastRowIndex, 5_004, 'scrolled to the end, the last record is drawn (aria-rowindex counts the header)');
      assert.equal(seen.lines, 4, 'one up-share line per version: iris@v1, v2, v3 and the published one');
      for (const reason of ['wrong answer', 'should not answer', 'unfair to some group', '(no reason given)']) {
        assert.ok(seen.legend.includes(reason), `the reasons chart's legend names "${reason}": ${seen.legend.join(' | ')}`);
      }
      assert.ok(seen.bars >= 12, `each version's thumbs-down stacked by reason (${seen.bars} bars)`);
      assert.equal(seen.oldestFirst, '2026-11-01 00:00', 'the Time header sorts oldest first on a second click');
      assert.equal(seen.filtered, '1 of 5003 feedback (filtered)');
      assert.deepEqual(seen.cspViolations, [], 'the charts and the table draw under the webview CSP');
    } else {
      return;
    }
    const opened = await until('the clicked row\'s record', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'model-preview-record'));
    const record = JSON.parse(opened.document.getText()) as { comment: string; inputs: { features: { data: number[][] } } };
    assert.equal(record.comment, 'petals look long');
    assert.deepEqual(record.inputs.features.data.flat(), [6.7, 3.0, 5.2, 2.3], 'the exact input of that record');
  });

  it('a card whose record was given a picture shows a thumbnail of it (the blob the server stored, under the view\'s CSP)', async () => {
    const model = path.join(folder, 'vision', 'image-conv.onnx');
    mkdirSync(path.dirname(model), { recursive: true });
    copyFileSync(path.join(REPO, 'test/fixtures/models/image-conv.onnx'), model);
    const link = await vscode.commands.executeCommand<string>('modelPreview.publish', vscode.Uri.file(model));
    // A picture a person can tell apart: the left half light, the right half dark, normalised as a model's input is.
    const side = 320;
    const image = Array.from({ length: 3 * side * side }, (_, i) => ((i % side) < side / 2 ? 2.2 : -2.1));
    const headers = { authorization: `Bearer ${tokenOf(link)}`, 'content-type': 'application/json' };
    const predicted = await fetch(new URL('/api/predict', link), { method: 'POST', headers, body: JSON.stringify({ inputs: { image } }) });
    assert.equal(predicted.status, 200, await predicted.clone().text());
    const { predictionId } = await predicted.json() as { predictionId: string };
    const sent = await fetch(new URL('/api/feedback', link), {
      method: 'POST', headers, body: JSON.stringify({ predictionId, rating: 'down', comment: 'that is a door, not a cat', idempotencyKey: 'sidebar-picture' }),
    });
    assert.equal(sent.status, 201, await sent.text());
    const preview = api.previews.get(model)!;
    await until('the picture\'s feedback', () => preview.feedback.length === 1);
    assert.ok('blob' in preview.feedback[0].inputs.image, 'the server stored the picture as a blob');
    await vscode.commands.executeCommand('modelPreview.feedback.focus');
    const shown = await askPage<{ width: number; height: number; left: number; right: number; src: string }>('card-thumbnail', {}, 60_000);
    if (shown) {
      assert.match(shown.src, /^data:image\/png;base64,/);
      assert.deepEqual([shown.width, shown.height], [64, 64], 'a 64-pixel thumbnail of the 320-pixel picture');
      assert.ok(shown.left > 200 && shown.right < 50, `light on the left (${shown.left}), dark on the right (${shown.right}), as sent`);
    }
    await vscode.commands.executeCommand('modelPreview.stop', { file: model });
  });

  it('the notebook toolbar\'s "Publish model preview" on a notebook that exported nothing asks which model, and publishes the one chosen', async () => {
    const model = path.join(folder, 'vision', 'image-conv.onnx');
    assert.equal(api.previews.get(model), undefined, 'not published to begin with');
    const notebookFile = path.join(folder, 'explore.ipynb');
    await writeFile(notebookFile, JSON.stringify({
      cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['import pandas as pd'] }], metadata: {}, nbformat: 4, nbformat_minor: 5,
    }));
    await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(vscode.Uri.file(notebookFile)));
    const models = api.catalog.models.map((m) => m.file);
    assert.ok(models.length >= 2 && models.includes(model), `two models or more to choose from: ${models.join(', ')}`);
    const publishing = vscode.commands.executeCommand<string | undefined>('modelPreview.publishFromNotebook');
    // The quick pick lists the catalog's models in order, the first one active: move to image-conv and accept it.
    await new Promise((r) => setTimeout(r, 1_500));
    for (let i = 0; i < models.indexOf(model); i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const link = await publishing;
    const preview = await until('the chosen model published', () => api.previews.get(model), 60_000);
    assert.equal(link, preview.shareUrl, 'the toolbar action published the model picked in the list');
    await vscode.commands.executeCommand('modelPreview.stop', { file: model });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the walkthrough ticks "Read the feedback" once feedback arrived', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#firstPublish`, false);
    const steps = await askPage<{ steps: Record<string, string> }>('walkthrough-done', {});
    if (steps) {
      assert.equal(steps.steps.publish, 'true', JSON.stringify(steps.steps));
      assert.equal(steps.steps.feedback, 'true', JSON.stringify(steps.steps));
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shutting down as VS Code does (deactivate, then the subscriptions disposed at once) writes nothing to a closed output channel', async () => {
    const extension = vscode.extensions.getExtension<ModelPreviewExtension>(EXTENSION_ID)!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(path.join(extension.extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> | undefined };
    const pid = api.previews.get(iris)!.process.pid;
    const from = writes.length;
    // The extension host's order (extHostExtensionService): deactivate() is called, then the context's subscriptions
    // are disposed right away, while deactivate's promise (servers stopping) is still pending.
    const stopping = main.deactivate();
    for (const d of (api as unknown as { context: vscode.ExtensionContext }).context.subscriptions) d.dispose();
    await stopping;
    await new Promise((r) => setTimeout(r, 1_000)); // anything logged late, as the child's last output arrives
    assert.throws(() => process.kill(pid, 0), 'the server is gone');
    const during = writes.slice(from);
    assert.ok(during.length > 0, 'stopping logs what it does');
    assert.deepEqual(during.filter((w) => w.threw), [], 'no line was written to a closed channel');
    assert.deepEqual(writes.filter((w) => w.level === 'error').map((w) => w.line), [], 'no error line in the output channel in the whole run');
  });
});
