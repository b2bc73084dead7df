import type { ImagePreprocessing } from '../../shared/sidecar';

/**
 * Pillow's resize (libImaging/Resample.c, the 8-bit path), ported so the page gives a model exactly the pixels its
 * Hugging Face image processor gave it in training: transformers resizes the uint8 picture through PIL. A canvas
 * resize differs from PIL by 4-9 levels on average and up to ~50 (measured; see docs/hf-folders.md), enough to move
 * a normalised input visibly. Separable: horizontal pass then vertical, weights in 22-bit fixed point, rounding and
 * clipping to 0-255 after each pass, as Pillow does. Checked value for value against Pillow 9.4 (test/unit).
 */
export type Resample = NonNullable<ImagePreprocessing['resample']>;

interface Filter {
  support: number;
  weight(x: number): number;
}

const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));

const FILTERS: Record<Exclude<Resample, 'nearest'>, Filter> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  hamming: { support: 1, weight: (x) => (x === 0 ? 1 : x <= -1 || x >= 1 ? 0 : 0.54 + 0.46 * Math.cos(Math.PI * x)) },
  bicubic: {
    support: 2,
    weight: (v) => {
      const a = -0.5;
      const x = Math.abs(v);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;

/** Per output pixel: the first input pixel, how many follow, and their fixed-point weights. */
function coefficients(inSize: number, outSize: number, filter: Filter) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const kSize = Math.ceil(support) * 2 + 1;
  const weights = new Int32Array(outSize * kSize);
  const bounds = new Int32Array(outSize * 2);
  const k = new Float64Array(kSize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < count; x++) {
      k[x] = filter.weight((x + xmin - center + 0.5) / filterScale);
      total += k[x];
    }
    for (let x = 0; x < count; x++) {
      const w = total !== 0 ? k[x] / total : k[x];
      weights[xx * kSize + x] = Math.trunc(w * ONE + (w < 0 ? -0.5 : 0.5));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = count;
  }
  return { kSize, weights, bounds };
}

const clip8 = (v: number): number => {
  const x = Math.floor(v / ONE);
  return x < 0 ? 0 : x > 255 ? 255 : x;
};

/** One pass along an axis: `along` x (horizontal) or y (vertical), RGB bytes in and out. */
function pass(src: Uint8Array, w: number, h: number, outSize: number, horizontal: boolean, filter: Filter): Uint8Array {
  const inSize = horizontal ? w : h;
  const { kSize, weights, bounds } = coefficients(inSize, outSize, filter);
  const ow = horizontal ? outSize : w;
  const oh = horizontal ? h : outSize;
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const o = horizontal ? x : y;
      const min = bounds[o * 2];
      const count = bounds[o * 2 + 1];
      for (let c = 0; c < 3; c++) {
        let sum = 1 << (PRECISION_BITS - 1);
        for (let i = 0; i < count; i++) {
          const at = horizontal ? (y * w + min + i) * 3 + c : ((min + i) * w + x) * 3 + c;
          sum += src[at] * weights[o * kSize + i];
        }
        out[(y * ow + x) * 3 + c] = clip8(sum);
      }
    }
  }
  return out;
}

/** Pillow's NEAREST: the source pixel under each output pixel's centre. */
function nearest(src: Uint8Array, w: number, h: number, ow: number, oh: number): Uint8Array {
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    const sy = Math.min(h - 1, Math.floor((y + 0.5) * h / oh));
    for (let x = 0; x < ow; x++) {
      const sx = Math.min(w - 1, Math.floor((x + 0.5) * w / ow));
      out.set(src.subarray((sy * w + sx) * 3, (sy * w + sx) * 3 + 3), (y * ow + x) * 3);
    }
  }
  return out;
}

/** `Image.resize((ow, oh), resample)` of a `w` x `h` RGB picture (row-major bytes). */
export function pilResize(rgb: Uint8Array, w: number, h: number, ow: number, oh: number, resample: Resample): Uint8Array {
  if (resample === 'nearest') return nearest(rgb, w, h, ow, oh);
  const filter = FILTERS[resample];
  let out = rgb;
  let width = w;
  if (ow !== w) {
    out = pass(out, w, h, ow, true, filter);
    width = ow;
  }
  if (oh !== h) out = pass(out, width, h, oh, false, filter);
  return out;
}
