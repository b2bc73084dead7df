import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readServeConfig } from '../../src/cli/serve-config';
import { readSidecar } from '../../src/core/model/sidecar-file';
import { readJsonl } from '../../src/core/store/jsonl-reader';
import { hostKeyTrust } from '../../src/core/tunnel/ssh-host-key';
import { keyNeedsPassphrase } from '../../src/vscode/previews/ssh-key-file';

/** As a Windows editor saves it: CRLF line ends, and a UTF-8 byte order mark first (Notepad, PowerShell 5's Out-File). */
const windowsSaved = (text: string) => '\ufeff' + text.replace(/\r?\n/g, '\r\n');

/** Files a person edits by hand, saved on Windows, read by the server, the CLI and the extension. */
describe('files edited on Windows (CRLF, byte order mark)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mp-crlf-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a sidecar <model>.preview.json reads as the same sidecar', async () => {
    const sidecar = { title: 'Iris', outputs: { logits: { classNames: ['setosa', 'versicolor', 'virginica'] } } };
    writeFileSync(path.join(dir, 'iris.preview.json'), windowsSaved(JSON.stringify(sidecar, null, 2)));
    const result = await readSidecar(path.join(dir, 'iris.onnx'));
    assert.equal(result.error, undefined);
    assert.equal(result.sidecar?.title, 'Iris');
  });

  it('a serve --config file reads', async () => {
    const file = path.join(dir, 'serve.json');
    writeFileSync(file, windowsSaved(JSON.stringify({ expires: '2h', rateLimits: { predictionsPerMinute: 10 } }, null, 2)));
    assert.deepEqual(await readServeConfig(file), { expires: '2h', rateLimits: { predictionsPerMinute: 10 } });
  });

  it('a feedback.jsonl someone opened and saved keeps every record, the first line included', async () => {
    const file = path.join(dir, 'feedback.jsonl');
    writeFileSync(file, windowsSaved('{"id":"a"}\n{"id":"b"}\n'));
    const warnings: string[] = [];
    assert.deepEqual(await readJsonl<{ id: string }>(file, (w) => warnings.push(w)), [{ id: 'a' }, { id: 'b' }]);
    assert.deepEqual(warnings, []);
  });

  it('a known_hosts file and an ssh key file with CRLF line ends still work', async () => {
    const key = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-passphrase', '-f', key]);
    writeFileSync(key, readFileSync(key, 'utf8').replace(/\n/g, '\r\n'));
    assert.equal(await keyNeedsPassphrase(key), true, 'the passphrase is still noticed');
    const publicKey = readFileSync(`${key}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const knownHosts = path.join(dir, 'known_hosts');
    writeFileSync(knownHosts, windowsSaved(`# pinned\n[127.0.0.1]:2222 ${publicKey}\n`).slice(1));
    const trust = await hostKeyTrust({ host: '127.0.0.1', hostKey: 'trust-on-first-use', knownHostsFile: knownHosts }, 2222, '127.0.0.1:2222');
    const blob = Buffer.from(publicKey.split(' ')[1], 'base64');
    assert.equal(trust.verify(blob), true, 'the key on the CRLF line is the pinned one');
  });
});
