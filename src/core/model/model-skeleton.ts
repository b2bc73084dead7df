import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The ONNX model in a file without its weights: the same protobuf with every large tensor payload of the main graph's
 * initializers left out. It is all that describing a model needs (the signature comes from onnxruntime, the facts from
 * the graph and its small constants), and it stays a few kB for a model of gigabytes: a model is never read into
 * JavaScript memory whole just to be inspected (issue 16: a 103 MB model's bytes were held several times over).
 *
 * Read with positional reads that jump over the payloads, so only the skeleton's own bytes are read from disk.
 */

/** Payloads larger than this are left out; smaller ones stay (shape constants, which the graph facts read). */
export const WEIGHT_BYTES = 4096;

type Rule = 'weights' | Schema;
interface Schema { [field: number]: Rule }

// Field numbers from onnx.proto: TensorProto float_data 4, int32_data 5, int64_data 7, raw_data 9, double_data 10,
// uint64_data 11 (each one length-delimited field when packed); GraphProto initializer 5; ModelProto graph 7.
const TENSOR: Schema = { 4: 'weights', 5: 'weights', 7: 'weights', 9: 'weights', 10: 'weights', 11: 'weights' };
const GRAPH: Schema = { 5: TENSOR };
const MODEL: Schema = { 7: GRAPH };

const TRUNCATED = 'the file is truncated (it ends in the middle of the model)';

/** Sequential-ish reads of one open file through a small window: jumping over a payload costs nothing. */
class FileWindow {
  private window = Buffer.alloc(1 << 16);
  private start = 0;
  private end = 0;

  constructor(private readonly fd: number, readonly size: number) {}

  byte(at: number): number {
    if (at >= this.size) throw new Error(TRUNCATED);
    if (at < this.start || at >= this.end) {
      this.start = at;
      this.end = at + readSync(this.fd, this.window, 0, Math.min(this.window.length, this.size - at), at);
    }
    return this.window[at - this.start];
  }

  copy(from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe(to - from);
    for (let at = 0; at < out.length;) {
      const read = readSync(this.fd, out, at, out.length - at, from + at);
      if (read === 0) throw new Error(TRUNCATED);
      at += read;
    }
    return out;
  }

  /** A varint at `at`: its value (exact up to 2^53) and where it ends. */
  varint(at: number): [number, number] {
    let value = 0;
    for (let shift = 0, scale = 1; shift < 70; shift += 7, scale *= 128) {
      const b = this.byte(at++);
      value += (b & 0x7f) * scale;
      if (b < 0x80) return [value, at];
    }
    throw new Error('not an ONNX model (a malformed varint)');
  }
}

const varintBytes = (value: number): Buffer => {
  const out: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value % 128) | 0x80);
  out.push(value);
  return Buffer.from(out);
};

/** The message between `from` and `to`, as parts to concatenate, with what `schema` says to drop left out. */
function slim(file: FileWindow, from: number, to: number, schema: Schema): Buffer[] {
  const parts: Buffer[] = [];
  let kept = from; // the start of bytes copied verbatim, not yet flushed
  const flush = (until: number) => {
    if (until > kept) parts.push(file.copy(kept, until));
  };
  for (let at = from; at < to;) {
    const fieldStart = at;
    const [tag, afterTag] = file.varint(at);
    const wire = tag % 8;
    let end: number;
    let body = afterTag;
    if (wire === 0) end = file.varint(afterTag)[1];
    else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else if (wire === 2) {
      const [length, afterLength] = file.varint(afterTag);
      body = afterLength;
      end = afterLength + length;
    } else throw new Error(`not an ONNX model (wire type ${wire} at byte ${fieldStart})`);
    if (end > to) throw new Error(end > file.size ? TRUNCATED : `not an ONNX model (a field at byte ${fieldStart} overruns its message)`);
    const rule = wire === 2 ? schema[Math.floor(tag / 8)] : undefined;
    if (rule === 'weights' && end - body > WEIGHT_BYTES) {
      flush(fieldStart);
      kept = end;
    } else if (rule !== undefined && rule !== 'weights') {
      flush(fieldStart);
      const inner = slim(file, body, end, rule);
      parts.push(varintBytes(tag), varintBytes(inner.reduce((n, p) => n + p.length, 0)), ...inner);
      kept = end;
    }
    at = end;
  }
  flush(to);
  return parts;
}

/**
 * Reads a model file's skeleton (see above). Throws with a short reason for a file that is not an ONNX model or is cut
 * off, and with the file system's error (ENOENT...) for one that cannot be read.
 */
export function readModelSkeleton(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const window = new FileWindow(fd, fstatSync(fd).size);
    // Serialisers write fields in order, and every ONNX file starts with field 1, ir_version (tag byte 0x08).
    if (window.size === 0 || window.byte(0) !== 0x08) throw new Error('not an ONNX model (it does not start with an ONNX IR version)');
    return Buffer.concat(slim(window, 0, window.size, MODEL));
  } finally {
    closeSync(fd);
  }
}
