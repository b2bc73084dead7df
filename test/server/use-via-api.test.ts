import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { apiSnippets, type ApiSnippet } from '../../src/shared/api-snippets';
import { fixtureModel, IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const run = promisify(execFile);

/**
 * "Use via API": the snippets the page shows, run as shown — curl in bash, Python with Debian's python3 (requests,
 * numpy), JavaScript with node — against a real server, each getting the model's answer; and /openapi.json, whose
 * own example requests get 200 from the routes it describes. (tritonclient is not installable here, so there is no
 * tritonclient snippet: the numpy one sends what it sends.)
 */

const PYTHON = '/usr/bin/python3';

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
    case 'javascript': {
      const file = path.join(cwd, 'snippet.mjs');
      await writeFile(file, snippet.code);
      return (await run(process.execPath, [file], options)).stdout;
    }
  }
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

  it('iris: curl, Python (requests), Python (numpy, binary) and JavaScript each print the model\'s output', async () => {
    const snippets = await snippetsOf(previews.iris);
    assert.deepEqual(snippets.map((s) => s.id), ['curl', 'python', 'python-numpy', 'javascript']);
    for (const snippet of snippets) {
      assert.ok(snippet.code.includes(previews.iris.shareToken), `${snippet.id} carries the link's token`);
      const out = await runSnippet(snippet, cwd);
      if (snippet.id === 'curl') assert.match(JSON.parse(out).outputs[0].name, /^logits$/);
      else assert.match(out, /^logits (\[1, ?3\]|\(1, 3\)) /m, `${snippet.id} printed: ${out}`);
    }
  });

  it('a model with every datatype (BYTES, BOOL, INT64...): the snippets that apply run and print every output', async () => {
    const snippets = await snippetsOf(previews.identity);
    assert.deepEqual(snippets.map((s) => s.id), ['curl', 'python', 'javascript'], 'no numpy snippet for BYTES inputs');
    for (const snippet of snippets) {
      const out = await runSnippet(snippet, cwd);
      for (const name of ['out_bool', 'out_bytes', 'out_int64', 'out_fp16']) assert.ok(out.includes(name), `${snippet.id} printed ${name}: ${out}`);
    }
  });

  it('a 3x320x320 image model: curl sends a raw binary request (not 300,000 zeros), the others build their data', async () => {
    const snippets = await snippetsOf(previews.image);
    for (const snippet of snippets) assert.ok(snippet.code.length < 3000, `${snippet.id} is short enough to read: ${snippet.code.length} characters`);
    const curl = snippets.find((s) => s.id === 'curl')!;
    assert.match(curl.code, /Inference-Header-Content-Length: 0/);
    const header = await runSnippet(curl, cwd);
    const jsonLength = Number(/inference-header-content-length: (\d+)/i.exec(header)?.[1]);
    const answer = await readFile(path.join(cwd, 'answer.bin'));
    const json = JSON.parse(answer.subarray(0, jsonLength).toString());
    assert.deepEqual(json.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape]), [['logits', [1, 10]], ['heatmap', [1, 1, 80, 80]]]);
    for (const id of ['python-numpy', 'javascript'] as const) {
      const out = await runSnippet(snippets.find((s) => s.id === id)!, cwd);
      assert.match(out, /^heatmap /m, `${id} printed: ${out}`);
    }
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
      const [curl] = apiSnippets(card, { baseUrl: `${p.baseUrl}/`, ...access.json });
      assert.match(curl.code, /x-preview-password: PASSWORD/);
      const out = await runSnippet({ ...curl, code: curl.code.replace('PASSWORD', 'open sesame') }, cwd);
      assert.equal(JSON.parse(out).outputs[0].name, 'logits');
      const doc = (await p.get('/openapi.json', undefined, headers)).json;
      assert.ok(doc.paths['/v2/models/iris/infer'].post.parameters.some((x: { name: string; required: boolean }) => x.name === 'x-preview-password' && x.required));
    } finally {
      await p.stop();
    }
  });
});
