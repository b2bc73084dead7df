import * as assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createTunnelProvider } from '../../src/core/tunnel/create-tunnel-provider';
import type { PreviewEvent, StreamMessage } from '../../src/shared/events';
import { IRIS_MODEL, pollUntil, startPreview, type Preview } from '../helpers/preview';
import { startThrowawaySshd, type ThrowawaySshd } from '../helpers/throwaway-sshd';

/**
 * A whole preview published through a real OpenSSH server on 127.0.0.1 (throwaway keys): a stakeholder's prediction
 * and feedback travel through the forwarded port, the tunnel survives sshd restarting, and the owner's events
 * stream says what happened.
 */
describe('publish through an ssh tunnel (real sshd on loopback)', function () {
  this.timeout(30_000);
  let sshd: ThrowawaySshd;
  let p: Preview;

  before(async () => {
    sshd = await startThrowawaySshd();
    const provider = await createTunnelProvider(
      { provider: 'ssh', host: sshd.host, port: sshd.port, user: sshd.username, identityFile: sshd.clientKeyPath, hostKey: sshd.hostKeyLine, remotePort: 0 },
      {},
    );
    p = await startPreview(IRIS_MODEL, { tunnel: provider, tunnelKeeper: { initialDelayMs: 100, maxDelayMs: 500, maxAttempts: 40 } });
  });
  after(async () => {
    await p?.stop();
    await sshd?.dispose();
  });

  const publicUrl = () => new URL(p.session.shareLink().publicUrl!);

  it('the share link is the forwarded port; the page, a prediction and a feedback go through it', async () => {
    const link = p.session.shareLink();
    assert.equal(link.tunnel.provider, 'ssh');
    assert.equal(link.tunnel.state, 'up');
    const url = publicUrl();
    assert.equal(url.hostname, '127.0.0.1');
    assert.notEqual(Number(url.port), p.port, 'a different port: the server\'s side of the tunnel');
    assert.equal(new URL(link.shareUrl).searchParams.get('t'), p.shareToken);
    assert.ok(!link.shareUrl.includes(p.ownerToken));

    const opened = await fetch(link.shareUrl, { redirect: 'manual' });
    assert.equal(opened.status, 303, 'the link trades its token for a cookie through the tunnel too');
    const auth = { authorization: `Bearer ${p.shareToken}`, 'content-type': 'application/json' };
    const predicted = await fetch(new URL('/api/predict', url), { method: 'POST', headers: auth, body: JSON.stringify({ inputs: { features: [5.1, 3.5, 1.4, 0.2] } }) });
    assert.equal(predicted.status, 200);
    const { predictionId } = await predicted.json() as { predictionId: string };
    const sent = await fetch(new URL('/api/feedback', url), {
      method: 'POST', headers: auth,
      body: JSON.stringify({ predictionId, rating: 'down', expected: 'versicolor', comment: 'through the tunnel', idempotencyKey: 'ssh-tunnel-feedback-1' }),
    });
    assert.equal(sent.status, 201, await sent.text());
    const event = await p.waitForEvent((e) => e.event === 'feedback');
    assert.equal((event as Extract<PreviewEvent, { event: 'feedback' }>).record.comment, 'through the tunnel');
  });

  it('sshd killed and started again: the owner\'s events say down, then up on the same remote port within 5 s', async () => {
    const events = new WebSocket(`ws://127.0.0.1:${p.port}/api/events`, { headers: { authorization: `Bearer ${p.ownerToken}` } });
    const streamed: StreamMessage[] = [];
    events.on('message', (data) => streamed.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => events.once('open', resolve).once('error', reject));
    const before = publicUrl();

    await sshd.stop();
    await p.waitForEvent((e) => e.event === 'tunnel-down', 5_000);
    assert.equal(p.session.shareLink().tunnel.state, 'reconnecting');
    const restarted = Date.now();
    await sshd.start();
    const up = await p.waitForEvent((e) => e.event === 'tunnel-up' && p.events.indexOf(e) > p.events.findIndex((d) => d.event === 'tunnel-down'), 5_000);
    const took = Date.now() - restarted;
    assert.ok(took < 5_000, `back in ${took} ms`);
    assert.equal(new URL((up as Extract<PreviewEvent, { event: 'tunnel-up' }>).publicUrl).port, before.port, 'the same remote port, so the link still works');
    assert.ok(!p.events.some((e) => e.event === 'tunnel-url-changed'));

    const res = await fetch(new URL('/api/card', before), { headers: { authorization: `Bearer ${p.shareToken}` } });
    assert.equal(res.status, 200, 'the old link works again');

    // The owner's events stream told the same story: down, then up again.
    const kinds = () => streamed.map((m) => m.event);
    await pollUntil(async () => (kinds().lastIndexOf('tunnel-up') > kinds().indexOf('tunnel-down') && kinds().includes('tunnel-down') ? true : undefined),
      5_000, 'tunnel-down then tunnel-up on the events stream', 10);
    events.close();
  });

  it('stopping the preview closes its tunnel: the remote port stops answering', async () => {
    const url = publicUrl();
    await p.stop();
    await assert.rejects(fetch(new URL('/v2/health/live', url), { signal: AbortSignal.timeout(3_000) }));
  });
});

describe('publish through an ssh tunnel: refusals', function () {
  this.timeout(20_000);
  let sshd: ThrowawaySshd;
  before(async () => (sshd = await startThrowawaySshd()));
  after(() => sshd?.dispose());

  it('a wrong pinned host key stops the start with a message naming the real fingerprint', async () => {
    const other = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    const provider = await createTunnelProvider(
      { provider: 'ssh', host: sshd.host, port: sshd.port, user: sshd.username, identityFile: sshd.clientKeyPath, hostKey: other },
      {},
    );
    await assert.rejects(startPreview(IRIS_MODEL, { tunnel: provider }), (err: Error) => {
      assert.ok(err.message.includes(sshd.hostKeyFingerprint), err.message);
      return true;
    });
  });
});
