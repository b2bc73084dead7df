import type { TensorSpec, V2Datatype } from './v2';

/*
 * "Use via API": ready-to-run snippets that call this model through this link's Open Inference Protocol route, the
 * way Gradio, BentoML and Cog show theirs: curl, Python (requests; numpy with binary tensors; Triton's
 * tritonclient.http), JavaScript fetch. One generator for the page (which shows them) and the tests (which run them as
 * shown). Inputs are placeholders of the model's shape (open dimensions as 1): zeros, "text", false.
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

function placeholder(spec: TensorSpec): Placeholder {
  const shape = spec.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
  const count = shape.reduce((p, d) => p * d, 1);
  const json = spec.datatype === 'BYTES' ? '"text"' : spec.datatype === 'BOOL' ? 'false' : '0';
  const python = spec.datatype === 'BYTES' ? '"text"' : spec.datatype === 'BOOL' ? 'False' : spec.datatype.startsWith('FP') ? '0.0' : '0';
  return { spec, shape, count, json, python };
}

const literal = (p: Placeholder, element: string): string => `[${Array<string>(p.count).fill(element).join(', ')}]`;

/** A string literal both Python and JavaScript read as written (JSON's escapes are a subset of both). */
const quote = (s: string): string => JSON.stringify(s);

/** A word for a POSIX shell, in single quotes. */
const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export const inferUrl = (modelName: string, baseUrl: string): string => `${baseUrl}v2/models/${encodeURIComponent(modelName)}/infer`;

function curlSnippet(name: string, inputs: Placeholder[], target: SnippetTarget): string {
  const url = inferUrl(name, target.baseUrl);
  const auth = [`-H ${shellWord(`Authorization: Bearer ${target.token}`)}`];
  if (target.passwordHeader) auth.push(`-H ${shellWord(`${target.passwordHeader}: PASSWORD`)}`);
  const total = inputs.reduce((n, p) => n + p.count, 0);
  const only = inputs.length === 1 ? inputs[0] : undefined;
  const size = only && BYTES_PER_ELEMENT[only.spec.datatype];
  if (total > LITERAL_LIMIT * 4 && only && size) {
    // A large single input: Triton's raw binary request, zeros from /dev/zero; the answer's JSON comes first.
    return [
      `head -c ${only.count * size} /dev/zero | curl -sS ${shellWord(url)} \\`,
      ...auth.map((h) => `  ${h} \\`),
      `  -H 'Inference-Header-Content-Length: 0' --data-binary @- -o answer.bin -D - | grep -i '^inference-header-content-length'`,
      `# answer.bin: that many bytes of JSON, then each output's ${only.spec.datatype === 'FP32' ? 'float32 ' : ''}bytes (little-endian)`,
    ].join('\n');
  }
  const body = JSON.stringify({
    inputs: inputs.map((p) => ({ name: p.spec.name, shape: p.shape, datatype: p.spec.datatype, data: '@@' })),
  });
  let i = 0;
  const withData = body.replace(/"@@"/g, () => literal(inputs[i], inputs[i++].json));
  return [`curl -sS ${shellWord(url)} \\`, ...auth.map((h) => `  ${h} \\`), `  -H 'Content-Type: application/json' \\`, `  -d ${shellWord(withData)}`].join('\n');
}

function headersPython(target: SnippetTarget): string {
  const password = target.passwordHeader ? `, ${quote(target.passwordHeader)}: "PASSWORD"` : '';
  return `headers = {"Authorization": ${quote(`Bearer ${target.token}`)}${password}}`;
}

function pythonSnippet(name: string, inputs: Placeholder[], target: SnippetTarget): string {
  const data = (p: Placeholder) => (p.count <= LITERAL_LIMIT ? literal(p, p.python) : `[${p.python}] * ${p.count}`);
  return [
    'import requests',
    '',
    `url = ${quote(inferUrl(name, target.baseUrl))}`,
    headersPython(target),
    'body = {"inputs": [',
    ...inputs.map((p) => `    {"name": ${quote(p.spec.name)}, "shape": ${JSON.stringify(p.shape)}, "datatype": ${quote(p.spec.datatype)}, "data": ${data(p)}},`),
    ']}',
    'answer = requests.post(url, json=body, headers=headers, timeout=60)',
    'answer.raise_for_status()',
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
    'answer.raise_for_status()',
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

function javascriptSnippet(name: string, inputs: Placeholder[], target: SnippetTarget): string {
  const data = (p: Placeholder) => (p.count <= LITERAL_LIMIT ? literal(p, p.json) : `new Array(${p.count}).fill(${p.json})`);
  const password = target.passwordHeader ? `, ${quote(target.passwordHeader)}: 'PASSWORD'` : '';
  return [
    `const answer = await fetch(${quote(inferUrl(name, target.baseUrl))}, {`,
    `  method: 'POST',`,
    `  headers: { Authorization: ${quote(`Bearer ${target.token}`)}, 'Content-Type': 'application/json'${password} },`,
    '  body: JSON.stringify({ inputs: [',
    ...inputs.map((p) => `    { name: ${quote(p.spec.name)}, shape: ${JSON.stringify(p.shape)}, datatype: ${quote(p.spec.datatype)}, data: ${data(p)} },`),
    '  ] }),',
    '});',
    'if (!answer.ok) throw new Error((await answer.json()).error);',
    'for (const output of (await answer.json()).outputs) console.log(output.name, JSON.stringify(output.shape), output.data.slice(0, 10));',
  ].join('\n');
}

/**
 * The snippets for a model behind a link: curl, Python (requests; with numpy, binary; Triton's tritonclient.http),
 * JavaScript fetch.
 */
export function apiSnippets(model: { name: string; inputs: TensorSpec[]; outputs: TensorSpec[] }, target: SnippetTarget): ApiSnippet[] {
  const inputs = model.inputs.map(placeholder);
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
