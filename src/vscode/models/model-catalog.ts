import * as vscode from 'vscode';
import type { ExtensionSettings } from '../settings';
import type { ModelInspector } from './model-inspector';
import type { ModelEntry } from './model-tree';
import { isExcludedPath, PathMap } from './path-key';

/**
 * Every model file in the workspace, kept current by a FileSystemWatcher: created, rewritten (a notebook exporting
 * again) and deleted files. Tells listeners when the list changes, and separately when a file appears that was not
 * there before (the "iris.onnx was exported — Publish preview?" notification). Entries are keyed by file identity
 * (`PathMap`): on Windows and macOS one file seen with two casings (the watcher, a search, the explorer) is one entry.
 */
export class ModelCatalog implements vscode.Disposable {
  private readonly entries = new PathMap<ModelEntry>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly appeared = new vscode.EventEmitter<vscode.Uri>();
  private watchers: vscode.Disposable[] = [];

  /** The list (or an entry's description or publish state) changed. */
  readonly onDidChange = this.changed.event;
  /** A model file was created after the first scan. */
  readonly onDidAppear = this.appeared.event;

  constructor(private readonly inspector: ModelInspector, private settings: ExtensionSettings) {}

  get models(): ModelEntry[] {
    return [...this.entries.values()];
  }

  get(file: string): ModelEntry | undefined {
    return this.entries.get(file);
  }

  /** Finds the models and starts watching. Called once; again when the globs change. */
  async start(settings = this.settings): Promise<void> {
    this.settings = settings;
    this.watchers.forEach((w) => w.dispose());
    this.watchers = this.settings.modelInclude.map((glob) => {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      return vscode.Disposable.from(
        watcher,
        watcher.onDidCreate((uri) => this.add(uri, true)),
        watcher.onDidChange((uri) => this.refresh(uri.fsPath)),
        watcher.onDidDelete((uri) => this.remove(uri.fsPath)),
      );
    });
    await this.rescan();
  }

  async rescan(): Promise<void> {
    const exclude = this.settings.modelExclude.length ? `{${this.settings.modelExclude.join(',')}}` : undefined;
    const found = (await Promise.all(this.settings.modelInclude.map((g) => vscode.workspace.findFiles(g, exclude, 5000)))).flat();
    const files = new PathMap<true>();
    for (const uri of found) files.set(uri.fsPath, true);
    for (const { file } of [...this.entries.values()]) if (!files.has(file)) this.entries.delete(file);
    await Promise.all(found.map((uri) => this.add(uri, false)));
    this.changed.fire();
  }

  /** Marks a model as published (or not): the tree shows it and its link actions. */
  setPublished(file: string, published: ModelEntry['published']): void {
    const entry = this.entries.get(file);
    if (!entry || JSON.stringify(entry.published) === JSON.stringify(published)) return;
    entry.published = published;
    this.changed.fire();
  }

  dispose(): void {
    this.watchers.forEach((w) => w.dispose());
    this.changed.dispose();
    this.appeared.dispose();
  }

  /** The watchers see every matching file; the exclude globs (node_modules, .venv, ...) are applied here. */
  private isExcluded(uri: vscode.Uri): boolean {
    return isExcludedPath(vscode.workspace.asRelativePath(uri, false), this.settings.modelExclude);
  }

  private async add(uri: vscode.Uri, isNew: boolean): Promise<void> {
    if (this.isExcluded(uri)) return;
    const file = uri.fsPath;
    const known = this.entries.has(file);
    if (!known) this.entries.set(file, { file, relativePath: vscode.workspace.asRelativePath(uri, true) });
    // Created since the watcher started, even if the first scan (still running at startup) already listed it: an
    // export right after the window opened is news too. The notifier asks once per file.
    if (isNew) this.appeared.fire(uri);
    await this.refresh(file);
  }

  private async refresh(file: string): Promise<void> {
    const entry = this.entries.get(file);
    if (!entry) return;
    try {
      entry.description = await this.inspector.describe(file);
      entry.error = undefined;
    } catch (err) {
      entry.description = undefined;
      entry.error = (err as Error).message;
    }
    this.changed.fire();
  }

  private remove(file: string): void {
    this.inspector.forget(file);
    if (this.entries.delete(file)) this.changed.fire();
  }
}
