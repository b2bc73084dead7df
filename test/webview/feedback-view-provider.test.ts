// The fake `vscode` module must be installed before the provider is loaded.
import { CSP_SOURCE, FakeUri, FakeWebviewView, fakeTabsChanged } from './fake-vscode';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { FEEDBACK_SEEN_KEY, FeedbackViewProvider } from '../../src/vscode/views/feedback-view-provider';
import { fromEnvelope, isToWebview, type RecordRef, type ToWebview } from '../../src/shared/webview-messages';
import { record } from './records';

const EXTENSION = new FakeUri('/ext');

function setUp(limit?: number, readyTimeoutMs?: number) {
  const opened: RecordRef[] = [];
  const logged: string[] = [];
  const provider = new FeedbackViewProvider(EXTENSION as unknown as vscode.Uri, (r) => opened.push(r), { limit, readyTimeoutMs, log: (l) => logged.push(l) });
  return { provider, opened, logged, resolve: () => resolveView(provider) };
}

const nonceOf = (html: string) => /'nonce-([^']+)'/.exec(html)?.[1];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function resolveView(provider: FeedbackViewProvider): FakeWebviewView {
  const view = new FakeWebviewView();
  provider.resolveWebviewView(view as unknown as vscode.WebviewView, { state: undefined }, {} as vscode.CancellationToken);
  return view;
}

function posted(view: FakeWebviewView): ToWebview[] {
  // Each travels as one JSON text (a string clones at once; thousands of small objects do not), unwrapped by the page.
  const messages = view.webview.posted.map((envelope) => fromEnvelope(envelope));
  for (const message of messages) assert.ok(isToWebview(message), `the view's guard accepts ${JSON.stringify(message)}`);
  return messages as ToWebview[];
}

