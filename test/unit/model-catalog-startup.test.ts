import '../webview/fake-vscode';
import * as assert from 'node:assert/strict';
import { fakeWorkspace } from '../webview/fake-vscode';
import { ModelCatalog } from '../../src/vscode/models/model-catalog';
import type { ModelInspector } from '../../src/vscode/models/model-inspector';
import { DEFAULT_SETTINGS } from '../../src/vscode/settings';

/**
 * Fake vscode (plain mocha): the watchers here never report anything — what VS Code's file watcher does with changes made
 * before it has started listening (a notebook exporting in the window's first seconds, or a busy machine). The first-run
 * suite in real VS Code missed its "iris.onnx was exported" offer this way on a loaded CI machine.
 */
describe('Models catalog, while VS Code\'s file watcher is not yet listening (fake vscode: watchers that report nothing)', () => {
  const inspector = { describe: async () => ({}), forget: () => undefined } as unknown as ModelInspector;
  let catalog: ModelCatalog | undefined;

  beforeEach(() => {
    fakeWorkspace.files = ['/workspace/old.onnx'];
    fakeWorkspace.findFilesDelayMs = 0;
    fakeWorkspace.findFilesCalls = 0;
  });
  afterEach(() => catalog?.dispose());

  async function announcedWithin(ms: number, appeared: string[]): Promise<void> {
    const until = Date.now() + ms;
    while (!appeared.length && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  it('a model exported after the first scan, whose create event never came, is still announced as exported', async () => {
    catalog = new ModelCatalog(inspector, DEFAULT_SETTINGS, [100, 300]);
    const appeared: string[] = [];
    catalog.onDidAppear((uri) => appeared.push(uri.fsPath));
    await catalog.start();
    assert.deepEqual(catalog.models.map((m) => m.file), ['/workspace/old.onnx']);
    fakeWorkspace.files.push('/workspace/notebooks/iris.onnx');
    await announcedWithin(2_000, appeared);
    assert.deepEqual(appeared, ['/workspace/notebooks/iris.onnx'], 'the new model is news; the old one is not');
    assert.ok(catalog.get('/workspace/notebooks/iris.onnx'), 'and it is in the catalog');
  });

  it('a model that was there before the window opened is never taken for a new export, however slow the first scan', async () => {
    fakeWorkspace.findFilesDelayMs = 400; // the first scan outlasts the first look's time
    catalog = new ModelCatalog(inspector, DEFAULT_SETTINGS, [50, 100]);
    const appeared: string[] = [];
    catalog.onDidAppear((uri) => appeared.push(uri.fsPath));
    await catalog.start();
    await new Promise((r) => setTimeout(r, 1_200)); // both looks ran
    assert.equal(fakeWorkspace.findFilesCalls, 3, 'the first scan and two looks after it');
    assert.deepEqual(appeared, []);
  });

  it('disposing the catalog cancels the looks still to come', async () => {
    catalog = new ModelCatalog(inspector, DEFAULT_SETTINGS, [100]);
    await catalog.start();
    catalog.dispose();
    fakeWorkspace.files.push('/workspace/late.onnx');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fakeWorkspace.findFilesCalls, 1, 'only the first scan');
  });
});
