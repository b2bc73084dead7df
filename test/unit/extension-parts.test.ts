import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelDescription } from '../../src/shared/model-card';
import { modelNodes, type ModelEntry } from '../../src/vscode/models/model-tree';
import { feedbackLoaderCell } from '../../src/vscode/notebook/feedback-loader-cell';
import { dataDirFor } from '../../src/vscode/previews/data-dir';
import { linkReach, QUICK_PICK_TEXT_MAX, serveArguments, TUNNEL_CHOICES, TUNNEL_PICK_PLACEHOLDER, TUNNEL_PICK_TITLE, tunnelSavedText } from '../../src/vscode/previews/serve-arguments';
import { linkChangeText } from '../../src/vscode/previews/link-change-text';
import { qrCodePage } from '../../src/vscode/views/qr-code-page';
import * as QRCode from 'qrcode';
import { keyNeedsPassphrase } from '../../src/vscode/previews/ssh-key-file';
import { DEFAULT_SETTINGS, flattenSettings, readSettings } from '../../src/vscode/settings';
import { statusText } from '../../src/vscode/views/status-bar-text';
import { isExcludedPath } from '../../src/vscode/models/path-key';
import { crashText } from '../../src/vscode/previews/crash-text';
import type { PreviewServer } from '../../src/vscode/previews/preview-server';
import { RunningPreview } from '../../src/vscode/previews/running-preview';

/** The extension's pure parts: they need no VS Code, so they are tested here; the rest runs in test/integration. */
const REPO = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));

const iris: ModelDescription = {
  name: 'iris', file: '/ws/iris.onnx', fileSize: 1513, sha256: 'c19ee04a8f90'.padEnd(64, '0'), version: 'c19ee04a8f90',
  inputs: [{ name: 'features', datatype: 'FP32', shape: ['batch', 4] }], outputs: [{ name: 'logits', datatype: 'FP32', shape: ['batch', 3] }],
  nonTensorOutputs: [{ name: 'probabilities', note: 'a map, not a tensor' }], opsets: [{ domain: 'ai.onnx', version: 17 }], metadataProps: {}, facts: [],
  producer: { name: 'pytorch', version: '1.13' },
};

describe('extension settings', () => {
  it('the defaults equal package.json\'s contributes.configuration, key for key', () => {
    const contributed = Object.fromEntries(Object.entries(manifest.contributes.configuration.properties as Record<string, { default: unknown }>)
      .map(([key, p]) => [key.replace(/^modelPreview\./, ''), p.default]));
    assert.deepEqual(flattenSettings(DEFAULT_SETTINGS), contributed);
  });

  it('reads the values given and falls back to the default for wrong types, not a broken command', () => {
    const values: Record<string, unknown> = {
      'models.exclude': ['**/build/**'], port: 8080, workers: -3, 'tunnel.provider': 'carrier-pigeon', 'tunnel.ssh.host': 'bastion.example.com',
      dataFolder: '   ', notifyOnExport: 'yes', 'models.include': ['', '**/*.onnx'],
    };
    const s = readSettings((key) => values[key]);
    assert.deepEqual(s.modelExclude, ['**/build/**']);
    assert.equal(s.port, 8080);
    assert.equal(s.workers, 0, 'a negative count falls back');
    assert.equal(s.tunnel.provider, 'ask', 'an unknown provider falls back');
    assert.equal(s.tunnel.ssh.host, 'bastion.example.com');
    assert.equal(s.dataFolder, '.model-preview', 'a blank folder falls back');
    assert.equal(s.notifyOnExport, true);
    assert.deepEqual(s.modelInclude, ['**/*.onnx'], 'a list with an empty glob falls back whole');
  });
});

