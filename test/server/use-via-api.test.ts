import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { apiSnippets, type ApiSnippet } from '../../src/shared/api-snippets';
import { fixtureModel, IRIS_MODEL, REPO_ROOT, startPreview, type Preview } from '../helpers/preview';

const run = promisify(execFile);

/**
 * "Use via API": the snippets the page shows, run as shown — curl in bash, Python with Debian's python3 (requests,
 * numpy), JavaScript with node — against a real server, each getting the model's answer; and /openapi.json, whose
 * own example requests get 200 from the routes it describes.
 *
 * The tritonclient.http snippet runs against a stand-in of that package (test/fixtures/tritonclient-stand-in), because
 * Triton's own is not installable here (no PyPI, not in Debian). The stand-in is written from Triton's documentation
 * (the tritonclient.http API the snippet calls; the binary tensor data extension), really sends the inputs as bytes
 * and reads binary outputs, and traces what it sent: so these tests prove the snippet keeps to the documented API and
 * that the server answers the binary request that API makes, not that Triton's package itself runs the snippet.
 */

const PYTHON = '/usr/bin/python3';
const TRITONCLIENT_STAND_IN = path.join(REPO_ROOT, 'test', 'fixtures', 'tritonclient-stand-in');

/** What the tritonclient stand-in says it sent and received, one record per request. */
interface StandInTrace {
  request: { path: string; headers: string[]; inferenceHeaderContentLength?: string; binaryBytes: number;
    json: { inputs: Array<{ name: string; data?: unknown; parameters?: { binary_data_size?: number } }>; outputs?: Array<{ name: string; parameters: { binary_data: boolean } }> } };
  answer: { status: number; contentType: string; inferenceHeaderContentLength: string | null; outputs?: Array<{ name: string; binaryDataSize: number | null }> };
}

/** The tritonclient snippet as shown, with the stand-in on PYTHONPATH: what it printed, and the stand-in's trace. */
async function runTritonclient(code: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ out: string; trace: StandInTrace[] }> {
  const { stdout, stderr } = await run(PYTHON, ['-c', code], {
    cwd, timeout: 30_000, maxBuffer: 10 * 1024 * 1024,
    env: { ...process.env, ...env, PYTHONPATH: TRITONCLIENT_STAND_IN, TRITONCLIENT_STAND_IN_TRACE: '1' },
  });
  const trace = stderr.split('\n').filter((l) => l.startsWith('tritonclient stand-in: ')).map((l) => JSON.parse(l.slice(23)) as StandInTrace);
  return { out: stdout, trace };
}

/** The request went as Triton's binary tensor data, and every output came back as bytes. */
function assertBinaryBothWays(trace: StandInTrace[], outputNames: string[]): void {
  assert.equal(trace.length, 1, 'one request');
  const [{ request, answer }] = trace;
  const sizes = request.json.inputs.map((i) => i.parameters?.binary_data_size ?? 0);
  assert.ok(request.json.inputs.every((i) => i.data === undefined && (i.parameters?.binary_data_size ?? 0) > 0), 'every input as bytes, none as JSON');
  assert.equal(request.binaryBytes, sizes.reduce((a, b) => a + b, 0));
  assert.ok(Number(request.inferenceHeaderContentLength) > 0, 'Inference-Header-Content-Length sent');
  assert.deepEqual(request.json.outputs?.map((o) => [o.name, o.parameters.binary_data]), outputNames.map((n) => [n, true]));
  assert.equal(answer.status, 200);
  assert.equal(answer.contentType, 'application/octet-stream');
  assert.ok(Number(answer.inferenceHeaderContentLength) > 0);
  assert.deepEqual(answer.outputs?.map((o) => [o.name, typeof o.binaryDataSize]), outputNames.map((n) => [n, 'number']), 'every output as bytes');
}

/** The snippets exactly as the page builds them: its card, its location as the base URL, GET /api/page-link. */
async function snippetsOf(p: Preview): Promise<ApiSnippet[]> {
  const card = (await p.get('/api/card')).json;
  const access = await p.get('/api/page-link');
  assert.equal(access.status, 200, access.text);
  return apiSnippets(card, { baseUrl: `${p.baseUrl}/`, ...access.json });
}

