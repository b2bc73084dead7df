/**
 * Lists of names as exporters write them into ONNX metadata: comma-separated (`setosa,versicolor,virginica`), a JSON
 * array, a JSON object of index to name (Hugging Face's `id2label`) or name to index (`label2id`), or the repr of a
 * Python list or dict (Ultralytics writes `names` as `{0: 'person', 1: 'bicycle'}`).
 */

type Literal = string | number | Literal[] | { [key: string]: Literal };

/** A small reader for Python literals of strings, numbers, lists and dicts (what `str(list)`/`str(dict)` print). */
function parsePythonLiteral(text: string): Literal | undefined {
  let i = 0;
  const space = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const value = (): Literal => {
    space();
    const c = text[i];
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const items: Literal[] = [];
      for (space(); text[i] !== close; space()) {
        items.push(value());
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== close) throw new Error('expected , or the end of the list');
      }
      i++;
      return items;
    }
    if (c === '{') {
      i++;
      const entries: Record<string, Literal> = {};
      for (space(); text[i] !== '}'; space()) {
        const key = value();
        space();
        if (text[i++] !== ':') throw new Error('expected :');
        entries[String(key)] = value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') throw new Error('expected , or }');
      }
      i++;
      return entries;
    }
    if (c === '"' || c === "'") {
      let out = '';
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        out += text[i];
      }
      if (text[i] !== c) throw new Error('unterminated string');
      i++;
      return out;
    }
    const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (!number) throw new Error(`unexpected '${c ?? 'end'}'`);
    i += number[0].length;
    return Number(number[0]);
  };
  try {
    const result = value();
    space();
    return i === text.length ? result : undefined;
  } catch {
    return undefined;
  }
}

/** An object of index → name (or name → index) as the list of names by index; gaps stay empty strings. */
function namesFromObject(entries: Record<string, Literal>): string[] | undefined {
  const pairs = Object.entries(entries);
  if (pairs.length === 0) return undefined;
  const indexed = pairs.every(([k]) => /^\d+$/.test(k)) ? pairs.map(([k, v]) => [Number(k), v] as const)
    : pairs.every(([, v]) => typeof v === 'number' && Number.isInteger(v)) ? pairs.map(([k, v]) => [v as number, k] as const)
      : undefined;
  if (!indexed || indexed.some(([, v]) => typeof v !== 'string' && typeof v !== 'number')) return undefined;
  const size = Math.max(...indexed.map(([k]) => k)) + 1;
  if (size > 100_000) return undefined;
  const names = new Array<string>(size).fill('');
  for (const [k, v] of indexed) names[k] = String(v);
  return names;
}

/** The names in a metadata value, or undefined when it does not read as a list of names. */
export function parseNameList(raw: string): string[] | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^[[({]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = parsePythonLiteral(text);
    }
    if (Array.isArray(parsed)) {
      return parsed.length > 0 && parsed.every((v) => typeof v === 'string' || typeof v === 'number') ? parsed.map((v) => String(v).trim()) : undefined;
    }
    if (typeof parsed === 'object' && parsed !== null) return namesFromObject(parsed as Record<string, Literal>);
    return undefined;
  }
  const separator = text.includes('\n') ? /\r?\n/ : text.includes(',') ? ',' : text.includes(';') ? ';' : undefined;
  const names = separator ? text.split(separator).map((s) => s.trim()) : [text];
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  return names.length > 0 ? names : undefined;
}