describe('which model files the catalog skips by default (a big workspace stays cheap)', () => {
  const skipped = (relative: string) => isExcludedPath(relative, DEFAULT_SETTINGS.modelExclude);

  it('skips dependencies, every virtual environment whatever its name, caches and build output', () => {
    for (const file of [
      'node_modules/onnxruntime-web/dist/model.onnx',
      '.venv/lib/python3.11/site-packages/silero_vad/data/silero_vad.onnx',
      'env/lib/python3.11/site-packages/rembg/u2net.onnx', // a venv called "env": its site-packages
      'tools/py312/Lib/site-packages/pkg/model.onnx', // a Windows venv
      'venv/models/copy.onnx',
      '/usr/lib/python3/dist-packages/pkg/model.onnx'.slice(1),
      'src/__pycache__/model.onnx',
      'notebooks/.ipynb_checkpoints/model.onnx',
      'build/lib/pkg/model.onnx',
      'web/dist/model.onnx',
      '.git/lfs/objects/model.onnx',
    ]) assert.equal(skipped(file), true, file);
  });

  it('keeps what a notebook exports', () => {
    for (const file of ['model.onnx', 'notebooks/iris.onnx', 'runs/2024-05/model.onnx', 'models/environment/model.onnx', 'buildings/model.onnx']) {
      assert.equal(skipped(file), false, file);
    }
  });

  it('activates at startup as well, so the first export in a workspace with no model yet gets its offer; never on "*"', () => {
    assert.deepEqual(manifest.activationEvents, ['workspaceContains:**/*.onnx', 'onStartupFinished']);
  });
});

describe('the crash notification says why', () => {
  it('names the signal, what it usually means, and the last stderr lines (colours and control characters removed)', () => {
    const text = crashText('iris.onnx', { code: null, signal: 'SIGKILL' }, ['starting', '\u001b[31mError: boom\u001b[0m', '    at run (worker.js:1:1)', 'Node.js v20.19.0']);
    assert.equal(text, 'The preview of iris.onnx stopped unexpectedly (killed by SIGKILL: the system may have run out of memory, or another program killed it). Its last output: Error: boom ⏎ at run (worker.js:1:1) ⏎ Node.js v20.19.0');
  });

  it('names the exit code, and says so when the server wrote nothing on stderr', () => {
    assert.equal(crashText('m.onnx', { code: 3, signal: null }, []), 'The preview of m.onnx stopped unexpectedly (exit code 3). It wrote nothing on stderr.');
  });

  it('keeps a toast short: a huge line is cut', () => {
    const text = crashText('m.onnx', { code: 1, signal: null }, ['x'.repeat(5_000)]);
    assert.ok(text.length < 300, `${text.length} characters`);
  });
});

describe('the first publish\'s question, and who can open a link', () => {
  it('offers "Share on this network" and says that ngrok\'s free plan puts a warning page in front of visitors', () => {
    const lan = TUNNEL_CHOICES.find((c) => c.tunnel === 'lan')!;
    assert.equal(lan.label, 'Share on this network');
    assert.match(lan.detail, /Anyone on your network with the link/);
    assert.match(TUNNEL_CHOICES.find((c) => c.tunnel === 'ngrok')!.detail, /free plan shows visitors a warning page/);
    assert.match(linkReach('none'), /a phone cannot/);
    assert.match(linkReach('lan'), /Anyone on your network with the link/);
  });

  it('fits VS Code\'s default quick-pick width: title, placeholder and every choice at most 70 characters', () => {
    assert.equal(QUICK_PICK_TEXT_MAX, 70);
    for (const text of [TUNNEL_PICK_TITLE, TUNNEL_PICK_PLACEHOLDER, ...TUNNEL_CHOICES.flatMap((c) => [c.label, c.detail])]) {
      assert.ok(text.length <= QUICK_PICK_TEXT_MAX, `${text.length} characters: ${JSON.stringify(text)}`);
    }
  });

  it('after the pick, says where the answer was saved and how to change it', () => {
    assert.equal(tunnelSavedText('This machine only'),
      'Publishing with "This machine only" from now on: saved in your user settings as modelPreview.tunnel.provider. Change it there any time.');
  });
});