async function runSnippet(snippet: ApiSnippet, cwd: string): Promise<string> {
  const options = { cwd, timeout: 30_000, maxBuffer: 10 * 1024 * 1024 };
  switch (snippet.id) {
    case 'curl': return (await run('bash', ['-e', '-o', 'pipefail', '-c', snippet.code], options)).stdout;
    case 'python':
    case 'python-numpy': return (await run(PYTHON, ['-c', snippet.code], options)).stdout;
    case 'python-tritonclient': return (await runTritonclient(snippet.code, cwd)).out;
    case 'javascript': {
      // As its first line says: saved as a .js file (CommonJS for node, no package.json here) and run with node.
      const how = /^\/\/ .*save as (\S+\.js)\b.*`node \1`/.exec(snippet.code);
      assert.ok(how, `the JavaScript snippet's first line says how to run it: ${snippet.code.split('\n')[0]}`);
      await writeFile(path.join(cwd, how[1]), snippet.code);
      return (await run(process.execPath, [how[1]], options)).stdout;
    }
  }
}

/** A snippet run as shown that failed: its exit code and what it printed (stdout and stderr together). */
async function runFailing(snippet: ApiSnippet, cwd: string): Promise<{ code: number; printed: string }> {
  try {
    const out = await runSnippet(snippet, cwd);
    assert.fail(`${snippet.id} exited 0 although the server refused the request; it printed: ${out}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, printed: `${stdout}\n${stderr}` };
  }
}

/** The token in a snippet swapped for a wrong one: the server answers 401 with its message. */
const withWrongToken = (snippet: ApiSnippet, token: string): ApiSnippet => ({ ...snippet, code: snippet.code.split(token).join('wrong-token') });

/** The outputs the curl snippet printed (its answer is JSON). */
const curlOutputs = (out: string): Array<[string, number[]]> =>
  (JSON.parse(out) as { outputs: Array<{ name: string; shape: number[] }> }).outputs.map((o) => [o.name, o.shape]);

/** Every request in the document that has an example, sent to its path with it: the answers' statuses. */
async function exampleAnswers(p: Preview, doc: { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>> }) {
  const answers: Array<{ route: string; status: number; text: string }> = [];
  for (const [route, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const content = operation.requestBody?.content['application/json'];
      if (operation.requestBody && content?.example === undefined) continue;
      const answer = await p.request(method.toUpperCase(), route, content?.example === undefined ? {} : { body: content.example });
      answers.push({ route: `${method} ${route}`, status: answer.status, text: answer.text });
    }
  }
  return answers;
}

describe('server: "Use via API" snippets and /openapi.json', function () {
  this.timeout(60_000);
  let cwd: string;
  const previews: Record<string, Preview> = {};

  before(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'mp-snippets-'));
    const [iris, identity, image] = await Promise.all([
      startPreview(IRIS_MODEL), startPreview(fixtureModel('identity-all-types')), startPreview(fixtureModel('image-conv'), { workers: 1 }),
    ]);
    Object.assign(previews, { iris, identity, image });
  });
  after(async () => {
    await Promise.all(Object.values(previews).map((p) => p.stop()));
    await rm(cwd, { recursive: true, force: true });
  });

  it('iris: curl, Python (requests), Python (numpy, binary), Python (tritonclient, on the stand-in) and JavaScript each print the model\'s output', async () => {
    const snippets = await snippetsOf(previews.iris);
    assert.deepEqual(snippets.map((s) => s.id), ['curl', 'python', 'python-numpy', 'python-tritonclient', 'javascript']);
    for (const snippet of snippets) {
      assert.ok(snippet.code.includes(previews.iris.shareToken), `${snippet.id} carries the link's token`);
      const out = await runSnippet(snippet, cwd);
      if (snippet.id === 'curl') assert.match(JSON.parse(out).outputs[0].name, /^logits$/);
      else assert.match(out, /^logits (\[1, ?3\]|\(1, 3\)) /m, `${snippet.id} printed: ${out}`);
    }
  });

  it('a model with every datatype (BYTES, BOOL, INT64...): the snippets that apply run and print every output', async () => {
    const snippets = await snippetsOf(previews.identity);
    assert.deepEqual(snippets.map((s) => s.id), ['curl', 'python', 'python-tritonclient', 'javascript'], 'no numpy snippet for BYTES inputs');
    for (const snippet of snippets) {
      const out = await runSnippet(snippet, cwd);
      for (const name of ['out_bool', 'out_bytes', 'out_int64', 'out_fp16']) assert.ok(out.includes(name), `${snippet.id} printed ${name}: ${out}`);
    }
  });

  it('a 3x320x320 image model: curl sends the picture as binary tensor data (not 300,000 zeros), the others build their data', async () => {
    const snippets = await snippetsOf(previews.image);
    for (const snippet of snippets) assert.ok(snippet.code.length < 3000, `${snippet.id} is short enough to read: ${snippet.code.length} characters`);
    const curl = snippets.find((s) => s.id === 'curl')!;
    assert.match(curl.code, /binary_data_size/);
    assert.deepEqual(curlOutputs(await runSnippet(curl, cwd)), [['logits', [1, 10]], ['heatmap', [1, 1, 80, 80]]]);
    for (const id of ['python', 'python-numpy', 'python-tritonclient', 'javascript'] as const) {
      const out = await runSnippet(snippets.find((s) => s.id === id)!, cwd);
      assert.match(out, /^heatmap /m, `${id} printed: ${out}`);
    }
  });

  it('one input with two open dimensions, 96 wide (inputs_embeds [batch_size, sequence_length, 96]): every snippet gets an answer', async () => {
    const p = await startPreview(fixtureModel('embeddings-sequence'), { workers: 1 });
    try {
      const snippets = await snippetsOf(p);
      assert.deepEqual(snippets.map((s) => s.id), ['curl', 'python', 'python-numpy', 'python-tritonclient', 'javascript']);
      assert.deepEqual(curlOutputs(await runSnippet(snippets[0], cwd)), [['last_hidden_state', [1, 1, 96]], ['pooled', [1, 96]]]);
      for (const snippet of snippets.slice(1)) assert.match(await runSnippet(snippet, cwd), /^pooled (\[1, ?96\]|\(1, 96\)) /m, snippet.id);
      for (const answer of await exampleAnswers(p, (await p.get('/openapi.json')).json)) assert.equal(answer.status, 200, `${answer.route}: ${answer.text}`);
    } finally {
      await p.stop();
    }
  });

  describe('open height and width (a U-Net exported with dynamic sides, which a 1x1 picture breaks)', () => {
    it('no sidecar: every snippet sends the 224x224 picture the page would, and gets the mask', async () => {
      const p = await startPreview(fixtureModel('unet-open-sides'), { workers: 1 });
      try {
        const snippets = await snippetsOf(p);
        assert.deepEqual(snippets.map((s) => s.id), ['curl', 'python', 'python-numpy', 'python-tritonclient', 'javascript']);
        for (const snippet of snippets) assert.match(snippet.code, /\[1, ?3, ?224, ?224\]/, `${snippet.id} uses the page's 224x224`);
        assert.deepEqual(curlOutputs(await runSnippet(snippets[0], cwd)), [['mask', [1, 1, 224, 224]]]);
        for (const snippet of snippets.slice(1)) assert.match(await runSnippet(snippet, cwd), /^mask (\[1, ?1, ?224, ?224\]|\(1, 1, 224, 224\)) /m, snippet.id);
        for (const answer of await exampleAnswers(p, (await p.get('/openapi.json')).json)) assert.equal(answer.status, 200, `${answer.route}: ${answer.text}`);
      } finally {
        await p.stop();
      }
    });

    it('a sidecar that sizes the picture 16x16: the snippets and /openapi.json\'s examples use 16x16, and each gets an answer', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'mp-unet-'));
      await copyFile(fixtureModel('unet-open-sides'), path.join(dir, 'unet-open-sides.onnx'));
      await writeFile(path.join(dir, 'unet-open-sides.preview.json'), JSON.stringify({ inputs: { image: { image: { width: 16, height: 16 } } } }));
      const p = await startPreview(path.join(dir, 'unet-open-sides.onnx'), { workers: 1 });
      try {
        const snippets = await snippetsOf(p);
        for (const snippet of snippets) {
          assert.match(snippet.code, /\[1, ?3, ?16, ?16\]/, `${snippet.id} uses the sidecar's 16x16`);
          const out = await runSnippet(snippet, cwd);
          if (snippet.id === 'curl') assert.deepEqual(curlOutputs(out), [['mask', [1, 1, 16, 16]]]);
          else assert.match(out, /^mask (\[1, ?1, ?16, ?16\]|\(1, 1, 16, 16\)) /m, snippet.id);
        }
        const doc = (await p.get('/openapi.json')).json;
        const example = doc.paths['/v2/models/unet-open-sides/infer'].post.requestBody.content['application/json'].example;
        assert.deepEqual(example.inputs[0].shape, [1, 3, 16, 16]);
        const answers = await exampleAnswers(p, doc);
        assert.deepEqual(answers.map((a) => a.route).sort(), ['get /v2/models/unet-open-sides', 'get /v2/models/unet-open-sides/config', 'post /api/predict',
          'post /v2/models/unet-open-sides/infer', `post /v2/models/unet-open-sides/versions/${doc.info.version}/infer`].sort(), 'every route has its example');
        for (const answer of answers) assert.equal(answer.status, 200, `${answer.route}: ${answer.text}`);
      } finally {
        await p.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it('a model that takes text (8 tokens of each token input) and one that takes sound (a second of it): every snippet and every example gets an answer', async () => {
    for (const [folder, input, shape] of [['text-intent', 'input_ids', [1, 8]], ['audio-tone', 'input_values', [1, 16000]]] as const) {
      const p = await startPreview(path.join(REPO_ROOT, 'test', 'fixtures', 'hf', folder, 'model.onnx'), { workers: 1 });
      try {
        const snippets = await snippetsOf(p);
        assert.ok(snippets.find((s) => s.id === 'python-numpy')!.code.includes(`${JSON.stringify(input)}: np.zeros(${JSON.stringify(shape)}`), folder);
        for (const snippet of snippets) {
          const out = await runSnippet(snippet, cwd);
          if (snippet.id === 'curl') assert.equal(JSON.parse(out).outputs.length, 1, folder);
          else assert.match(out, /^logits /m, `${folder}, ${snippet.id}: ${out}`);
        }
        for (const answer of await exampleAnswers(p, (await p.get('/openapi.json')).json)) assert.equal(answer.status, 200, `${folder}, ${answer.route}: ${answer.text}`);
      } finally {
        await p.stop();
      }
    }
  });

  it('a refused request: each snippet prints the server\'s own message and exits non-zero', async () => {
    for (const preview of [previews.iris, previews.image]) {
      for (const snippet of await snippetsOf(preview)) {
        const { code, printed } = await runFailing(withWrongToken(snippet, preview.shareToken), cwd);
        assert.notEqual(code, 0, snippet.id);
        assert.match(printed, /401/, `${snippet.id} says the status: ${printed}`);
        assert.match(printed, /a valid share link or token is required/, `${snippet.id} shows the server's message: ${printed}`);
      }
    }
  });

  describe('Python (tritonclient) with a tritonclient.http stand-in written from Triton\'s spec (the real package is not installable here)', () => {
    it('iris: the snippet sends the inputs as binary tensor data with the link\'s token, and reads the binary outputs to the values the numpy snippet reads', async () => {
      const snippets = await snippetsOf(previews.iris);
      const snippet = snippets.find((s) => s.id === 'python-tritonclient')!;
      assert.ok(snippet.code.includes(`"Authorization": "Bearer ${previews.iris.shareToken}"`), snippet.code);
      assert.match(snippet.code, /headers=headers/);
      const { out, trace } = await runTritonclient(snippet.code, cwd);
      assertBinaryBothWays(trace, ['logits']);
      assert.deepEqual(trace[0].request.headers, ['Authorization', 'Inference-Header-Content-Length']);
      assert.equal(trace[0].request.path, '/v2/models/iris/infer');
      // The same logits, decoded from the answer's bytes, as the numpy snippet prints them.
      const numpy = await runSnippet(snippets.find((s) => s.id === 'python-numpy')!, cwd);
      const line = (text: string) => text.split('\n').find((l) => l.startsWith('logits '));
      assert.match(line(out) ?? '', /^logits \(1, 3\) \[ *-?\d/);
      assert.equal(line(out), line(numpy));
    });

    it('every datatype, BYTES and BOOL too: each input goes as bytes and each output comes back as the same values', async () => {
      const card = (await previews.identity.get('/api/card')).json as { outputs: Array<{ name: string }> };
      const snippet = (await snippetsOf(previews.identity)).find((s) => s.id === 'python-tritonclient')!;
      const { out, trace } = await runTritonclient(snippet.code, cwd);
      assertBinaryBothWays(trace, card.outputs.map((o) => o.name));
      // The model is an identity: the placeholders come back as sent (the numbers' zeros; "text"; False).
      assert.match(out, /^out_bytes \(1, 2\) \[b'text' b'text'\]$/m);
      assert.match(out, /^out_bool \(1, 2\) \[False False\]$/m);
      for (const t of ['uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64']) assert.match(out, new RegExp(`^out_${t} \\(1, 2\\) \\[0 0\\]$`, 'm'), out);
      for (const t of ['fp16', 'fp32', 'fp64']) assert.match(out, new RegExp(`^out_${t} \\(1, 2\\) \\[0\\. 0\\.\\]$`, 'm'), out);
    });

    it('a link served over https under a path prefix (a tunnel, a reverse proxy): the snippet\'s url and ssl reach the model', async () => {
      const card = (await previews.iris.get('/api/card')).json;
      const tunnel = apiSnippets(card, { baseUrl: 'https://abc.trycloudflare.com/', token: 't' }).find((s) => s.id === 'python-tritonclient')!;
      assert.match(tunnel.code, /InferenceServerClient\(url="abc\.trycloudflare\.com", ssl=True\)/, 'a tunnel: the host alone (port 443 by default), ssl on');
      // For real: a TLS proxy that serves the server's routes under /models/demo/, with a certificate made here.
      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd });
      const prefix = '/models/demo';
      const proxy = https.createServer({ key: await readFile(path.join(cwd, 'key.pem')), cert: await readFile(path.join(cwd, 'cert.pem')) }, (req, res) => {
        if (!req.url?.startsWith(`${prefix}/`)) return void res.writeHead(404).end();
        const upstream = http.request(`${previews.iris.baseUrl}${req.url.slice(prefix.length)}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const port = (proxy.address() as AddressInfo).port;
        const access = (await previews.iris.get('/api/page-link')).json;
        const snippet = apiSnippets(card, { baseUrl: `https://localhost:${port}${prefix}/`, ...access }).find((s) => s.id === 'python-tritonclient')!;
        assert.match(snippet.code, new RegExp(`InferenceServerClient\\(url="localhost:${port}/models/demo", ssl=True\\)`));
        const { out, trace } = await runTritonclient(snippet.code, cwd, { SSL_CERT_FILE: path.join(cwd, 'cert.pem') });
        assertBinaryBothWays(trace, ['logits']);
        assert.equal(trace[0].request.path, '/models/demo/v2/models/iris/infer');
        assert.match(out, /^logits \(1, 3\) /m);
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    });

    it('a 3x320x320 image model: the 1.2 MB input goes as bytes, not JSON numbers', async () => {
      const snippet = (await snippetsOf(previews.image)).find((s) => s.id === 'python-tritonclient')!;
      const { out, trace } = await runTritonclient(snippet.code, cwd);
      assertBinaryBothWays(trace, ['logits', 'heatmap']);
      assert.equal(trace[0].request.binaryBytes, 3 * 320 * 320 * 4);
      assert.match(out, /^heatmap \(1, 1, 80, 80\) /m);
    });
  });

  it('/openapi.json describes this model\'s routes with its real schemas, behind the share token', async () => {
    const p = previews.iris;
    assert.equal((await p.get('/openapi.json', null)).status, 401);
    const res = await p.get('/openapi.json');
    assert.equal(res.status, 200, res.text);
    const doc = res.json;
    assert.equal(doc.openapi, '3.1.0');
    const infer = doc.paths['/v2/models/iris/infer'].post;
    const input = infer.requestBody.content['application/json'].schema.properties.inputs.items;
    assert.deepEqual([input.properties.name.const, input.properties.datatype.const, input.properties.shape.minItems], ['features', 'FP32', 2]);
    assert.match(input.description, /\[batch, 4\]/);
    const output = infer.responses[200].content['application/json'].schema.properties.outputs.items;
    assert.deepEqual([output.properties.name.const, output.properties.data.items.type], ['logits', 'number']);
    // Every operation's own example, sent to its path, is answered.
    for (const [route, operations] of Object.entries(doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const example = operation.requestBody?.content['application/json'].example;
        const answer = await p.request(method.toUpperCase(), route, example === undefined ? {} : { body: example });
        assert.equal(answer.status, 200, `${method} ${route}: ${answer.text}`);
      }
    }
  });

  it('a link with a password: the snippets and the document say which header carries it', async () => {
    const p = await startPreview(IRIS_MODEL, { password: 'open sesame' });
    try {
      const headers = { 'x-preview-password': 'open sesame' };
      const access = await p.get('/api/page-link', undefined, headers);
      assert.equal(access.json.passwordHeader, 'x-preview-password');
      const card = (await p.get('/api/card', undefined, headers)).json;
      const snippets = apiSnippets(card, { baseUrl: `${p.baseUrl}/`, ...access.json });
      const curl = snippets.find((s) => s.id === 'curl')!;
      assert.match(curl.code, /x-preview-password: PASSWORD/);
      const out = await runSnippet({ ...curl, code: curl.code.replace('PASSWORD', 'open sesame') }, cwd);
      assert.equal(JSON.parse(out).outputs[0].name, 'logits');
      const tritonclient = snippets.find((s) => s.id === 'python-tritonclient')!;
      assert.match(tritonclient.code, /"x-preview-password": "PASSWORD"/);
      assert.match(await runSnippet({ ...tritonclient, code: tritonclient.code.replace('PASSWORD', 'open sesame') }, cwd), /^logits \(1, 3\) /m);
      await assert.rejects(runSnippet(tritonclient, cwd), /InferenceServerException: \[401\]/, 'without the password: refused, and the client says so');
      const doc = (await p.get('/openapi.json', undefined, headers)).json;
      assert.ok(doc.paths['/v2/models/iris/infer'].post.parameters.some((x: { name: string; required: boolean }) => x.name === 'x-preview-password' && x.required));
    } finally {
      await p.stop();
    }
  });

  it('an invite with a password of its own on a preview without one: its /openapi.json names the header, the share link\'s does not', async () => {
    const p = await startPreview(IRIS_MODEL, { watch: false });
    try {
      const made = await p.post('/api/invites', { name: 'Olga', password: 'olga-only-password' }, p.ownerToken);
      const olga = new URL(made.json.link).searchParams.get('t')!;
      const needsHeader = (doc: { paths: Record<string, { post: { parameters?: Array<{ name: string; required: boolean }> } }> }) =>
        (doc.paths['/v2/models/iris/infer'].post.parameters ?? []).some((x) => x.name === 'x-preview-password' && x.required);
      const viaInvite = await p.get('/openapi.json', olga, { 'x-preview-password': 'olga-only-password' });
      assert.equal(viaInvite.status, 200, viaInvite.text);
      assert.ok(needsHeader(viaInvite.json), 'Olga\'s document does not say her link needs its password');
      const viaShare = await p.get('/openapi.json');
      assert.equal(viaShare.status, 200, viaShare.text);
      assert.ok(!needsHeader(viaShare.json), 'the share link needs no password, yet its document asks for one');
    } finally {
      await p.stop();
    }
  });
});
