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

/** Bytes of a value's text (with its comma) copied as four 32-bit words; a longer one is copied byte by byte. */
const SLOT = 16;

/**
 * The JSON array text (UTF-8) of the values `numbers[index[i]]`: each distinct number written once (as JSON.stringify
 * writes a finite number), then copied into place. `numbers` must be finite. The copy goes by words through a DataView
 * (a value's text is ~10 bytes): 4x faster than byte by byte, which took ~15 ms for a 3x320x320 picture.
 */
export function valuesTextBytes(numbers: readonly number[], index: Uint16Array): Uint8Array {
  if (index.length === 0) return new TextEncoder().encode('[]');
  const encoder = new TextEncoder();
  const slots = new Uint8Array(numbers.length * SLOT);
  const words = new DataView(slots.buffer);
  const long: Uint8Array[] = [];
  const lengths = new Uint32Array(numbers.length);
  numbers.forEach((n, k) => {
    const text = encoder.encode(`${String(n)},`);
    lengths[k] = text.length;
    if (text.length <= SLOT) slots.set(text, k * SLOT);
    else long[k] = text;
  });
  let length = 1; // "[", then each value with a "," after it, the last one's "]"
  for (let i = 0; i < index.length; i++) length += lengths[index[i]];
  const buffer = new ArrayBuffer(length + SLOT); // room for the last slot's padding, cut off below
  const view = new DataView(buffer);
  const out = new Uint8Array(buffer);
  out[0] = 0x5b; // [
  let at = 1;
  for (let i = 0; i < index.length; i++) {
    const k = index[i];
    if (lengths[k] <= SLOT) {
      const w = k * SLOT;
      view.setUint32(at, words.getUint32(w, true), true);
      view.setUint32(at + 4, words.getUint32(w + 4, true), true);
      view.setUint32(at + 8, words.getUint32(w + 8, true), true);
      view.setUint32(at + 12, words.getUint32(w + 12, true), true);
    } else {
      out.set(long[k], at);
    }
    at += lengths[k];
  }
  out[length - 1] = 0x5d; // ] in place of the last ","
  return out.subarray(0, length);
}