describe('link changes the owner did not ask for', () => {
  const link = 'http://127.0.0.1:47400/?t=abc';
  it('a port taken by another program, an expired link re-issued, a tunnel that lost its address: each says the old link is dead', () => {
    assert.match(linkChangeText('iris', { event: 'share-link-changed', reason: 'port-changed' as 'expired', shareUrl: link })!, /^The share link of iris changed: its port was taken by another program.*The old link no longer works/);
    assert.match(linkChangeText('iris', { event: 'share-link-changed', reason: 'expired', shareUrl: link })!, /had expired: a new one was made/);
    assert.match(linkChangeText('iris', { event: 'tunnel-url-changed', provider: 'pipenet', previousUrl: 'https://a.example/', publicUrl: 'https://b.example/', shareUrl: link })!, /pipenet tunnel could not get its address back/);
  });

  it('a rotation is not news: the owner asked for it', () => {
    assert.equal(linkChangeText('iris', { event: 'share-link-changed', reason: 'rotated', shareUrl: link }), undefined);
  });
});

describe('the QR code panel', () => {
  const shareUrl = 'https://x.example/?t=tok&a=<b>';
  it('is the link\'s QR code as an image, the link and who can open it as text; no script, a CSP that allows data: images only', async () => {
    const html = await qrCodePage({ model: 'iris <script>', shareUrl, reach: linkReach('lan'), nonce: 'n0nce' });
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /content="default-src &#39;none&#39;; img-src data:; style-src &#39;nonce-n0nce&#39;"/);
    assert.match(html, /<h2>iris &lt;script&gt;<\/h2>/);
    assert.match(html, /data-testid="qr-link">https:\/\/x\.example\/\?t=tok&amp;a=&lt;b&gt;</);
    const svg = Buffer.from(/src="data:image\/svg\+xml;base64,([^"]+)"/.exec(html)![1], 'base64').toString();
    // The image holds exactly the code of the link: as many modules as qrcode's own matrix for it, drawn dark on light.
    const { modules } = QRCode.create(shareUrl, { errorCorrectionLevel: 'M' });
    assert.match(svg, new RegExp(`viewBox="0 0 ${modules.size + 4} ${modules.size + 4}"`));
    assert.match(svg, /fill="#ffffff"/);
  });
});

describe('Models tree nodes', () => {
  it('shows each model with its signature, version and skipped outputs; published ones first with their state', () => {
    const nodes = modelNodes([
      { file: '/ws/b/iris.onnx', relativePath: 'b/iris.onnx', description: iris },
      { file: '/ws/a/other.onnx', relativePath: 'a/other.onnx', description: { ...iris, name: 'other' }, published: { modelVersion: 'c19ee04a8f90', shareUrl: 'http://x/?t=1', tunnel: 'ssh' } },
      { file: '/ws/c/broken.onnx', relativePath: 'c/broken.onnx', error: 'not an ONNX model' },
    ]);
    assert.deepEqual(nodes.map((n) => [n.label, n.kind, n.description]), [
      ['other', 'model.published', 'published · c19ee04a8f90'],
      ['iris', 'model', 'b/iris.onnx'],
      ['c/broken.onnx', 'model.broken', 'cannot be read'],
    ]);
    const children = nodes[1].children;
    assert.deepEqual(children.map((c) => c.label), ['Inputs', 'Outputs', 'probabilities', 'Version']);
    assert.deepEqual(children[0].children.map((c) => `${c.label} ${c.description}`), ['features FP32 [batch, 4]']);
    assert.equal(children[2].description, 'not a tensor: not served');
    assert.equal(children[3].description, 'c19ee04a8f90');
    assert.ok(nodes[0].children.some((c) => c.label === 'Share link' && c.description === 'via ssh'));
    assert.equal(nodes[2].tooltip, 'not an ONNX model');
    const ids = nodes.flatMap(function all(n): string[] { return [n.id, ...n.children.flatMap(all)]; });
    assert.equal(new Set(ids).size, ids.length, 'ids are unique (VS Code keys tree state by them)');
  });
});

