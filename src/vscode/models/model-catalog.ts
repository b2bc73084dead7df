import * as vscode from 'vscode';
import type { ExtensionSettings } from '../settings';
import type { ModelInspector } from './model-inspector';
import type { ModelEntry } from './model-tree';
import { isExcludedPath, PathMap } from './path-key';

/**
 * VS Code starts watching a workspace's files asynchronously (its file watcher is a separate process, started when the
 * window opens), and what changes before it listens is never reported. A notebook exporting in the first seconds after
 * the window opened — or a busy machine starting the watcher late — would leave that model unannounced until something
 * else made the catalog look. So it looks again a few times after it starts; a file found then is news (the export
 * offer), as a create event would have made it. Each look is one `findFiles`, the cost of the first scan.
 */
const STARTUP_LOOKS_MS = [3_000, 10_000, 30_000];

/** Runs `look` at each of the times (ms from now); disposing cancels the looks not yet run. */
function lookAgainAfter(times: readonly number[], look: () => Promise<void>): vscode.Disposable {
  const timers = times.map((ms) => setTimeout(() => void look(), ms));
  return new vscode.Disposable(() => timers.forEach(clearTimeout));
}

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
  private disposed = false;

  /** The list (or an entry's description or publish state) changed. */
  readonly onDidChange = this.changed.event;
  /** A model file was created after the first scan. */
  readonly onDidAppear = this.appeared.event;

  /**
   * @param startupLooksMs when, after `start`, the catalog looks again for models its watchers may not have heard of
   *   (see STARTUP_LOOKS_MS); tests pass shorter times.
   */
  constructor(
    private readonly inspector: ModelInspector,
    private settings: ExtensionSettings,
    private readonly startupLooksMs: readonly number[] = STARTUP_LOOKS_MS,
  ) {}

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
        // A change to a file never seen created: its create event was lost (see NewFolderCatchUp) — it is news too.
        watcher.onDidChange((uri) => (this.entries.has(uri.fsPath) ? this.refresh(uri.fsPath) : this.add(uri, true))),
        watcher.onDidDelete((uri) => this.remove(uri.fsPath)),
      );
    });
    this.watchers.push(new NewFolderCatchUp((uri) => this.isExcluded(uri), () => this.rescan(true)));
    const watchers = this.watchers;
    await this.rescan();
    // After the first scan, so a look cannot take a model that was already there for a new one.
    if (this.watchers === watchers && !this.disposed) watchers.push(lookAgainAfter(this.startupLooksMs, () => this.rescan(true)));
  }

  /** Lists the models again; with `announce`, a file not known before is news (the export offer), as a create event. */
  async rescan(announce = false): Promise<void> {
    const exclude = this.settings.modelExclude.length ? `{${this.settings.modelExclude.join(',')}}` : undefined;
    const found = (await Promise.all(this.settings.modelInclude.map((g) => vscode.workspace.findFiles(g, exclude, 5000)))).flat();
    const files = new PathMap<true>();
    for (const uri of found) files.set(uri.fsPath, true);
    for (const { file } of [...this.entries.values()]) if (!files.has(file)) this.entries.delete(file);
    await Promise.all(found.map((uri) => this.add(uri, announce && !this.entries.has(uri.fsPath))));
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
    this.disposed = true;
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

/**
 * Watchers built on inotify (Linux) watch each folder separately: a folder created and written into at once — a
 * notebook's `os.makedirs("models")` then `torch.onnx.export(..., "models/m.onnx")` — can hold a file before its watch
 * is in place, and that file's create event never comes (inotify(7): "scan the contents of the subdirectory immediately
 * after adding the watch"). So: when folders appear, the catalog looks again, once per burst. Only folders count (a
 * stat of each new path), so a few ordinary files cost no search; a burst of more than MAX_STATS paths gets one search.
 */
class NewFolderCatchUp implements vscode.Disposable {
  /** Also the least time between two searches it asks for, however busy the disk (a burst of thousands of files). */
  private static readonly DELAY_MS = 2_000;
  private static readonly MAX_STATS = 32;
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, true);
  private readonly created: vscode.Uri[] = [];
  private timer: NodeJS.Timeout | undefined;
  private overflowed = false;

  constructor(private readonly isExcluded: (uri: vscode.Uri) => boolean, private readonly lookAgain: () => Promise<void>) {
    this.watcher.onDidCreate((uri) => {
      if (this.isExcluded(uri)) return;
      if (this.created.length < NewFolderCatchUp.MAX_STATS) this.created.push(uri);
      else this.overflowed = true;
      // From the burst's first path, not its last: a notebook writing files all the time still gets its look.
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.check();
      }, NewFolderCatchUp.DELAY_MS);
    });
  }

  private async check(): Promise<void> {
    const paths = this.created.splice(0);
    // A burst too big to look at path by path may hold a folder among the rest: one search instead.
    if (this.overflowed) {
      this.overflowed = false;
      return this.lookAgain();
    }
    const kinds = await Promise.all(paths.map((uri) => vscode.workspace.fs.stat(uri).then((s) => s.type, () => vscode.FileType.Unknown)));
    if (kinds.some((k) => (k & vscode.FileType.Directory) !== 0)) await this.lookAgain();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher.dispose();
  }
}
