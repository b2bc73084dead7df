import { elementCount, exampleShapes, type ExampleModel } from './example-shape';
import type { TensorSpec, V2Datatype } from './v2';

/*
 * "Use via API": ready-to-run snippets that call this model through this link's Open Inference Protocol route, the
 * way Gradio, BentoML and Cog show theirs: curl, Python (requests; numpy with binary tensors; Triton's
 * tritonclient.http), JavaScript fetch. One generator for the page (which shows them) and the tests (which run them as
 * shown). Inputs are placeholders — zeros, "text", false — of the shape the page would send (shared/example-shape.ts:
 * a picture at the page's size, not 1x1, which a convolutional model with open sides refuses). Each snippet shows the
 * server's own error message when a request is refused, and exits non-zero.
 */

export interface SnippetTarget {
  /** The link's base URL, ending in '/' (the page's own location: the tunnel's public URL for a visitor). */
  baseUrl: string;
  /** The share token (Authorization: Bearer). */
  token: string;
  /** The link has a password: requests carry it in this header (the snippet says where to put it). */
  passwordHeader?: string;
}

export interface ApiSnippet {
  id: 'curl' | 'python' | 'python-numpy' | 'python-tritonclient' | 'javascript';
  title: string;
  code: string;
}

/** Up to this many elements an input's placeholder data is written out; beyond, it is built in the snippet. */
const LITERAL_LIMIT = 16;
/** Beyond this many elements, curl sends a numeric input as bytes (binary tensor data), not as JSON numbers. */
const CURL_JSON_LIMIT = 64;

const NUMPY_DTYPE: Partial<Record<V2Datatype, string>> = {
  BOOL: 'bool_', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64', INT8: 'int8', INT16: 'int16',
  INT32: 'int32', INT64: 'int64', FP16: 'float16', FP32: 'float32', FP64: 'float64',
};

const BYTES_PER_ELEMENT: Partial<Record<V2Datatype, number>> = {
  BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8,
};

interface Placeholder {
  spec: TensorSpec;
  shape: number[];
  count: number;
  /** One element, as JSON / Python / JavaScript write it. */
  json: string;
  python: string;
}

function placeholder(spec: TensorSpec, shape: number[]): Placeholder {
  const json = spec.datatype === 'BYTES' ? '"text"' : spec.datatype === 'BOOL' ? 'false' : '0';
  const python = spec.datatype === 'BYTES' ? '"text"' : spec.datatype === 'BOOL' ? 'False' : spec.datatype.startsWith('FP') ? '0.0' : '0';
  return { spec, shape, count: elementCount(shape), json, python };
}

const literal = (p: Placeholder, element: string): string => `[${Array<string>(p.count).fill(element).join(', ')}]`;

/** A string literal both Python and JavaScript read as written (JSON's escapes are a subset of both). */
const quote = (s: string): string => JSON.stringify(s);

/** A word for a POSIX shell, in single quotes. */
const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export const inferUrl = (modelName: string, baseUrl: string): string => `${baseUrl}v2/models/${encodeURIComponent(modelName)}/infer`;

/** JSON with every character beyond ASCII escaped: its length in bytes is its length in characters (`${#header}`). */
const asciiJson = (value: unknown): string => JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * curl prints the answer's JSON (or the server's error, and exits non-zero: --fail-with-body). Small inputs go as JSON
 * numbers; a large numeric input (a picture) goes as bytes after a JSON header (binary tensor data): zeros from
 * /dev/zero, the header naming its shape — which Triton's raw request (no header) cannot for two open dimensions.
 */
function curlSnippet(name: string, inputs: Placeholder[], target: SnippetTarget): string {
  const url = inferUrl(name, target.baseUrl);
  const auth = [`-H ${shellWord(`Authorization: Bearer ${target.token}`)}`];
  if (target.passwordHeader) auth.push(`-H ${shellWord(`${target.passwordHeader}: PASSWORD`)}`);
  const binarySize = (p: Placeholder) => (p.count > CURL_JSON_LIMIT ? BYTES_PER_ELEMENT[p.spec.datatype] : undefined);
  const tensor = (p: Placeholder) => {
    const size = binarySize(p);
    return { name: p.spec.name, shape: p.shape, datatype: p.spec.datatype, ...(size ? { parameters: { binary_data_size: p.count * size } } : { data: '@@' }) };
  };
  // Placeholder data is written into the JSON after serialising (a list of zeros, not a JSON string).
  let i = 0;
  const json = asciiJson({ inputs: inputs.map(tensor) }).replace(/"@@"/g, () => {
    while (binarySize(inputs[i])) i++;
    const p = inputs[i++];
    return literal(p, p.json);
  });
  const binary = inputs.filter(binarySize);
  if (binary.length === 0) {
    return [`curl -sS --fail-with-body ${shellWord(url)} \\`, ...auth.map((h) => `  ${h} \\`), `  -H 'Content-Type: application/json' \\`, `  -d ${shellWord(json)}`].join('\n');
  }
  const zeros = binary.map((p) => `head -c ${p.count * binarySize(p)!} /dev/zero`).join('; ');
  return [
    `# Binary tensor data: the JSON header, then the bytes of each input it gives a binary_data_size${binary.length === 1 ? '' : ', in its order'} (zeros here: put your own)`,
    `header=${shellWord(json)}`,
    `{ printf '%s' "$header"; ${zeros}; } | curl -sS --fail-with-body ${shellWord(url)} \\`,
    ...auth.map((h) => `  ${h} \\`),
    `  -H "Inference-Header-Content-Length: \${#header}" -H 'Content-Type: application/octet-stream' \\`,
    '  --data-binary @-',
  ].join('\n');
}