describe('Models tree nodes: a Hugging Face folder', () => {
  it('shows the files read beside the model, the text input and its length, and what could not be used (a warning)', () => {
    const text = { inputs: { ids: 'input_ids', attentionMask: 'attention_mask' }, maxLength: 48, maxLengthFrom: 'tokenizer_config.json model_max_length', tokenizer: 'WordPiece, 199 tokens' };
    const folder = { files: ['config.json', 'tokenizer.json'], problems: ['preprocessor_config.json is not valid JSON: ignored'] };
    const [n] = modelNodes([{ file: '/ws/hf/model.onnx', relativePath: 'hf/model.onnx', description: { ...iris, folder, text } }]);
    const node = n.children.find((c) => c.label === 'Hugging Face folder')!;
    assert.equal(node.description, 'config.json, tokenizer.json');
    assert.equal(node.warning, true);
    assert.deepEqual(node.children.map((c) => c.label), [
      'takes text: tokenizer WordPiece, 199 tokens; fills input_ids, attention_mask',
      'at most 48 tokens (tokenizer_config.json model_max_length)',
      'not used: preprocessor_config.json is not valid JSON: ignored',
    ]);
    assert.equal(modelNodes([{ file: '/ws/iris.onnx', relativePath: 'iris.onnx', description: iris }])[0].children.some((c) => c.label === 'Hugging Face folder'), false);
  });
});

describe('Models tree nodes: what the running server reported wrong', () => {
  const published = { modelVersion: 'c19ee04a8f90', shareUrl: 'http://x/?t=1', tunnel: 'none' };
  const reloadError = '/ws/iris.onnx: not an ONNX model (still serving version c19ee04a8f90)';
  const node = (entry: Partial<ModelEntry>) => modelNodes([{ file: '/ws/iris.onnx', relativePath: 'iris.onnx', ...entry }])[0];

  it('a re-export that did not load: a warning, "reload failed — still serving <version>", the reason inside; the link actions stay', () => {
    // The catalog cannot read the broken file either: no signature, but the preview still runs.
    const n = node({ error: 'not an ONNX model', published: { ...published, problems: { reload: reloadError } } });
    assert.equal(n.kind, 'model.published', 'copy, open and stop stay on the item');
    assert.equal(n.label, 'iris', 'the served name');
    assert.equal(n.description, 'reload failed — still serving c19ee04a8f90');
    assert.equal(n.icon, 'warning');
    assert.equal(n.warning, true);
    assert.match(n.tooltip!, /Reload failed: \/ws\/iris\.onnx: not an ONNX model/);
    assert.deepEqual(n.children.map((c) => [c.label, c.description]), [['Reload failed', reloadError], ['Share link', 'this machine only']]);
  });

  it('cleared by the state itself: no problem, or the file on disk is the served version again', () => {
    assert.equal(node({ description: iris, published }).description, 'published · c19ee04a8f90');
    assert.equal(node({ description: iris, published }).icon, 'broadcast');
    const backToServed = node({ description: iris, published: { ...published, problems: { reload: reloadError } } });
    assert.equal(backToServed.description, 'published · c19ee04a8f90', 'the good file was exported again: nothing to reload');
    assert.equal(backToServed.warning, false);
    const newer = node({ description: { ...iris, version: '5e01d2c7a9b3' }, published: { ...published, problems: { reload: reloadError } } });
    assert.equal(newer.description, 'reload failed — still serving c19ee04a8f90', 'a file the server could not load');
  });

  it('an invalid sidecar: published, with "sidecar ignored" and why', () => {
    const n = node({ description: iris, published: { ...published, problems: { sidecar: '/ws/iris.preview.json: not valid JSON' } } });
    assert.equal(n.description, 'published · c19ee04a8f90 · sidecar ignored');
    assert.equal(n.icon, 'warning');
    assert.ok(n.children.some((c) => c.label === 'Sidecar ignored' && c.description === '/ws/iris.preview.json: not valid JSON'));
    assert.deepEqual(n.children.slice(0, 2).map((c) => c.label), ['Inputs', 'Outputs'], 'the signature is still shown');
  });
});