describe('webview: FeedbackViewProvider (with a fake vscode module)', () => {
  it('is the modelPreview.feedback view', () => {
    assert.equal(FeedbackViewProvider.viewType, 'modelPreview.feedback');
  });

  it('serves a page under a nonce CSP, with scripts on and resources only from the bundle, media/ and codicons', () => {
    const { provider, resolve } = setUp();
    const view = resolve();
    const options = view.webview.options as vscode.WebviewOptions;
    assert.equal(options.enableScripts, true);
    assert.deepEqual(options.localResourceRoots?.map((u) => (u as unknown as FakeUri).path), ['/ext/dist/webview', '/ext/media', '/ext/node_modules/@vscode/codicons/dist']);
    assert.equal((options as { retainContextWhenHidden?: boolean }).retainContextWhenHidden, undefined, 'state is kept with getState/setState');

    const html = view.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'a CSP meta tag');
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce && Buffer.from(nonce, 'base64').length >= 16, `a nonce of at least 128 bits: ${csp}`);
    assert.equal(csp, `default-src 'none'; style-src ${CSP_SOURCE}; font-src ${CSP_SOURCE}; script-src 'nonce-${nonce}'; img-src ${CSP_SOURCE} data:`);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="${CSP_SOURCE}/ext/dist/webview/feedback.js">`]);
    assert.ok(html.includes(`<link rel="stylesheet" href="${CSP_SOURCE}/ext/node_modules/@vscode/codicons/dist/codicon.css">`), 'codicons through asWebviewUri');
    assert.ok(html.includes(`<link rel="stylesheet" href="${CSP_SOURCE}/ext/media/webview.css">`), 'the view\u2019s CSS through asWebviewUri');
    assert.match(html, /<main id="root"/);
    assert.doesNotMatch(html, /\s(style|on\w+)=/i, 'no inline style or handlers');

    const again = resolve();
    const nonce2 = /'nonce-([^']+)'/.exec(again.webview.html)?.[1];
    assert.notEqual(nonce2, nonce, 'a fresh nonce for every page');
    provider.dispose();
  });

  it('posts nothing before ready, then one reset with everything that happened meanwhile', () => {
    const { provider, resolve } = setUp();
    provider.setPreviews([{ id: 'preview-1', model: 'iris', modelVersion: 'v1' }]);
    const early = record({ id: 'early' });
    provider.addCards([early]);
    const view = resolve();
    provider.addCards([record({ id: 'while-loading', ts: '2027-01-01T00:00:00.000Z' })]);
    assert.deepEqual(view.webview.posted, []);

    view.webview.send({ type: 'ready' });
    const messages = posted(view);
    assert.equal(messages.length, 1);
    const reset = messages[0];
    assert.equal(reset.type, 'reset');
    assert.deepEqual(reset.type === 'reset' && reset.previews, [{ id: 'preview-1', model: 'iris', modelVersion: 'v1' }]);
    assert.deepEqual(reset.type === 'reset' && reset.records.map((r) => r.id), ['while-loading', 'early']);
    provider.dispose();
  });

  it('after ready, posts new cards (whole records given are cut to cards: no tensors) and preview lists as they come', () => {
    const { provider, resolve } = setUp();
    const view = resolve();
    view.webview.send({ type: 'ready' });
    const r = record({ comment: '<b>not bold</b>', reviewer: 'Ann' });
    provider.addCards([r]);
    provider.setPreviews([{ id: 'p2', model: 'iris', modelVersion: 'v2', shareUrl: 'https://x/?token=secret' } as never]);
    provider.addCards([]);
    const [, records, previews] = posted(view);
    assert.deepEqual(records, {
      type: 'records',
      records: [{ previewId: 'preview-1', id: r.id, ts: r.ts, model: 'iris', modelVersion: 'v1', rating: 'up', predicted: 'setosa', comment: '<b>not bold</b>', reviewer: 'Ann' }],
    });
    assert.deepEqual(previews, { type: 'previews', previews: [{ id: 'p2', model: 'iris', modelVersion: 'v2' }] });
    assert.equal(view.webview.posted.length, 3);
    assert.doesNotMatch(JSON.stringify(view.webview.posted), /secret|inputs|outputs|idempotencyKey|userAgent/);
    provider.dispose();
  });

  it('asks for the record a clicked card names (by its ids: the records live in the previews), and ignores messages that do not check out', () => {
    const { provider, resolve, opened } = setUp();
    const view = resolve();
    const r = record();
    provider.addCards([r]);
    view.webview.send({ type: 'ready' });
    for (const bad of [null, 'ready', { type: 'open-record' }, { type: 'open-record', previewId: 'preview-1' }, { type: 'exec', command: 'x' }, { type: 'open-record', previewId: 7, id: 'x' }]) {
      assert.doesNotThrow(() => view.webview.send(bad));
    }
    assert.equal(opened.length, 0);
    view.webview.send({ type: 'open-record', previewId: 'preview-1', id: r.id, extra: 'dropped' });
    assert.deepEqual(opened, [{ previewId: 'preview-1', id: r.id }]);
    provider.dispose();
  });

  it('passes on the empty view\'s help links, a closed list of topics (never a command name)', () => {
    const { provider, resolve } = setUp();
    const view = resolve();
    const topics: string[] = [];
    provider.onDidRequestHelp((topic) => topics.push(topic));
    view.webview.send({ type: 'ready' });
    for (const message of [{ type: 'open-help', topic: 'docs' }, { type: 'open-help', topic: 'workbench.action.terminal.new' }, { type: 'open-help' }, { type: 'open-help', topic: 'walkthrough' }]) {
      view.webview.send(message);
    }
    assert.deepEqual(topics, ['docs', 'walkthrough']);
    provider.dispose();
  });

  it('holds at most the newest N records, and posts only those it holds', () => {
    const { provider, resolve } = setUp(3);
    const view = resolve();
    view.webview.send({ type: 'ready' });
    const records = Array.from({ length: 5 }, (_, i) => record({ id: `r${i}`, ts: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }));
    provider.addCards(records);
    provider.addCards([record({ id: 'ancient', ts: '2000-01-01T00:00:00.000Z' })]);
    view.webview.send({ type: 'ready' });
    const messages = posted(view);
    assert.equal(messages.length, 3, 'records, (nothing for the ancient one), reset');
    const last = messages[2];
    assert.deepEqual(last.type === 'reset' && last.records.map((r) => r.id), ['r4', 'r3', 'r2']);
    provider.dispose();
  });

  it('replaceRecords swaps one preview\u2019s records and resets the view; replays do not double', () => {
    const { provider, resolve } = setUp();
    const view = resolve();
    view.webview.send({ type: 'ready' });
    const a = record({ previewId: 'p1', id: 'a' });
    const b = record({ previewId: 'p2', id: 'b' });
    provider.addCards([a, b]);
    provider.addCards([a, b]); // replayed after a reconnect
    const c = record({ previewId: 'p1', id: 'c' });
    provider.replaceCards('p1', [c]);
    const reset = posted(view).at(-1);
    assert.deepEqual(reset?.type === 'reset' && reset.records.map((r) => r.id).sort(), ['b', 'c']);
    provider.dispose();
  });

  it('a re-created view (hidden, then shown) gets everything again after its ready; the old one gets nothing more', () => {
    const { provider, resolve } = setUp();
    const first = resolve();
    first.webview.send({ type: 'ready' });
    provider.addCards([record({ id: 'one' })]);
    const second = resolve();
    assert.equal(first.webview.received.listenerCount, 0, 'the old view\u2019s listeners are disposed');
    provider.addCards([record({ id: 'two' })]);
    assert.equal(first.webview.posted.length, 2, 'reset + one');
    assert.equal(second.webview.posted.length, 0, 'not before ready');
    second.webview.send({ type: 'ready' });
    const reset = posted(second)[0];
    assert.deepEqual(reset.type === 'reset' && reset.records.map((r) => r.id).sort(), ['one', 'two']);
    provider.dispose();
  });

  it('a shown view whose page never says ready is loaded again (a fresh page), a few times at most, and said so in the log', async () => {
    const { provider, resolve, logged } = setUp(undefined, 30);
    const view = resolve();
    const first = nonceOf(view.webview.html);
    await sleep(60);
    const second = nonceOf(view.webview.html);
    assert.notEqual(second, first, 'the page was set again with a fresh nonce (VS Code loads it anew)');
    assert.match(logged[0] ?? '', /did not load within 30 ms: loading it again \(try 1 of 3\)/);
    await sleep(200);
    assert.equal(logged.length, 4, `three reloads, then it gives up and says what to do: ${logged.join(' | ')}`);
    assert.match(logged[3], /did not load after 3 tries: close and reopen the view/);

    // Once a page says ready it is not touched again, and it gets the state.
    const other = resolve();
    const html = other.webview.html;
    other.webview.send({ type: 'ready' });
    await sleep(80);
    assert.equal(other.webview.html, html, 'a page that said ready stays');
    assert.equal(posted(other)[0]?.type, 'reset');
    provider.dispose();
  });

  it('after the editor tabs change, a shown page that said ready is asked whether it still runs: one that answers keeps its page and gets the state again, a blank one is loaded again', async () => {
    const { provider, resolve, logged } = setUp(undefined, 30);
    const view = resolve();
    view.webview.send({ type: 'ready' });
    const html = view.webview.html;
    fakeTabsChanged.fire({});
    assert.deepEqual(posted(view).map((m) => m.type), ['reset', 'ping']);
    const meanwhile = record();
    provider.addCards([meanwhile]);
    view.webview.send({ type: 'pong' });
    await sleep(60);
    assert.equal(view.webview.html, html, 'a page that answers is not loaded again');
    const afterPong = posted(view).slice(2);
    assert.deepEqual(afterPong.map((m) => m.type), ['reset'], 'what came while it was asked arrives in the reset');
    assert.deepEqual((afterPong[0] as Extract<ToWebview, { type: 'reset' }>).records.map((r) => r.id), [meanwhile.id]);

    // The page went blank (its script no longer runs): no answer, so it is loaded again, and said so.
    fakeTabsChanged.fire({});
    await sleep(60);
    assert.notEqual(view.webview.html, html, 'a page that does not answer is set again with a fresh nonce');
    assert.match(logged[0] ?? '', /did not load within 30 ms: loading it again \(try 1 of 3\)/);

    // A hidden view is not asked (VS Code dropped its page; showing it makes a new one that says ready).
    view.webview.send({ type: 'ready' });
    view.visible = false;
    const count = view.webview.posted.length;
    fakeTabsChanged.fire({});
    assert.equal(view.webview.posted.length, count);
    provider.dispose();
    assert.equal(fakeTabsChanged.listenerCount, 0, 'dispose() stops listening to the tabs');
  });

  it('a hidden view is not reloaded and gets nothing until the page made on showing it says ready, then all of it', async () => {
    const { provider, resolve, logged } = setUp(undefined, 30);
    const view = resolve();
    view.webview.send({ type: 'ready' });
    view.visible = false;
    view.visibility.fire();
    provider.addCards([record({ id: 'while-hidden' })]);
    const html = view.webview.html;
    await sleep(80);
    assert.equal(view.webview.html, html, 'no reload while hidden');
    assert.deepEqual(logged, []);
    assert.deepEqual(posted(view).map((m) => m.type), ['reset'], 'nothing posted into the dropped page');
    view.visible = true;
    view.visibility.fire();
    view.webview.send({ type: 'ready' });
    const reset = posted(view).at(-1);
    assert.deepEqual(reset?.type === 'reset' && reset.records.map((r) => r.id), ['while-hidden']);
    await sleep(80);
    assert.equal(view.webview.html, html, 'the new page said ready: no reload');
    provider.dispose();
  });

  it('answers a card\'s want-thumbnail with the picture the owner makes; nothing when there is none; a failure is logged', async () => {
    const asked: RecordRef[] = [];
    const logged: string[] = [];
    const image = 'data:image/png;base64,iVBORw0KGgo=';
    const provider = new FeedbackViewProvider(EXTENSION as unknown as vscode.Uri, () => undefined, {
      log: (l) => logged.push(l),
      thumbnailOf: (ref) => (asked.push(ref), ref.id === 'broken' ? Promise.reject(new Error('blob gone')) : Promise.resolve(ref.id === 'picture' ? image : undefined)),
    });
    const view = resolveView(provider);
    view.webview.send({ type: 'ready' });
    for (const id of ['picture', 'numbers', 'broken']) view.webview.send({ type: 'want-thumbnail', previewId: 'p1', id });
    view.webview.send({ type: 'want-thumbnail', previewId: 'p1' }); // malformed: ignored
    await sleep(10);
    assert.deepEqual(asked, [{ previewId: 'p1', id: 'picture' }, { previewId: 'p1', id: 'numbers' }, { previewId: 'p1', id: 'broken' }]);
    assert.deepEqual(posted(view).slice(1), [{ type: 'thumbnail', id: 'picture', image }]);
    assert.deepEqual(logged, ['no thumbnail for feedback broken: blob gone']);
    provider.dispose();
  });

  it('a view disposed by the user stops getting messages; dispose() releases everything and is idempotent', () => {
    const { provider, resolve } = setUp();
    const view = resolve();
    view.webview.send({ type: 'ready' });
    view.disposed.fire();
    assert.equal(view.webview.received.listenerCount, 0);
    provider.addCards([record()]);
    assert.equal(view.webview.posted.length, 1, 'only the first reset');

    const other = resolve();
    other.webview.send({ type: 'ready' });
    provider.dispose();
    provider.dispose();
    assert.equal(other.webview.received.listenerCount, 0);
    assert.equal(other.disposed.listenerCount, 0);
    provider.addCards([record()]);
    provider.setPreviews([]);
    assert.equal(other.webview.posted.length, 1);
  });
});

describe('webview: FeedbackViewProvider badge, sort and filter focus (with a fake vscode module)', () => {
  const badgeOf = (holder: { badge?: vscode.ViewBadge }) => holder.badge?.value;

  it('counts new feedback while the view is hidden, on the view; showing it clears the count; replays are not new', () => {
    const { provider, resolve } = setUp();
    const view = resolve() as FakeWebviewView & { badge?: vscode.ViewBadge };
    view.webview.send({ type: 'ready' });
    provider.addCards([record({ id: 'seen' })]);
    assert.equal(provider.unseenCount, 0, 'the view is visible: nothing unseen');
    view.visible = false;
    view.visibility.fire();
    provider.addCards([record({ id: 'a' }), record({ id: 'b' })]);
    provider.addCards([record({ id: 'a' })]); // replayed after a reconnect
    assert.equal(provider.unseenCount, 2);
    assert.equal(badgeOf(view), 2);
    view.visible = true;
    view.visibility.fire();
    assert.equal(provider.unseenCount, 0);
    assert.equal(badgeOf(view), 0, 'a badge of 0, which VS Code does not draw (it does not take back an undefined one)');
    provider.dispose();
  });

  it('feedback that came while the window was closed (newer than the last look, kept in the workspace state) counts as new when its preview loads; older records do not', () => {
    const state = new Map<string, unknown>();
    const seenState = {
      get: <T>(key: string) => state.get(key) as T | undefined,
      update: (key: string, value: unknown) => (state.set(key, value), Promise.resolve()),
    } as Pick<vscode.Memento, 'get' | 'update'>;
    const before = Date.now();
    // The first session: the view was shown (and looked at), then the window closed.
    const first = new FeedbackViewProvider(EXTENSION as unknown as vscode.Uri, () => undefined, { seenState });
    resolveView(first);
    const lookedAt = state.get(FEEDBACK_SEEN_KEY) as number;
    assert.ok(lookedAt >= before && lookedAt <= Date.now(), `the look is kept: ${lookedAt}`);
    first.dispose();

    // The next session: the view is out of sight; the detached server's records load, two from before the look, two after.
    const next = new FeedbackViewProvider(EXTENSION as unknown as vscode.Uri, () => undefined, { seenState });
    const tree: { badge?: vscode.ViewBadge } = {};
    next.setBadgeFallback(tree);
    const at = (ms: number) => new Date(lookedAt + ms).toISOString();
    const records = [record({ id: 'old-1', ts: at(-60_000) }), record({ id: 'old-2', ts: at(-1) }), record({ id: 'new-1', ts: at(1_000) }), record({ id: 'new-2', ts: at(2_000) })];
    next.replaceCards('preview-1', records);
    assert.equal(next.unseenCount, 2);
    assert.equal(badgeOf(tree), 2);
    next.replaceCards('preview-1', records); // the same records again (the server said reset): not news twice
    assert.equal(next.unseenCount, 2);
    resolveView(next); // shown
    assert.equal(next.unseenCount, 0);
    assert.ok((state.get(FEEDBACK_SEEN_KEY) as number) >= lookedAt, 'the new look is kept');
    next.dispose();

    // A first start ever (nothing kept): what is there is not news.
    const fresh = new FeedbackViewProvider(EXTENSION as unknown as vscode.Uri, () => undefined, { seenState: { get: () => undefined, update: () => Promise.resolve() } });
    fresh.replaceCards('preview-1', [record({ id: 'older', ts: at(-5_000) })]);
    assert.equal(fresh.unseenCount, 0);
    fresh.dispose();
  });

  it('before VS Code resolves the view (the container was never opened) the badge is on the fallback; it moves to the view', () => {
    const { provider, resolve } = setUp();
    const tree: { badge?: vscode.ViewBadge } = {};
    provider.setBadgeFallback(tree);
    provider.addCards([record({ id: 'x' })]);
    assert.equal(badgeOf(tree), 1);
    const view = resolve(); // resolved because it is being shown
    assert.equal(tree.badge, undefined);
    assert.equal(provider.unseenCount, 0);
    view.disposed.fire();
    provider.addCards([record({ id: 'y' })]);
    assert.equal(badgeOf(tree), 1, 'back on the fallback once the view is gone');
    provider.dispose();
    assert.equal(tree.badge, undefined);
  });

  it('the reset carries the sort; a sort change and a filter focus are posted (the focus waits for ready)', () => {
    const { provider, resolve } = setUp();
    provider.setSort('worst');
    provider.focusFilter();
    const view = resolve();
    view.webview.send({ type: 'ready' });
    const messages = posted(view);
    assert.deepEqual(messages.map((m) => m.type), ['reset', 'focus-filter']);
    assert.equal(messages[0].type === 'reset' && messages[0].sort, 'worst');
    provider.setSort('newest');
    assert.deepEqual(posted(view).at(-1), { type: 'sort', sort: 'newest' });
    provider.dispose();
  });
});
