import type { ImagePreprocessing } from './sidecar';

/**
 * The arithmetic between a picture's 8-bit pixels and a model's image tensor: one implementation for the page (which
 * shows "what the model sees" from it) and the server's workers (which turn an uploaded picture into the tensor, so
 * the page sends bytes, not numbers). The picture is already resized to `width` x `height`; per pixel, in this order:
 *   1. alpha, if any, is ignored (the page's canvas already composited the picture over white);
 *   2. `invert`: p -> 255 - p;
 *   3. channels: RGB or BGR order, or L = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's convert('L'));
 *   4. x = p * scale; then x = (x - mean[c]) / std[c] when given (a single mean/std value applies to every channel);
 *   5. layout: NCHW (planes) or NHWC (interleaved), row-major.
 */
export type Preprocessing = Pick<ImagePreprocessing, 'width' | 'height' | 'channels' | 'layout' | 'scale' | 'mean' | 'std' | 'invert'>;

/** How the pixels are packed: 4 bytes a pixel (a canvas's RGBA) or 3 (RGB, what the page uploads). */
export type PixelFormat = 'RGBA' | 'RGB';

export const bytesPerPixel = (format: PixelFormat): number => (format === 'RGB' ? 3 : 4);

export const channelCount = (p: Pick<Preprocessing, 'channels'>): number => (p.channels === 'L' ? 1 : 3);

/** Channel `c`'s mean or std: one value serves every channel; none gives the fallback. */
export const perChannel = (values: readonly number[] | undefined, c: number, fallback: number): number =>
  values && values.length > 0 ? values[Math.min(c, values.length - 1)] ?? fallback : fallback;

/** The tensor data (row-major, `layout` order) for a `width` x `height` picture. */
export function imageToTensor(pixels: ArrayLike<number>, p: Preprocessing, format: PixelFormat = 'RGBA'): Float32Array {
  const { width: w, height: h } = p;
  const step = bytesPerPixel(format);
  if (pixels.length !== w * h * step) throw new RangeError(`expected ${w * h * step} ${format} bytes for ${w}x${h}, got ${pixels.length}`);
  const channels = channelCount(p);
  const order = p.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const scale = p.scale ?? 1 / 255;
  const mean = Array.from({ length: channels }, (_, c) => perChannel(p.mean, c, 0));
  const std = Array.from({ length: channels }, (_, c) => perChannel(p.std, c, 1));
  const out = new Float32Array(w * h * channels);
  const plane = w * h;
  for (let i = 0; i < plane; i++) {
    let r = pixels[i * step], g = pixels[i * step + 1], b = pixels[i * step + 2];
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
 * Tensor values as JSON numbers, as the model is given them: integer datatypes are rounded and clamped to their range;
 * floats keep 9 significant digits (enough to round-trip a float32, and far shorter than a double's 17).
 */
export function tensorValues(tensor: Float32Array, datatype: string): number[] {
  const range = INTEGER_RANGES[datatype];
  const out = new Array<number>(tensor.length);
  // A picture's tensor holds few distinct values (256 per channel from 8-bit pixels): each is worked out once, as
  // toPrecision costs ~1 µs (a 3x320x320 picture: 300 ms without the cache, 35 ms with it).
  const known = new Map<number, number>();
  for (let i = 0; i < tensor.length; i++) {
    const v = tensor[i];
    let value = known.get(v);
    if (value === undefined) {
      value = range ? Math.min(range[1], Math.max(range[0], Math.round(v))) : Number(v.toPrecision(9));
      known.set(v, value);
    }
    out[i] = value;
  }
  return out;
}

const INTEGER_RANGES: Record<string, [number, number]> = {
  UINT8: [0, 255], INT8: [-128, 127], UINT16: [0, 65535], INT16: [-32768, 32767],
  UINT32: [0, 4294967295], INT32: [-2147483648, 2147483647],
  UINT64: [0, Number.MAX_SAFE_INTEGER], INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