describe('serve arguments from the settings', () => {
  it('turns the ssh settings into the same flags a CLI user types; secrets are never flags', () => {
    const settings = { ...DEFAULT_SETTINGS, linkLifetime: '2h', tunnel: { ...DEFAULT_SETTINGS.tunnel, ssh: { ...DEFAULT_SETTINGS.tunnel.ssh, host: 'bastion', user: 'ds', hostKey: 'SHA256:abc' } } };
    assert.deepEqual(serveArguments(settings, 'ssh'), [
      '--expires', '2h', '--tunnel', 'ssh', '--ssh-host', 'bastion', '--ssh-port', '22', '--ssh-user', 'ds', '--ssh-host-key', 'SHA256:abc', '--ssh-remote-port', '0',
    ]);
    assert.deepEqual(serveArguments(DEFAULT_SETTINGS, 'none'), ['--expires', '24h']);
    assert.deepEqual(serveArguments(DEFAULT_SETTINGS, 'vscode'), ['--expires', '24h'], 'port forwarding is done by the extension');
    assert.deepEqual(serveArguments(DEFAULT_SETTINGS, 'pipenet'), ['--expires', '24h', '--tunnel', 'pipenet', '--pipenet-server', 'https://pipenet.dev']);
  });

  it('"Share on this network" serves on every interface, with no tunnel', () => {
    assert.deepEqual(serveArguments(DEFAULT_SETTINGS, 'lan'), ['--expires', '24h', '--host', '0.0.0.0']);
    assert.equal(readSettings((key) => (key === 'tunnel.provider' ? 'lan' : undefined)).tunnel.provider, 'lan');
  });

  it('passes modelPreview.keepFeedbackInGit on as --keep-feedback-in-git', () => {
    assert.deepEqual(serveArguments({ ...DEFAULT_SETTINGS, keepFeedbackInGit: true }, 'none'), ['--expires', '24h', '--keep-feedback-in-git']);
    assert.equal(readSettings((key) => (key === 'keepFeedbackInGit' ? true : undefined)).keepFeedbackInGit, true);
    assert.equal(readSettings((key) => (key === 'keepFeedbackInGit' ? 'yes' : undefined)).keepFeedbackInGit, false, 'a wrong type falls back to the default');
  });
});

describe('status bar text', () => {
  it('sums the previews\' counts and says when a tunnel is reconnecting', () => {
    assert.equal(statusText([]), undefined);
    const one = statusText([{ model: 'iris', counts: { predictions: 12, up: 3, down: 1 }, tunnelState: 'up' }])!;
    assert.equal(one.text, '$(broadcast) iris  $(pulse) 12  $(thumbsup) 3  $(thumbsdown) 1');
    assert.equal(one.label, 'Model Preview: iris: 12 predictions, 3 up, 1 down');
    const two = statusText([
      { model: 'iris', counts: { predictions: 1, up: 1, down: 0 }, tunnelState: 'reconnecting' },
      { model: 'digits', counts: { predictions: 2, up: 0, down: 2 }, tunnelState: 'none' },
    ])!;
    assert.equal(two.text, '$(sync~spin) 2 previews  $(pulse) 3  $(thumbsup) 1  $(thumbsdown) 2');
    assert.match(two.tooltip, /iris: 1 predictions, 1 up, 0 down \(tunnel reconnecting\)/);
  });
});

