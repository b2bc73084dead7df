/**
 * Tensors with few distinct values (a picture's: at most 256 per channel), worked on once per distinct value. V8's Map
 * is slow with float keys (a 3x320x320 picture took ~30 ms); this keys an open-addressing table by the float's bits.
 */

/** More distinct values than this and a tensor is not "few" (the index is 16-bit). */
const MAX_DISTINCT = 65_536;

export interface FewValues {
  /** Each distinct value once, in order of first appearance. */
  distinct: Float32Array;
  /** Per element, where its value is in `distinct`. */
  index: Uint16Array;
}

/** The tensor as its distinct values and an index into them; undefined when it has more than MAX_DISTINCT. */
export function fewValues(tensor: Float32Array): FewValues | undefined {
  const bits = new Uint32Array(tensor.buffer, tensor.byteOffset, tensor.length);
  const size = MAX_DISTINCT * 4; // a power of two, at most a quarter full: short probes
  const mask = size - 1;
  const keys = new Uint32Array(size);
  const slots = new Int32Array(size).fill(-1);
  const distinctBits = new Uint32Array(MAX_DISTINCT);
  const index = new Uint16Array(tensor.length);
  let count = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    let h = Math.imul(b, 0x9e3779b1) >>> 14; // 18 bits: `size`
    while (slots[h] !== -1 && keys[h] !== b) h = (h + 1) & mask;
    if (slots[h] === -1) {
      if (count === MAX_DISTINCT) return undefined;
      keys[h] = b;
      slots[h] = count;
      distinctBits[count++] = b;
    }
    index[i] = slots[h];
  }
  return { distinct: new Float32Array(distinctBits.buffer, 0, count), index };
}

/**
 * The JSON array text (UTF-8) of the values `numbers[index[i]]`: each distinct number written once (as JSON.stringify
 * writes a finite number), then copied into place. `numbers` must be finite.
 */
export function valuesTextBytes(numbers: readonly number[], index: Uint16Array): Uint8Array {
  if (index.length === 0) return new TextEncoder().encode('[]');
  const texts = numbers.map(String);
  // All the texts in one array, the k-th at [starts[k], starts[k + 1]): copying from it is one monomorphic loop.
  const all = new TextEncoder().encode(texts.join(''));
  const starts = new Uint32Array(texts.length + 1);
  for (let k = 0; k < texts.length; k++) starts[k + 1] = starts[k] + texts[k].length; // ASCII: one byte a character
  let length = 1 + index.length; // "[", then a "," or the "]" after each value
  for (let i = 0; i < index.length; i++) length += starts[index[i] + 1] - starts[index[i]];
  const out = new Uint8Array(length);
  out[0] = 0x5b; // [
  let at = 1;
  for (let i = 0; i < index.length; i++) {
    for (let k = starts[index[i]], end = starts[index[i] + 1]; k < end; k++) out[at++] = all[k];
    out[at++] = 0x2c; // ,
  }
  out[length - 1] = 0x5d; // ] in place of the last ","
  return out;
}
