import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { CLI, REPO } from './cli-process';

/**
 * The extension forks the server with an IPC channel. If the extension host dies (a crash, a kill, a closed window),
 * that channel closes: the server must then stop by itself rather than keep a port and a public tunnel open.
 */
describe('model-preview serve, forked by the extension', () => {
  it('stops cleanly (exit 0, port freed) when its parent\'s IPC channel closes', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mp-disconnect-')), 'data');
    const child = fork(CLI, ['serve', path.join(REPO, 'examples/iris/iris.onnx'), '--json', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await new Promise<{ port: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ready line in 15 s')), 15_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const event = JSON.parse(line) as { event: string; port: number };
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve(event);
        }
      });
    });
    child.disconnect(); // what the parent's death looks like from the child
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 5 s'), 5_000))]);
    assert.equal(code, 0);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(ready.port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    assert.equal(refused, true, 'the port is free');
  });
});
