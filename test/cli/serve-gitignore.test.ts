import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startCli } from './cli-process';

const IRIS = path.resolve(__dirname, '../../../examples/iris/iris.onnx');

/** `serve` writes the data folder's .gitignore: stakeholders' data hidden by default, kept in git when asked. */
describe('cli: serve and git (--keep-feedback-in-git)', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mp-cli-git-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function gitignoreAfterServe(name: string, extra: string[]): Promise<string> {
    const dataDir = path.join(dir, name);
    const cli = startCli(['serve', IRIS, '--json', '--port', '0', '--workers', '1', '--no-watch', '--data-dir', dataDir, ...extra]);
    try {
      await cli.nextEvent((e) => e.event === 'ready');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    return readFileSync(path.join(dataDir, '.gitignore'), 'utf8');
  }

  it('hides predictions, feedback and blobs by default', async () => {
    const text = await gitignoreAfterServe('default', []);
    for (const name of ['/predictions.jsonl', '/feedback.jsonl', '/regressions.jsonl', '/blobs/', '/tokens.json']) assert.ok(text.split('\n').includes(name), `${name} in\n${text}`);
  });

  it('--keep-feedback-in-git, or keepFeedbackInGit in the --config file, leaves them visible and still hides the tokens', async () => {
    const config = path.join(dir, 'preview.json');
    writeFileSync(config, JSON.stringify({ keepFeedbackInGit: true }));
    for (const [name, extra] of [['flag', ['--keep-feedback-in-git']], ['config', ['--config', config]]] as const) {
      const text = await gitignoreAfterServe(name, [...extra]);
      assert.ok(!/feedback\.jsonl|predictions\.jsonl|blobs/.test(text.split('\n').filter((l) => !l.startsWith('#')).join('\n')), `${name}:\n${text}`);
      assert.ok(text.split('\n').includes('/tokens.json'), `${name}:\n${text}`);
    }
  });
});