describe('the notebook\'s feedback loader cell', () => {
  it('is Python that reads every preview\'s feedback.jsonl into one pandas frame, oldest first (run with real pandas)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-loader-'));
    const record = (id: string, ts: string, model: string) => JSON.stringify({ id, ts, model, modelVersion: 'v1', rating: 'up', comment: 'a "quoted" comment' });
    mkdirSync(path.join(dir, '.model-preview', 'iris'), { recursive: true });
    mkdirSync(path.join(dir, '.model-preview', 'digits'), { recursive: true });
    writeFileSync(path.join(dir, '.model-preview', 'iris', 'feedback.jsonl'), `${record('b', '2026-11-27T10:00:02Z', 'iris')}\n`);
    writeFileSync(path.join(dir, '.model-preview', 'digits', 'feedback.jsonl'), `${record('a', '2026-11-27T10:00:01Z', 'digits')}\n${record('c', '2026-11-27T10:00:03Z', 'digits')}\n`);
    const script = `${feedbackLoaderCell('.model-preview')}\nprint(",".join(feedback["id"]) + "|" + str(len(feedback)) + "|" + feedback["comment"][0])`;
    const out = execFileSync('/usr/bin/python3', ['-c', script], { cwd: dir, encoding: 'utf8' }).trim();
    assert.equal(out, 'a,b,c|3|a "quoted" comment');
  });

  it('also reads the "is it fixed now?" table from regressions.jsonl, one row per version loaded (real pandas)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-loader-'));
    mkdirSync(path.join(dir, '.model-preview', 'iris'), { recursive: true });
    writeFileSync(path.join(dir, '.model-preview', 'iris', 'feedback.jsonl'), `${JSON.stringify({ id: 'a', ts: '2026-11-27T10:00:01Z', rating: 'down' })}\n`);
    const report = (ts: string, modelVersion: string, fixed: number, broke: unknown[]) => JSON.stringify({
      model: 'iris', modelVersion, previousVersion: 'v0', ts, total: 4, fixed, stillWrong: 4 - fixed, failed: 0, broke, durationMs: 12,
      answers: { a: 'versicolor' }, // what each case answered: stored for the next replay, left out of the table
    });
    writeFileSync(path.join(dir, '.model-preview', 'iris', 'regressions.jsonl'),
      `${report('2026-11-27T11:00:00Z', 'v2', 0, [{ feedbackId: 'a' }])}\n${report('2026-11-27T10:00:00Z', 'v1', 2, [])}\n`);
    const script = `${feedbackLoaderCell('.model-preview')}\nprint(",".join(regressions["modelVersion"]) + "|" + ",".join(str(f) for f in regressions["fixed"]) + "|" + str(len(regressions["broke"].iloc[1])) + "|" + ",".join(regressions.columns))`;
    const out = execFileSync('/usr/bin/python3', ['-c', script], { cwd: dir, encoding: 'utf8' }).trim();
    assert.equal(out, 'v1,v2|2,0|1|ts,model,previousVersion,modelVersion,total,fixed,stillWrong,failed,broke');
  });
});

describe('ssh key files: does publishing need to ask for a passphrase?', () => {
  it('tells encrypted keys from plain ones, for keys made by the real ssh-keygen', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-keys-'));
    const make = (name: string, passphrase: string, format: string[] = []) => {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', path.join(dir, name), ...format]);
      return path.join(dir, name);
    };
    assert.equal(await keyNeedsPassphrase(make('plain', '')), false);
    assert.equal(await keyNeedsPassphrase(make('locked', 'correct horse')), true);
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'pem pass', '-f', path.join(dir, 'pem')]);
    assert.equal(await keyNeedsPassphrase(path.join(dir, 'pem')), true, 'a legacy PEM key with a passphrase');
    assert.equal(await keyNeedsPassphrase(path.join(dir, 'missing')), false, 'the server will name a missing file');
  });
});

describe('status bar text: tunnel states', () => {
  it('spins while a tunnel reconnects and warns once one gave up', () => {
    const preview = (tunnelState: 'up' | 'reconnecting' | 'down') => ({ model: 'iris', counts: { predictions: 0, up: 0, down: 0 }, tunnelState });
    assert.match(statusText([preview('reconnecting')])!.text, /^\$\(sync~spin\)/);
    assert.match(statusText([preview('down'), preview('reconnecting')])!.text, /^\$\(warning\)/);
    assert.match(statusText([preview('down')])!.tooltip, /tunnel down: link local only/);
  });

  it('a tunnel up but not reachable from outside is its own state: a warning, and the tooltip says so', () => {
    const shown = statusText([{ model: 'iris', counts: { predictions: 0, up: 0, down: 0 }, tunnelState: 'unreachable' }])!;
    assert.match(shown.text, /^\$\(warning\)/);
    assert.match(shown.tooltip, /iris: .*\(tunnel up, but the link does not reach it from outside\)/);
  });
});

