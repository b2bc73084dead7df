import Module from 'node:module';
import * as path from 'node:path';

/**
 * Just enough of the `vscode` module for FeedbackViewProvider and ModelCatalog to run under plain mocha (the real API exists only in an
 * extension host; test/integration runs the extension there). Importing this file makes `require('vscode')` return the
 * fake; it must be imported before the provider. Other modules are not affected.
 */

export class FakeUri {
  constructor(readonly path: string) {}
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `file://${this.path}`;
  }
}

export interface FakeDisposable {
  dispose(): void;
}

/** A `vscode.EventEmitter`-like event: listeners, and a count of live ones so tests can see disposal. */
export class FakeEvent<T> {
  private readonly listeners = new Set<(value: T) => void>();
  readonly event = (listener: (value: T) => void): FakeDisposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

export class FakeWebview {
  options: unknown = {};
  html = '';
  readonly cspSource = CSP_SOURCE;
  readonly posted: unknown[] = [];
  readonly received = new FakeEvent<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: FakeUri): { toString(): string } {
    return { toString: () => `${CSP_SOURCE}${uri.path}` };
  }
  postMessage(message: unknown): Promise<boolean> {
    this.posted.push(JSON.parse(JSON.stringify(message)));
    return Promise.resolve(true);
  }
  /** What the page's script would post. */
  send(message: unknown): void {
    this.received.fire(message);
  }
}

export class FakeWebviewView {
  readonly webview = new FakeWebview();
  readonly disposed = new FakeEvent<void>();
  readonly onDidDispose = this.disposed.event;
  readonly visibility = new FakeEvent<void>();
  readonly onDidChangeVisibility = this.visibility.event;
  visible = true;
}

/** `vscode.Disposable`: a dispose function, and `from` to join several. */
class FakeDisposableClass implements FakeDisposable {
  constructor(private readonly onDispose: () => void) {}
  static from(...parts: FakeDisposable[]): FakeDisposableClass {
    return new FakeDisposableClass(() => parts.forEach((p) => p.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

/**
 * The workspace's files as `findFiles` lists them (absolute paths under `root`), and file watchers that report nothing:
 * events VS Code's watcher lost. A test sets `files` and `findFilesDelayMs`.
 */
export const fakeWorkspace = {
  root: '/workspace',
  files: [] as string[],
  findFilesDelayMs: 0,
  findFilesCalls: 0,
};

const silentWatcher = () => {
  const never = new FakeEvent<FakeUri>();
  return { onDidCreate: never.event, onDidChange: never.event, onDidDelete: never.event, dispose: () => never.dispose() };
};

/** The editor tabs changed (a tab opened or closed): `fakeTabsChanged.fire()` in a test. */
export const fakeTabsChanged = new FakeEvent<unknown>();

const fakeVscode = {
  EventEmitter: FakeEvent,
  Disposable: FakeDisposableClass,
  FileType: { Unknown: 0, File: 1, Directory: 2 },
  workspace: {
    createFileSystemWatcher: silentWatcher,
    findFiles: async () => {
      fakeWorkspace.findFilesCalls++;
      const listed = [...fakeWorkspace.files];
      await new Promise((resolve) => setTimeout(resolve, fakeWorkspace.findFilesDelayMs));
      return listed.map((f) => new FakeUri(f));
    },
    asRelativePath: (uri: FakeUri) => path.posix.relative(fakeWorkspace.root, uri.path),
    fs: { stat: async () => ({ type: 1 }) },
  },
  window: { tabGroups: { onDidChangeTabs: fakeTabsChanged.event } },
  Uri: {
    joinPath: (base: FakeUri, ...segments: string[]) => new FakeUri(path.posix.join(base.path, ...segments)),
    file: (p: string) => new FakeUri(p),
  },
};

const FAKE_PATH = path.join(__dirname, '__fake_vscode__.js');
type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? FAKE_PATH : resolve.call(this, request, ...rest);
};
const fake = new Module(FAKE_PATH);
fake.filename = FAKE_PATH;
fake.loaded = true;
fake.exports = fakeVscode;
require.cache[FAKE_PATH] = fake;
