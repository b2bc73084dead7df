import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { processStartIdentity, psIdentity } from '../../src/client/process-identity';
import { verifyServerProcess } from '../../src/client/running-server';
import type { ServerInfo } from '../../src/shared/server-info';

const infoOf = (pid: number, startIdentity: string | undefined, startedAt = new Date().toISOString()): ServerInfo => ({
  pid, startIdentity, instanceId: 'run-1', startedAt, version: '0.1.0', state: 'ready', port: 29_999, host: '127.0.0.1', localUrl: 'http://127.0.0.1:29999/',
});

describe('client: is the process server.json names really that server? (real processes)', () => {
  it('the OS start identity is the same for the same process, another for another process, none for a process that ended', async () => {
    const mine = await processStartIdentity(process.pid);
    assert.ok(mine, 'this OS gives a start identity');
    assert.equal(await processStartIdentity(process.pid), mine);
    const other = spawn('sleep', ['30']);
    try {
      assert.notEqual(await processStartIdentity(other.pid!), mine);
      assert.equal((await verifyServerProcess(infoOf(other.pid!, mine))).live, false, 'a pid with another start identity is not the server');
      assert.equal((await verifyServerProcess(infoOf(other.pid!, await processStartIdentity(other.pid!)))).live, true);
    } finally {
      other.kill('SIGKILL');
      await once(other, 'exit');
    }
    assert.equal(await processStartIdentity(other.pid!), undefined);
    assert.deepEqual(await verifyServerProcess(infoOf(other.pid!, mine)), { live: false, reason: `its process ${other.pid} is gone` });
  });

  it('the macOS and other-Unix identity (ps -o lstart) works where ps does, and is the same for the same process', async () => {
    const identity = await psIdentity(process.pid);
    assert.match(identity ?? '', /^ps:\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}$/);
    assert.equal(await psIdentity(process.pid), identity);
  });

  it('with no start identity (Windows), the server itself is asked; an old unverifiable pid is not trusted', async () => {
    assert.equal((await verifyServerProcess(infoOf(process.pid, undefined), async () => false)).live, false);
    assert.equal((await verifyServerProcess(infoOf(process.pid, undefined), async () => true)).live, true);
    // Not listening yet, nothing to ask: a live pid counts while it is young, not after.
    assert.equal((await verifyServerProcess(infoOf(process.pid, undefined))).live, true);
    assert.equal((await verifyServerProcess(infoOf(process.pid, undefined, new Date(Date.now() - 3_600_000).toISOString()))).live, false);
  });
});
