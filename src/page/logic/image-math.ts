import type { ImagePreprocessing } from '../../shared/sidecar';

/**
 * The arithmetic between a picture's pixels and a model's image tensor, kept apart from the canvas so it can be
 * tested in Node. The canvas code resizes the picture to `width` x `height` (fitting it whole, centred, on white) and
 * hands over its RGBA bytes; `imageToTensor` does the rest, in this order, per pixel:
 *   1. alpha is ignored (the canvas already composited the picture over white);
 *   2. `invert`: p -> 255 - p;
 *   3. channels: RGB or BGR order, or L = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's convert('L'));
 *   4. x = p * scale; then x = (x - mean[c]) / std[c] when given (a single mean/std value applies to every channel);
 *   5. layout: NCHW (planes) or NHWC (interleaved), row-major.
 */
export type Preprocessing = Pick<ImagePreprocessing, 'width' | 'height' | 'channels' | 'layout' | 'scale' | 'mean' | 'std' | 'invert'>;

export const channelCount = (p: Pick<Preprocessing, 'channels'>): number => (p.channels === 'L' ? 1 : 3);

const perChannel = (values: readonly number[] | undefined, c: number, fallback: number): number =>
  values && values.length > 0 ? values[Math.min(c, values.length - 1)] ?? fallback : fallback;

/** The tensor data (row-major, `layout` order) for a `width` x `height` RGBA picture. */
export function imageToTensor(rgba: ArrayLike<number>, p: Preprocessing): Float32Array {
  const { width: w, height: h } = p;
  if (rgba.length !== w * h * 4) throw new RangeError(`expected ${w * h * 4} RGBA bytes for ${w}x${h}, got ${rgba.length}`);
  const channels = channelCount(p);
  const order = p.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const scale = p.scale ?? 1 / 255;
  const mean = Array.from({ length: channels }, (_, c) => perChannel(p.mean, c, 0));
  const std = Array.from({ length: channels }, (_, c) => perChannel(p.std, c, 1));
  const out = new Float32Array(w * h * channels);
  const plane = w * h;
  for (let i = 0; i < plane; i++) {
    let r = rgba[i * 4], g = rgba[i * 4 + 1], b = rgba[i * 4 + 2];
    if (p.invert) {
      r = 255 - r; g = 255 - g; b = 255 - b;
    }
    const px = [r, g, b];
    for (let c = 0; c < channels; c++) {
      const raw = channels === 1 ? 0.299 * r + 0.587 * g + 0.114 * b : px[order[c]];
      const value = (raw * scale - mean[c]) / std[c];
      out[p.layout === 'NHWC' ? i * channels + c : c * plane + i] = value;
    }
  }
  return out;
}

/**
 * "What the model sees", for the preview canvas: the tensor mapped back to 0-255 pixels (undoing mean/std and scale,
 * but not the inversion — the model does see the inverted picture), in display (RGB) order.
 */
export function tensorToPreview(tensor: ArrayLike<number>, p: Preprocessing): Uint8ClampedArray<ArrayBuffer> {
  const { width: w, height: h } = p;
  const channels = channelCount(p);
  const plane = w * h;
  const scale = p.scale || 1 / 255;
  const out = new Uint8ClampedArray(plane * 4);
  const at = (i: number, c: number) => {
    const v = tensor[p.layout === 'NHWC' ? i * channels + c : c * plane + i];
    return ((v * perChannel(p.std, c, 1)) + perChannel(p.mean, c, 0)) / scale;
  };
  for (let i = 0; i < plane; i++) {
    if (channels === 1) {
      const g = at(i, 0);
      out[i * 4] = g; out[i * 4 + 1] = g; out[i * 4 + 2] = g;
    } else {
      const x = [at(i, 0), at(i, 1), at(i, 2)];
      const rgb = p.channels === 'BGR' ? [x[2], x[1], x[0]] : x;
      out[i * 4] = rgb[0]; out[i * 4 + 1] = rgb[1]; out[i * 4 + 2] = rgb[2];
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Where a `srcW` x `srcH` picture goes inside a `dstW` x `dstH` frame when fitted whole and centred. */
export function containRect(srcW: number, srcH: number, dstW: number, dstH: number): { x: number; y: number; width: number; height: number } {
  if (srcW <= 0 || srcH <= 0) return { x: 0, y: 0, width: dstW, height: dstH };
  const s = Math.min(dstW / srcW, dstH / srcH);
  const width = Math.max(1, Math.round(srcW * s));
  const height = Math.max(1, Math.round(srcH * s));
  return { x: Math.floor((dstW - width) / 2), y: Math.floor((dstH - height) / 2), width, height };
}

/**
 * Tensor values as JSON numbers for the request: integer datatypes are rounded and clamped to their range; floats
 * keep 9 significant digits (enough to round-trip a float32, and far shorter than a double's 17).
 */
export function tensorValues(tensor: Float32Array, datatype: string): number[] {
  const range = INTEGER_RANGES[datatype];
  const out = new Array<number>(tensor.length);
  for (let i = 0; i < tensor.length; i++) {
    const v = tensor[i];
    out[i] = range ? Math.min(range[1], Math.max(range[0], Math.round(v))) : Number(v.toPrecision(9));
  }
  return out;
}

const INTEGER_RANGES: Record<string, [number, number]> = {
  UINT8: [0, 255], INT8: [-128, 127], UINT16: [0, 65535], INT16: [-32768, 32767],
  UINT32: [0, 4294967295], INT32: [-2147483648, 2147483647],
  UINT64: [0, Number.MAX_SAFE_INTEGER], INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