/** A refused request: the status and the server's own message (what was wrong), and a non-zero exit. */
const REFUSED_PYTHON = 'if not answer.ok:\n    sys.exit(f"{answer.status_code} {answer.reason}: {answer.text}")';

function headersPython(target: SnippetTarget): string {
  const password = target.passwordHeader ? `, ${quote(target.passwordHeader)}: "PASSWORD"` : '';
  return `headers = {"Authorization": ${quote(`Bearer ${target.token}`)}${password}}`;
}

function pythonSnippet(name: string, inputs: Placeholder[], target: SnippetTarget): string {
  const data = (p: Placeholder) => (p.count <= LITERAL_LIMIT ? literal(p, p.python) : `[${p.python}] * ${p.count}`);
  return [
    'import sys',
    '',
    'import requests',
    '',
    `url = ${quote(inferUrl(name, target.baseUrl))}`,
    headersPython(target),
    'body = {"inputs": [',
    ...inputs.map((p) => `    {"name": ${quote(p.spec.name)}, "shape": ${JSON.stringify(p.shape)}, "datatype": ${quote(p.spec.datatype)}, "data": ${data(p)}},`),
    ']}',
    'answer = requests.post(url, json=body, headers=headers, timeout=60)',
    REFUSED_PYTHON,
    'for output in answer.json()["outputs"]:',
    '    print(output["name"], output["shape"], output["data"][:10])',
  ].join('\n');
}

/** Binary tensor data with numpy: what Triton's tritonclient.http sends (and the compact way for images). */
function pythonNumpySnippet(name: string, inputs: Placeholder[], target: SnippetTarget): string | undefined {
  if (inputs.some((p) => !NUMPY_DTYPE[p.spec.datatype])) return undefined;
  const v2Names = Object.entries(NUMPY_DTYPE).map(([v2, np]) => `"${np === 'bool_' ? 'bool' : np}": "${v2}"`).join(', ');
  return [
    'import json',
    'import sys',
    '',
    'import numpy as np',
    'import requests',
    '',
    `url = ${quote(inferUrl(name, target.baseUrl))}`,
    headersPython(target),
    'inputs = {',
    ...inputs.map((p) => `    ${quote(p.spec.name)}: np.zeros(${JSON.stringify(p.shape)}, dtype=np.${NUMPY_DTYPE[p.spec.datatype]}),`),
    '}',
    `V2 = {${v2Names}}`,
    'NUMPY = {v: k for k, v in V2.items()}',
    'head = json.dumps({',
    '    "inputs": [{"name": n, "shape": list(a.shape), "datatype": V2[a.dtype.name],',
    '                "parameters": {"binary_data_size": a.nbytes}} for n, a in inputs.items()],',
    '    "parameters": {"binary_data_output": True},',
    '}).encode()',
    'body = head + b"".join(a.tobytes() for a in inputs.values())',
    'answer = requests.post(url, data=body, headers={**headers, "Inference-Header-Content-Length": str(len(head))}, timeout=60)',
    REFUSED_PYTHON,
    'n = int(answer.headers.get("Inference-Header-Content-Length", len(answer.content)))',
    'at = n',
    'for output in json.loads(answer.content[:n])["outputs"]:',
    '    size = output["parameters"]["binary_data_size"]',
    '    raw = answer.content[at:at + size]',
    '    at += size',
    '    if output["datatype"] not in NUMPY:  # BYTES: 4-byte little-endian lengths, each then its text',
    '        print(output["name"], output["shape"], raw[:40])',
    '        continue',
    '    values = np.frombuffer(raw, dtype=NUMPY[output["datatype"]]).reshape(output["shape"])',
    '    print(output["name"], values.shape, values.ravel()[:10])',
  ].join('\n');
}

/**
 * Triton's own Python client, tritonclient.http, as Triton documents it: `InferenceServerClient(url, ssl)` takes
 * "host:port/<base-path>" without a scheme (it refuses one) and `ssl=True` for https, so the link's base URL is split
 * into those (a tunnel's https://abc.trycloudflare.com/ is `url="abc.trycloudflare.com", ssl=True`: port 443 by
 * default; a path prefix stays in `url`, which the client puts before every route). The token rides on `infer`'s
 * `headers`. Inputs go as binary tensor data (`set_data_from_numpy(..., binary_data=True)`; BYTES as a numpy object
 * array), outputs come back binary (`InferRequestedOutput(name, binary_data=True)`), read with `as_numpy`.
 */
