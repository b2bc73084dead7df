/**
 * The floor for the throughput and image-binary cases: the least a V2 server for this model can do per request. Bare
 * `node:http`, one onnxruntime-node session (`intraOpNumThreads: 1`) run on the main thread, the same V2 JSON in and
 * out — or, for FP32, Triton's binary tensor data (Inference-Header-Content-Length; `binary_data_size` inputs,
 * `binary_data_output` / `binary_data` outputs) — no framework, no token check, no worker threads, no validation
 * beyond what it needs to find the bytes. Usage: `node out/bench/floor-server.js <model.onnx> [port]`; prints
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
  data?: number[];
  parameters?: { binary_data_size?: number };
}

interface V2Request {
  inputs: V2Input[];
  outputs?: Array<{ name: string; parameters?: { binary_data?: boolean } }>;
  parameters?: { binary_data_output?: boolean };
}

type Answer = { status: number; json: unknown; binary?: Buffer[] };

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

  const answer = (res: http.ServerResponse, { status, json, binary }: Answer) => {
    const text = JSON.stringify(json);
    if (!binary) {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    const head = Buffer.from(text);
    const body = Buffer.concat([head, ...binary]);
    res.writeHead(status, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': head.length, 'Content-Length': body.length });
    res.end(body);
  };

  /** `jsonLength`: the request's Inference-Header-Content-Length; the binary inputs' bytes follow the JSON in order. */
  const infer = async (raw: Buffer, jsonLength: number | undefined): Promise<Answer> => {
    const request = JSON.parse(raw.toString('utf8', 0, jsonLength)) as V2Request;
    const feeds: Record<string, ort.Tensor> = {};
    let at = jsonLength ?? raw.length;
    for (const input of request.inputs) {
      if (input.datatype !== 'FP32') throw new Error(`the floor server only takes FP32, got ${input.datatype}`);
      const size = input.parameters?.binary_data_size;
      // A typed array needs its bytes aligned: one copy of the section, as any server over this protocol needs.
      const data = size === undefined ? Float32Array.from(input.data ?? []) : new Float32Array(new Uint8Array(raw.subarray(at, (at += size))).buffer);
      feeds[input.name] = new ort.Tensor('float32', data, input.shape);
    }
    const results = await session.run(feeds);
    const binaryByDefault = request.parameters?.binary_data_output ?? false;
    const binaryOf = new Map(request.outputs?.map((o) => [o.name, o.parameters?.binary_data ?? binaryByDefault]));
    const binary: Buffer[] = [];
    const outputs = (request.outputs?.map((o) => o.name) ?? session.outputNames).map((name) => {
      const t = results[name];
      const data = t.data as Float32Array;
      if (!(binaryOf.get(name) ?? binaryByDefault)) return { name, datatype: 'FP32', shape: t.dims, data: Array.from(data) };
      binary.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      return { name, datatype: 'FP32', shape: t.dims, parameters: { binary_data_size: data.byteLength } };
    });
    return { status: 200, json: { model_name: modelName, model_version: modelVersion, outputs }, ...(binary.length ? { binary } : {}) };
  };

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v2/health/ready') return answer(res, { status: 200, json: { ready: true } });
    if (req.method !== 'POST' || req.url !== inferPath) return answer(res, { status: 404, json: { error: 'not found' } });
    const header = req.headers['inference-header-content-length'];
    const jsonLength = header === undefined ? undefined : Number(header);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      infer(Buffer.concat(chunks), jsonLength).then((a) => answer(res, a), (err: Error) => answer(res, { status: 400, json: { error: err.message } }));
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
