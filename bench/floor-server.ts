/**
 * The floor for the throughput case: the least a V2 server for this model can do per request. Bare `node:http`,
 * one onnxruntime-node session (`intraOpNumThreads: 1`) run on the main thread, the same V2 JSON in and out, no
 * framework, no token check, no worker threads. Usage: `node out/bench/floor-server.js <model.onnx> [port]`; prints
 * `{"event":"ready","port":N,...}` and stops on SIGTERM.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

interface V2Input {
  name: string;
  shape: number[];
  datatype: string;
  data: number[];
}

async function main(): Promise<void> {
  const [modelFile, portArg] = process.argv.slice(2);
  if (!modelFile) throw new Error('usage: floor-server <model.onnx> [port]');
  const bytes = fs.readFileSync(modelFile);
  const modelName = path.basename(modelFile).replace(/\.onnx$/i, '');
  const modelVersion = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3,
  });
  const inferPath = `/v2/models/${modelName}/infer`;

  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const infer = async (raw: Buffer): Promise<unknown> => {
    const request = JSON.parse(raw.toString('utf8')) as { inputs: V2Input[] };
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of request.inputs) {
      if (input.datatype !== 'FP32') throw new Error(`the floor server only takes FP32, got ${input.datatype}`);
      feeds[input.name] = new ort.Tensor('float32', Float32Array.from(input.data), input.shape);
    }
    const results = await session.run(feeds);
    return {
      model_name: modelName,
      model_version: modelVersion,
      outputs: session.outputNames.map((name) => {
        const t = results[name];
        return { name, datatype: 'FP32', shape: t.dims, data: Array.from(t.data as Float32Array) };
      }),
    };
  };

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v2/health/ready') return answer(res, 200, { ready: true });
    if (req.method !== 'POST' || req.url !== inferPath) return answer(res, 404, { error: 'not found' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      infer(Buffer.concat(chunks)).then((body) => answer(res, 200, body), (err: Error) => answer(res, 400, { error: err.message }));
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.stdout.write(JSON.stringify({ event: 'ready', model: modelName, modelVersion, port: address.port }) + '\n');
  });
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`floor-server: ${err.message}\n`);
  process.exit(1);
});