function pythonTritonclientSnippet(name: string, inputs: Placeholder[], outputs: TensorSpec[], target: SnippetTarget): string | undefined {
  if (inputs.some((p) => p.spec.datatype !== 'BYTES' && !NUMPY_DTYPE[p.spec.datatype])) return undefined;
  const base = new URL(target.baseUrl);
  const url = `${base.host}${base.pathname.replace(/\/+$/, '')}`;
  const array = (p: Placeholder) => (p.spec.datatype === 'BYTES'
    ? `np.full(${JSON.stringify(p.shape)}, b"text", dtype=np.object_)`
    : `np.zeros(${JSON.stringify(p.shape)}, dtype=np.${NUMPY_DTYPE[p.spec.datatype]})`);
  const names = `[${outputs.map((o) => quote(o.name)).join(', ')}]`;
  return [
    '# pip install "tritonclient[http]"',
    'import numpy as np',
    'import tritonclient.http as httpclient',
    '',
    `# tritonclient takes "host:port/base-path" without the scheme, and ssl=True for https`,
    `client = httpclient.InferenceServerClient(url=${quote(url)}, ssl=${base.protocol === 'https:' ? 'True' : 'False'})`,
    headersPython(target),
    'inputs = []',
    'for name, datatype, data in [',
    ...inputs.map((p) => `    (${quote(p.spec.name)}, ${quote(p.spec.datatype)}, ${array(p)}),`),
    ']:',
    '    tensor = httpclient.InferInput(name, list(data.shape), datatype)',
    '    tensor.set_data_from_numpy(data, binary_data=True)',
    '    inputs.append(tensor)',
    `outputs = [httpclient.InferRequestedOutput(name, binary_data=True) for name in ${names}]`,
    `result = client.infer(${quote(name)}, inputs, outputs=outputs, headers=headers)`,
    'for output in result.get_response()["outputs"]:',
    '    values = result.as_numpy(output["name"])',
    '    print(output["name"], values.shape, values.ravel()[:10])',
  ].join('\n');
}

/** An async function called at the end, not top-level await: it runs as a .js (CommonJS) file as well as a .mjs one. */
function javascriptSnippet(name: string, inputs: Placeholder[], target: SnippetTarget): string {
  const data = (p: Placeholder) => (p.count <= LITERAL_LIMIT ? literal(p, p.json) : `new Array(${p.count}).fill(${p.json})`);
  const password = target.passwordHeader ? `, ${quote(target.passwordHeader)}: 'PASSWORD'` : '';
  return [
    '// Node 18 or later: save as call-model.js and run `node call-model.js`',
    'async function main() {',
    `  const answer = await fetch(${quote(inferUrl(name, target.baseUrl))}, {`,
    `    method: 'POST',`,
    `    headers: { Authorization: ${quote(`Bearer ${target.token}`)}, 'Content-Type': 'application/json'${password} },`,
    '    body: JSON.stringify({ inputs: [',
    ...inputs.map((p) => `      { name: ${quote(p.spec.name)}, shape: ${JSON.stringify(p.shape)}, datatype: ${quote(p.spec.datatype)}, data: ${data(p)} },`),
    '    ] }),',
    '  });',
    '  const text = await answer.text();',
    '  // A refused request: the status and the server\'s own message (what was wrong).',
    '  if (!answer.ok) throw new Error(`${answer.status} ${answer.statusText}: ${text}`);',
    '  for (const output of JSON.parse(text).outputs) console.log(output.name, JSON.stringify(output.shape), output.data.slice(0, 10));',
    '}',
    '',
    'main().catch((err) => {',
    '  console.error(err.message);',
    '  process.exitCode = 1;',
    '});',
  ].join('\n');
}

/**
 * The snippets for a model behind a link: curl, Python (requests; with numpy, binary; Triton's tritonclient.http),
 * JavaScript fetch.
 */
export function apiSnippets(model: ExampleModel & { name: string; outputs: TensorSpec[] }, target: SnippetTarget): ApiSnippet[] {
  const shapes = exampleShapes(model);
  const inputs = model.inputs.map((spec) => placeholder(spec, shapes.get(spec.name)!));
  const numpy = pythonNumpySnippet(model.name, inputs, target);
  const tritonclient = pythonTritonclientSnippet(model.name, inputs, model.outputs, target);
  return [
    { id: 'curl', title: 'curl', code: curlSnippet(model.name, inputs, target) },
    { id: 'python', title: 'Python (requests)', code: pythonSnippet(model.name, inputs, target) },
    ...(numpy ? [{ id: 'python-numpy' as const, title: 'Python (numpy, binary tensors)', code: numpy }] : []),
    ...(tritonclient ? [{ id: 'python-tritonclient' as const, title: 'Python (tritonclient)', code: tritonclient }] : []),
    { id: 'javascript', title: 'JavaScript (fetch)', code: javascriptSnippet(model.name, inputs, target) },
  ];
}