describe('RunningPreview and the tree: a tunnel up but not reachable from outside', () => {
  const ready = { event: 'ready' as const, model: 'iris', modelVersion: 'v1', port: 8000, localUrl: 'http://127.0.0.1:8000/', shareUrl: 'https://t.example/?t=x', tunnel: 'ssh', epoch: 'e', ownerToken: 'o' };
  const preview = () => new RunningPreview('/ws/iris.onnx', '/ws/.model-preview/iris', { ready } as unknown as PreviewServer, 'ssh');
  const unreachable = { event: 'tunnel-unreachable', provider: 'ssh', publicUrl: 'https://t.example/', reason: 'answered 502', failedChecks: 3, id: 1 } as const;

  it('is a state of its own with the reason in the tree, until the tunnel is up again', () => {
    const p = preview();
    assert.equal(p.apply(unreachable), 'state');
    assert.equal(p.tunnelState, 'unreachable');
    const node = modelNodes([{ file: p.file, relativePath: 'iris.onnx', description: iris, published: { modelVersion: 'v1', shareUrl: p.shareUrl, tunnel: 'ssh', problems: { ...p.problems } } }])[0];
    assert.equal(node.description, 'published · v1 · not reachable from outside');
    assert.equal(node.icon, 'warning');
    assert.ok(node.children.some((c) => c.label === 'Not reachable from outside' && /https:\/\/t\.example\/ does not reach the preview from outside \(3 checks in a row\): answered 502/.test(c.description ?? '')));
    p.apply({ event: 'tunnel-up', provider: 'ssh', publicUrl: 'https://t.example/', shareUrl: 'https://t.example/?t=x', id: 2 });
    assert.equal(p.tunnelState, 'up');
    assert.deepEqual(p.problems, {});
  });
});

describe('RunningPreview and the tree: a reload without overlap (the old version unloaded to make room)', () => {
  const ready = { event: 'ready' as const, model: 'iris', modelVersion: 'v1', port: 8000, localUrl: 'http://127.0.0.1:8000/', shareUrl: 'http://127.0.0.1:8000/?t=x', tunnel: 'none', epoch: 'e', ownerToken: 'o' };
  const preview = () => new RunningPreview('/ws/iris.onnx', '/ws/.model-preview/iris', { ready } as unknown as PreviewServer, 'none');
  const node = (p: RunningPreview, onDisk = 'v2') => modelNodes([{
    file: p.file, relativePath: 'iris.onnx', description: { ...iris, version: onDisk },
    published: { modelVersion: p.modelVersion, shareUrl: p.shareUrl, tunnel: 'none', problems: { ...p.problems } },
  }])[0];
  const withoutOverlap = { event: 'reload-without-overlap', model: 'iris', previousVersion: 'v1', availableBytes: 5e8, neededBytes: 8e8, id: 1 } as const;
  const failed = { event: 'error', source: 'model-reload', message: 'out of memory (no version is served: v1 was unloaded to make room for the new one; requests get 503 until a re-export loads)', id: 2 } as const;

  it('says nothing is served while the new version loads, and after it failed — never "still serving" the unloaded version', () => {
    const p = preview();
    assert.equal(p.apply(withoutOverlap), 'state');
    assert.equal(node(p).description, 'reloading — nothing served meanwhile');
    assert.equal(node(p).icon, 'warning');
    assert.ok(node(p).children.some((c) => c.label === 'Not serving' && /v1 was unloaded to make room/.test(c.description ?? '')));
    p.apply(failed);
    assert.equal(node(p).description, 'reload failed — nothing served until a re-export loads');
    assert.equal(node(p, 'v1').description, 'reloading — nothing served meanwhile', 'the old file exported again: the server loads it; still nothing served until it has');
  });

  it('the next version that loads clears both', () => {
    const p = preview();
    p.apply(withoutOverlap);
    p.apply(failed);
    p.apply({ event: 'model-reloaded', model: 'iris', modelVersion: 'v3', previousVersion: 'v1', loadMs: 900, unavailableMs: 12_000, id: 3 });
    assert.deepEqual(p.problems, {});
    assert.equal(node(p, 'v3').description, 'published · v3');
  });
});

describe('data folders of published models', () => {
  it('mirror the model\'s path in the workspace, so two model.onnx files never share tokens or feedback', () => {
    assert.equal(dataDirFor('/ws/runs/a/model.onnx', '/ws', '.model-preview'), '/ws/.model-preview/runs/a/model');
    assert.equal(dataDirFor('/ws/runs/b/model.onnx', '/ws', '.model-preview'), '/ws/.model-preview/runs/b/model');
    assert.equal(dataDirFor('/ws/iris.onnx', '/ws', 'feedback'), '/ws/feedback/iris');
    assert.equal(dataDirFor('/elsewhere/iris.onnx', '/ws', '.model-preview'), '/ws/.model-preview/iris', 'outside the workspace: the name only');
  });
});
