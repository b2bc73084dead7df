import * as fs from 'node:fs';
import * as http from 'node:http';
import WebSocket from 'ws';
import type { BenchCase, CaseResult } from '../lib/case';
import { makeDataDir, startOurServer } from '../lib/processes';
import { fmt, percentile, round } from '../lib/stats';

const SUBMISSIONS = 1_000;
const TARGET_P99_MS = 20;

function post(agent: http.Agent, url: string, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * From `POST /api/feedback` (with its fsync) to the owner's WebSocket receiving the `feedback` event, one submission
 * at a time over a keep-alive connection, as a stakeholder and the data scientist's sidebar would see it.
 */
export const feedbackLatency: BenchCase = {
  name: 'feedback-latency',
  description: `POST /api/feedback -> events WebSocket, ${SUBMISSIONS} submissions, fsync on`,
  async run(options): Promise<CaseResult> {
    const dataDir = makeDataDir();
    const server = await startOurServer({ label: 'serve', dataDir });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/api/events`, { headers: { authorization: `Bearer ${String(server.ready.ownerToken)}` } });
    try {
      await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      const predicted = await post(agent, `${server.baseUrl}/api/predict`, server.token, JSON.stringify({ inputs: { features: [6.7, 3.0, 5.2, 2.3] } }));
      const predictionId = (JSON.parse(predicted.text) as { predictionId: string }).predictionId;
      const arrived = new Map<string, () => void>();
      ws.on('message', (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as { event: string; record?: { idempotencyKey: string } };
        if (message.event === 'feedback' && message.record) arrived.get(message.record.idempotencyKey)?.();
      });
      const latencies: number[] = [];
      const answers: number[] = [];
      for (let i = 0; i < SUBMISSIONS; i++) {
        const key = `bench-${i}-${Date.now()}`;
        const event = new Promise<void>((resolve) => arrived.set(key, resolve));
        const started = performance.now();
        const answer = await post(agent, `${server.baseUrl}/api/feedback`, server.token, JSON.stringify({
          predictionId, rating: i % 3 === 0 ? 'down' : 'up', expected: 'versicolor', comment: `benchmark submission ${i}`, idempotencyKey: key,
        }));
        answers.push(performance.now() - started);
        if (answer.status !== 201) throw new Error(`submission ${i} answered ${answer.status}: ${answer.text}`);
        await event;
        latencies.push(performance.now() - started);
        arrived.delete(key);
      }
      const sorted = Float64Array.from(latencies).sort();
      const sortedAnswers = Float64Array.from(answers).sort();
      const lines = fs.readFileSync(`${dataDir}/feedback.jsonl`, 'utf8').trim().split('\n').length;
      options.log(`  ${SUBMISSIONS} submissions: event p50 ${fmt(percentile(sorted, 50), 2)} ms, p99 ${fmt(percentile(sorted, 99), 2)} ms; ${lines} lines on disk`);
      const p99 = percentile(sorted, 99);
      return {
        tables: [{
          title: `Feedback to WebSocket event (${SUBMISSIONS} sequential submissions, fsync on)`,
          rows: [
            ['measure', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
            ['POST answered (201)', ...[50, 90, 99, 100].map((p) => fmt(percentile(sortedAnswers, p), 2))],
            ['event received', ...[50, 90, 99, 100].map((p) => fmt(percentile(sorted, p), 2))],
          ],
        }],
        notes: [`feedback.jsonl holds ${lines} lines after ${SUBMISSIONS} submissions`],
        checks: [
          { target: `feedback -> WebSocket event p99 <= ${TARGET_P99_MS} ms`, actual: `${fmt(p99, 2)} ms`, pass: p99 <= TARGET_P99_MS },
          { target: 'every submission stored once', actual: `${lines} lines`, pass: lines === SUBMISSIONS },
        ],
        data: { submissions: SUBMISSIONS, eventMs: { p50: round(percentile(sorted, 50), 3), p99: round(p99, 3), max: round(sorted[sorted.length - 1], 3) }, answerMs: { p50: round(percentile(sortedAnswers, 50), 3), p99: round(percentile(sortedAnswers, 99), 3) } },
      };
    } finally {
      ws.close();
      agent.destroy();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
