import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LogLevel, ShareLinkChangedEvent, StreamedEvent } from '../../src/shared/events';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { PreviewProcess, type PreviewProcessOptions } from '../../src/client/preview-process';
import { PreviewStartError } from '../../src/client/preview-start-error';
import { CLI, REPO, runCli } from '../cli/cli-process';
import { OLD_SHARE_TOKEN, previewWithStartTimeProblems } from '../cli/start-time-fixture';

/*
 * The client's server supervisor against the real thing: dist/cli.js forked as the extension forks it, real HTTP,
 * the real events WebSocket, port 0. (Like test/cli/, it needs the built bundle.)
 */

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');
const VIRGINICA = [6.7, 3.0, 5.2, 2.3];

/** Resolves when a connection to the port is refused, rejects if something accepts it. */
function connectionRefused(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`port ${port} still accepts connections`));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve() : reject(err)));
  });
}

/** The next event of a preview that matches, or a rejection naming what was awaited. */
function nextEvent<T extends StreamedEvent>(preview: PreviewProcess, what: string, match: (e: StreamedEvent) => e is T, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      preview.events.off('event', listener);
      reject(new Error(`no ${what} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (e: StreamedEvent) => {
      if (!match(e)) return;
      clearTimeout(timer);
      preview.events.off('event', listener);
      resolve(e);
    };
    preview.events.on('event', listener);
  });
}

const isFeedbackEventFor = (id: string) => (e: StreamedEvent): e is StreamedEvent & { event: 'feedback'; record: FeedbackRecord } =>
  e.event === 'feedback' && e.record.id === id;

describe('PreviewProcess: the server child process, supervised (dist/cli.js forked)', function () {
  this.timeout(30_000);
  let dir: string;
  const logs: string[] = [];
  const started: PreviewProcess[] = [];
  const start = async (overrides: Partial<PreviewProcessOptions> = {}) => {
    const preview = await PreviewProcess.start({
      cliPath: CLI, modelFile: IRIS, dataDir: path.join(dir, `data-${randomUUID().slice(0, 8)}`), workers: 1,
      log: (line) => logs.push(line), ...overrides,
    });
    started.push(preview);
    return preview;
  };
  /** The link each preview has now: its ready line's, then what a rotation answered. */
  const links = new WeakMap<PreviewProcess, string>();
  const shareUrl = (preview: PreviewProcess) => links.get(preview) ?? preview.ready.shareUrl;
  const shareToken = (preview: PreviewProcess) => new URL(shareUrl(preview)).searchParams.get('t')!;
  const rotate = async (preview: PreviewProcess) => {
    const link = await preview.owner.rotateShareLink();
    links.set(preview, link.shareUrl);
    return link;
  };
  const post = (preview: PreviewProcess, urlPath: string, body: unknown, token = shareToken(preview)) =>
    fetch(new URL(urlPath, preview.ready.localUrl), {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
  const predict = async (preview: PreviewProcess): Promise<string> => {
    const res = await post(preview, 'api/predict', { inputs: { features: VIRGINICA } });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { predictionId: string }).predictionId;
  };
  const sendFeedback = async (preview: PreviewProcess, predictionId: string, comment: string): Promise<string> => {
    const res = await post(preview, 'api/feedback', { predictionId, rating: 'down', expected: 'versicolor', comment, idempotencyKey: `key-${randomUUID()}` });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  };

  before(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build it with npx webpack --mode production --config-name server`);
    dir = mkdtempSync(path.join(tmpdir(), 'mp-preview-process-'));
  });

  after(async () => {
    await Promise.all(started.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  describe('one preview, from start to stop', () => {
    let preview: PreviewProcess;
    const seen: StreamedEvent[] = [];

    before(async () => {
      // A long first reconnect delay, so the test below can act while the events socket is surely down.
      preview = await start({ eventsBackoff: { initialMs: 1_500, maxMs: 5_000 } });
      preview.events.on('event', (e) => seen.push(e));
    });
    /** An event already seen (a replay can arrive in the same tick as its hello), or the next one. */
    const seenOrNext = async (what: string, match: (e: StreamedEvent) => boolean) => {
      if (!seen.some(match)) await nextEvent(preview, what, (e): e is StreamedEvent => match(e));
    };

    it('starts: ready with the port and a share link that works (a prediction with its token answers 200)', async () => {
      assert.equal(preview.ready.event, 'ready');
      assert.equal(preview.ready.model, 'iris');
      assert.equal(preview.ready.tunnel, 'none');
      assert.deepEqual(preview.ready.workers, { count: 1, chosenBy: '--workers', reason: 'set by --workers' }, 'the worker choice reaches the client');
      assert.equal(preview.ready.localUrl, `http://127.0.0.1:${preview.ready.port}/`);
      assert.ok(Number.isSafeInteger(preview.pid) && preview.pid !== process.pid);
      assert.equal(preview.events.isConnected, true, 'start() resolves with the events socket open');
      await predict(preview);
      assert.ok(logs.some((l) => l.includes('"event":"ready"')), 'the ready line is logged');
      assert.ok(!logs.some((l) => l.includes(preview.ready.ownerToken)), 'the owner token never reaches the log');
    });

    it('delivers feedback POSTed over HTTP as an event with the whole record; the owner calls work', async () => {
      const predictionId = await predict(preview);
      const arrived = nextEvent(preview, 'feedback', (e): e is StreamedEvent & { event: 'feedback'; record: FeedbackRecord } => e.event === 'feedback');
      const id = await sendFeedback(preview, predictionId, 'petals look <b>wrong</b>');
      const event = await arrived;
      assert.equal(event.record.id, id);
      assert.equal(event.record.predictionId, predictionId);
      assert.equal(event.record.comment, 'petals look <b>wrong</b>');
      assert.equal(event.record.rating, 'down');
      assert.deepEqual(event.record.inputs.features, { datatype: 'FP32', shape: [1, 4], data: VIRGINICA });

      const warnings: string[] = [];
      const records = await preview.owner.feedback((w) => warnings.push(w));
      assert.deepEqual(records.map((r) => r.id), [id]);
      assert.deepEqual(records[0], event.record, 'the export and the event hold the same record');
      assert.deepEqual(warnings, []);
      const stats = await preview.owner.stats();
      assert.equal(stats.total, 1);
      assert.equal(stats.versions[0].down, 1);
      const link = await preview.owner.shareLink();
      assert.equal(link.shareUrl, preview.ready.shareUrl);
      assert.deepEqual(link.tunnel, { provider: 'none', state: 'none' });
    });

    it('rotating the share link: the old token answers 401, the event names the new link', async () => {
      const oldToken = shareToken(preview);
      const changed = nextEvent(preview, 'share-link-changed', (e): e is StreamedEvent & ShareLinkChangedEvent => e.event === 'share-link-changed');
      const link = await rotate(preview);
      assert.notEqual(link.shareUrl, preview.ready.shareUrl);
      assert.equal((await preview.owner.shareLink()).shareUrl, link.shareUrl);
      assert.equal((await changed).shareUrl, link.shareUrl);
      assert.equal((await post(preview, 'api/predict', { inputs: { features: VIRGINICA } }, oldToken)).status, 401);
      await predict(preview); // with the new token
    });

    it('a dropped events socket reconnects and resumes: what was sent meanwhile arrives exactly once', async () => {
      const client = preview.events;
      const disconnected = once(client, 'disconnected');
      const reconnected = once(client, 'connected');
      client.socket!.terminate(); // the client's own socket, cut as a network failure would
      await disconnected;

      const predictionId = await predict(preview);
      const whileDown = await sendFeedback(preview, predictionId, 'sent while the events socket was down');
      assert.equal(client.isConnected, false, 'the feedback must have been stored while the client was disconnected');

      const [hello] = await reconnected;
      assert.equal(hello.resumed, true);
      await seenOrNext('replayed feedback', isFeedbackEventFor(whileDown));
      const live = await sendFeedback(preview, predictionId, 'sent after the reconnect');
      await seenOrNext('live feedback', isFeedbackEventFor(live));

      // A replayed duplicate would arrive in stream order: once a later live event is here, any duplicate is too.
      const later = await sendFeedback(preview, predictionId, 'the last one, after the others');
      await seenOrNext('the last feedback', isFeedbackEventFor(later));
      assert.equal(seen.filter(isFeedbackEventFor(whileDown)).length, 1, 'the replayed feedback exactly once');
      assert.equal(seen.filter(isFeedbackEventFor(live)).length, 1, 'the live feedback exactly once');
      const ids = seen.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in order');
      assert.equal(new Set(ids).size, ids.length, 'no id twice');
      assert.ok(seen.some((e) => e.event === 'prediction' && e.predictionId === predictionId), 'the prediction made while down was replayed too');
    });

    it('stop(): exit code 0, the child is gone, its port refuses connections; stopping again is fine', async () => {
      const { pid } = preview;
      const { port } = preview.ready;
      await preview.stop();
      const exit = await preview.exited;
      assert.equal(exit.code, 0);
      assert.equal(exit.signal, null);
      assert.equal(exit.expected, true);
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
      await connectionRefused(port);
      assert.equal(preview.events.socket, undefined, 'the events socket is closed');
      assert.ok(logs.includes('{"event":"stopped"}'), 'the child said "stopped" before it exited');
      await preview.stop();
      await Promise.all([preview.stop(), preview.stop()]);
      await assert.rejects(preview.owner.stats(), /reading the feedback stats \(GET \/api\/stats\) failed: ECONNREFUSED/);
    });
  });

  describe('the log (what lands in the "Model Preview" output channel)', () => {
    /** A fake output channel: every line with its level. */
    const channel: Array<{ line: string; level: LogLevel }> = [];
    let preview: PreviewProcess;
    const tokensSeen = new Set<string>();

    before(async () => {
      // A feedback file with a line that is not JSON: the server logs a storage warning about it while it starts.
      const dataDir = path.join(dir, 'data-log');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path.join(dataDir, 'feedback.jsonl'), 'this line is not JSON\n');
      preview = await start({ dataDir, log: (line, level) => channel.push({ line, level }) });
      tokensSeen.add(shareToken(preview));
    });

    it('after a prediction, a feedback and a rotation, no line holds the owner token or any share token, old or new', async () => {
      await sendFeedback(preview, await predict(preview), 'fine');
      const changed = nextEvent(preview, 'share-link-changed', (e): e is StreamedEvent & ShareLinkChangedEvent => e.event === 'share-link-changed');
      await rotate(preview);
      await changed;
      tokensSeen.add(shareToken(preview));
      await sendFeedback(preview, await predict(preview), 'after the rotation');
      // The child's stdout is read apart from the events socket: wait for its line about the last feedback.
      const lines = () => channel.filter((l) => l.line.includes('"event":"feedback"')).length;
      for (const deadline = Date.now() + 5_000; lines() < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
      assert.equal(lines(), 2, 'both feedback lines were logged');
      assert.ok(channel.some((l) => l.line.includes('"event":"share-link-changed"')), 'the rotation was logged');
      assert.equal(tokensSeen.size, 2);
      for (const secret of [preview.ready.ownerToken, ...tokensSeen]) {
        const leaks = channel.filter((l) => l.line.includes(secret));
        assert.deepEqual(leaks, [], `a token reached the log: ${JSON.stringify(leaks)}`);
      }
      assert.ok(channel.some((l) => l.line.includes('?t=<share token>')), 'links are logged with the token masked');
    });

    it('one line per prediction and feedback at debug level; the server\'s own log lines at their level and source', () => {
      const levelsOf = (kind: string) => new Set(channel.filter((l) => l.line.includes(`"event":"${kind}"`)).map((l) => l.level));
      assert.deepEqual(levelsOf('prediction'), new Set(['debug']));
      assert.deepEqual(levelsOf('feedback'), new Set(['debug']));
      assert.deepEqual(levelsOf('ready'), new Set(['info']));
      const warning = channel.find((l) => l.line.includes('not valid JSON'));
      assert.ok(warning, `the storage warning was logged: ${JSON.stringify(channel.slice(0, 5))}`);
      assert.equal(warning.level, 'warn');
      assert.match(warning.line, /^storage: /, 'as "<source>: <message>", not a raw JSON line');
    });
  });

  it('a token quoted on stderr is hidden too, in the log and in the last stderr lines a notification shows', async () => {
    // A stand-in for the server (a real child process): its ready line, then a stderr line quoting both tokens.
    const fake = path.join(dir, 'fake-serve.js');
    writeFileSync(fake, `
      const port = 9;
      console.log(JSON.stringify({ event: 'ready', model: 'm', modelVersion: 'v', port, localUrl: 'http://127.0.0.1:9/',
        shareUrl: 'http://127.0.0.1:9/?t=SHARE-secret-1', tunnel: 'none', epoch: 'e1', ownerToken: 'OWNER-secret-2' }));
      setTimeout(() => { console.error('crashed on a request from http://x.example/?t=SHARE-secret-1 with OWNER-secret-2'); process.exit(3); }, 50);`);
    const channel: Array<{ line: string; level: LogLevel }> = [];
    await assert.rejects(start({ cliPath: fake, log: (line, level) => channel.push({ line, level }) }), (err: unknown) => {
      assert.ok(err instanceof PreviewStartError, String(err));
      for (const text of [err.message, ...err.lastStderr]) assert.doesNotMatch(text, /SHARE-secret-1|OWNER-secret-2/);
      assert.match(err.lastStderr.join('\n'), /crashed on a request from http:\/\/x\.example\/\?t=<share token> with <owner token>/);
      return true;
    });
    const stderrLine = channel.find((l) => l.line.startsWith('stderr: crashed'));
    assert.ok(stderrLine, JSON.stringify(channel));
    assert.equal(stderrLine.level, 'warn');
    assert.deepEqual(channel.filter((l) => /SHARE-secret-1|OWNER-secret-2/.test(l.line)), []);
  });

  it('stop() asks the server over its IPC channel, sending no signal (SIGTERM is a hard kill on Windows); what was saved is in feedback.jsonl', async () => {
    const dataDir = path.join(dir, 'data-ipc-stop');
    const preview = await start({ dataDir });
    // Watch the signals the supervisor sends (observation only: each is still delivered).
    const child = (preview as unknown as { child: ChildProcess }).child;
    const signals: string[] = [];
    const kill = child.kill.bind(child);
    child.kill = (signal?: NodeJS.Signals | number) => (signals.push(String(signal)), kill(signal));
    const id = await sendFeedback(preview, await predict(preview), 'saved right before the stop');
    await preview.stop();
    const exit = await preview.exited;
    assert.deepEqual(signals, [], 'no signal: the stop request went over IPC');
    assert.deepEqual([exit.code, exit.signal, exit.expected], [0, null, true]);
    assert.ok(logs.includes('{"event":"stopped"}'), 'the server stopped gracefully and said so');
    const saved = readFileSync(path.join(dataDir, 'feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    assert.deepEqual(saved.map((r) => r.id), [id]);
  });

  it('what the server published while it started (a replaced expired link, an invalid sidecar) is emitted once, after start', async () => {
    const { model, dataDir } = previewWithStartTimeProblems();
    const preview = await start({ modelFile: model, dataDir, extraArgs: ['--expires', '1h'] });
    const seen: StreamedEvent[] = [];
    preview.events.on('event', (e) => seen.push(e)); // attached as the extension does: right after start resolves
    assert.notEqual(new URL(preview.ready.shareUrl).searchParams.get('t'), OLD_SHARE_TOKEN);
    /** An event already seen, or the next one (it may arrive before the HTTP answer that caused it). */
    const arrived = async (what: string, match: (e: StreamedEvent) => boolean) => {
      if (!seen.some(match)) await nextEvent(preview, what, (e): e is StreamedEvent => match(e));
    };
    // A live event after them, so everything published before it has surely arrived.
    await predict(preview);
    await arrived('prediction', (e) => e.event === 'prediction');
    assert.deepEqual(seen.map((e) => [e.id, e.event]), [[1, 'error'], [2, 'share-link-changed'], [3, 'prediction']]);
    const [sidecar, changed] = seen as [StreamedEvent & { event: 'error' }, ShareLinkChangedEvent & { id: number }];
    assert.equal(sidecar.source, 'sidecar');
    assert.match(sidecar.message, /iris\.preview\.json: title/);
    assert.equal(changed.reason, 'expired');
    assert.equal(changed.shareUrl, preview.ready.shareUrl);
    // A dropped socket resumes after the last id, so the start-time events are not delivered again.
    const reconnected = once(preview.events, 'connected');
    preview.events.socket!.terminate();
    await reconnected;
    await predict(preview);
    await arrived('the second prediction', (e) => e.id === 4);
    assert.deepEqual(seen.map((e) => e.id), [1, 2, 3, 4]);
  });

  it('a model that cannot load: start rejects with the CLI\'s one-line reason', async () => {
    const bad = path.join(dir, 'x.onnx');
    writeFileSync(bad, 'just some text, not a model\n');
    const cli = await runCli(['serve', bad, '--json', '--data-dir', path.join(dir, 'data-bad-cli')]);
    const reason = cli.stderr.trim();
    assert.equal(reason.split('\n').length, 1, cli.stderr);
    assert.match(reason, /not an ONNX model/);

    await assert.rejects(start({ modelFile: bad }), (err: unknown) => {
      assert.ok(err instanceof PreviewStartError, String(err));
      assert.ok(err.message.includes(reason), err.message);
      assert.match(err.message, /exited \(exit code 2\) before it was ready/);
      assert.deepEqual(err.lastStderr, [reason]);
      return true;
    });
  });

  it('a child killed from outside: exited with expected=false and its last stderr lines; calls then name what failed', async () => {
    // NODE_DEBUG=net makes the server write a few lines to stderr (and shows that `env` reaches the child).
    const preview = await start({ env: { NODE_DEBUG: 'net' } });
    process.kill(preview.pid, 'SIGKILL');
    const exit = await preview.exited;
    assert.equal(exit.expected, false);
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.code, null);
    assert.ok(exit.lastStderr.length > 0 && exit.lastStderr.every((l: string) => l.startsWith('NET ')), JSON.stringify(exit.lastStderr));
    // One line a notification can show instead of "stopped: no message".
    assert.equal(exit.reason, `killed by SIGKILL: ${exit.lastStderr.at(-1)!.trim()}`);
    await assert.rejects(preview.owner.feedback(() => undefined), /reading the feedback \(GET \/api\/feedback\) failed: ECONNREFUSED/);
    await preview.stop(); // fine after an unexpected exit too
    assert.equal(preview.events.socket, undefined, 'the events client stopped reconnecting');
  });

  it('start gives up on its timeout and on abort, leaving no child behind', async () => {
    await assert.rejects(start({ readyTimeoutMs: 1 }), (err: unknown) => err instanceof PreviewStartError && /did not say it was ready within 1 ms/.test(err.message));
    const abort = new AbortController();
    const starting = start({ signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(starting, /the preview server start was cancelled/);
    await assert.rejects(start({ signal: AbortSignal.abort() }), (err: unknown) => err instanceof PreviewStartError && /cancelled/.test(err.message));
    // A child left running would keep its IPC channel open, and this mocha run (no --exit) would never end.
  });
});
