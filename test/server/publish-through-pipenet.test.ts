import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { createTunnelProvider } from '../../src/core/tunnel/create-tunnel-provider';
import type { PreviewEvent } from '../../src/shared/events';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';
import { startPipenetServer, type PipenetServer } from '../helpers/pipenet-server';

/**
 * A whole preview published through a real pipenet server on 127.0.0.1 (the package's own server; tunnels are routed
 * by Host header, as DNS would route <id>.<domain>): a stakeholder's prediction and feedback go through it, and the
 * preview survives the pipenet server restarting, with the same public URL.
 */
function visit(pipenet: PipenetServer, publicUrl: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  // The tunnel's host ("<id>.127.0.0.1:<port>") as a browser would send it; WHATWG URL will not parse such a name.
  const host = publicUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: pipenet.port, method, path, agent: false, timeout: 5_000,
      headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('publish through a pipenet tunnel (real pipenet server on loopback)', function () {
  this.timeout(40_000);
  let pipenet: PipenetServer;
  let p: Preview;

  before(async () => {
    pipenet = await startPipenetServer();
    const provider = await createTunnelProvider({ provider: 'pipenet', server: pipenet.url }, {});
    p = await startPreview(IRIS_MODEL, { tunnel: provider, tunnelKeeper: { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 30 } });
  });
  after(async () => {
    await p?.stop();
    await pipenet?.stop();
  });

  it('the share link is the pipenet URL; a prediction and a feedback go through it', async () => {
    const link = p.session.shareLink();
    assert.equal(link.tunnel.provider, 'pipenet');
    assert.match(link.publicUrl!, /^http:\/\/[a-z0-9-]+\.127\.0\.0\.1:\d+\/$/);
    assert.ok(link.shareUrl.startsWith(link.publicUrl!));
    const predicted = await visit(pipenet, link.publicUrl!, 'POST', '/api/predict', p.shareToken, { inputs: { features: [5.9, 3.0, 5.1, 1.8] } });
    assert.equal(predicted.status, 200);
    const sent = await visit(pipenet, link.publicUrl!, 'POST', '/api/feedback', p.shareToken, { predictionId: predicted.json.predictionId, rating: 'up', idempotencyKey: 'pipenet-feedback-1' });
    assert.equal(sent.status, 201);
    await p.waitForEvent((e) => e.event === 'feedback');
  });

  it('survives the pipenet server restarting: down, then up again on the same public URL', async () => {
    const before = p.session.shareLink().publicUrl!;
    await pipenet.restart();
    await p.waitForEvent((e) => e.event === 'tunnel-down', 10_000);
    const up = await p.waitForEvent((e) => e.event === 'tunnel-up' && p.events.indexOf(e) > p.events.findIndex((d) => d.event === 'tunnel-down'), 20_000);
    assert.equal((up as Extract<PreviewEvent, { event: 'tunnel-up' }>).publicUrl, before, 'the same subdomain, so the link still works');
    const card = await visit(pipenet, before, 'GET', '/api/card', p.shareToken);
    assert.equal(card.status, 200);
  });
});
