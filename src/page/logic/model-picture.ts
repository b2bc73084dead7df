import type { ImagePreprocessing } from '../../shared/sidecar';
import { containRect } from './image-math';
import { pilResize } from './pil-resize';

/**
 * The picture a model is given when its preprocessing names a Pillow filter (a Hugging Face preprocessor_config.json):
 * resized as transformers resizes it, then cut to the model's size, as RGBA bytes for `imageToTensor`.
 * - `stretch`: to width x height exactly (size {height, width});
 * - `shortest-edge`: the short side to `shortestEdge`, the long side in proportion (truncated, as
 *   get_resize_output_image_size does), then a centred width x height crop (zero-padded when smaller);
 * - `fit`: the whole picture fitted and centred on white (a sidecar asking for a filter with the page's own framing).
 */
type Sizing = Pick<ImagePreprocessing, 'width' | 'height' | 'resize' | 'shortestEdge'> & { resample: NonNullable<ImagePreprocessing['resample']> };

export function modelPicture(rgb: Uint8Array, w: number, h: number, p: Sizing): Uint8ClampedArray {
  const out = new Uint8ClampedArray(p.width * p.height * 4).fill(255);
  const place = (src: Uint8Array, sw: number, sh: number, left: number, top: number, fill: number) => {
    if (fill !== 255) for (let i = 0; i < out.length; i++) if (i % 4 !== 3) out[i] = fill;
    for (let y = 0; y < p.height; y++) {
      const sy = y + top;
      if (sy < 0 || sy >= sh) continue;
      for (let x = 0; x < p.width; x++) {
        const sx = x + left;
        if (sx < 0 || sx >= sw) continue;
        const s = (sy * sw + sx) * 3;
        const o = (y * p.width + x) * 4;
        out[o] = src[s]; out[o + 1] = src[s + 1]; out[o + 2] = src[s + 2];
      }
    }
  };
  if (p.resize === 'shortest-edge' && p.shortestEdge) {
    const s = p.shortestEdge;
    const [short, long] = w <= h ? [w, h] : [h, w];
    const [newShort, newLong] = short === s ? [short, long] : [s, Math.trunc(s * long / short)];
    const [nw, nh] = w <= h ? [newShort, newLong] : [newLong, newShort];
    const resized = nw === w && nh === h ? rgb : pilResize(rgb, w, h, nw, nh, p.resample);
    // transformers' center_crop: top = (H - h) // 2, zero padding where the picture is smaller.
    place(resized, nw, nh, Math.floor((nw - p.width) / 2), Math.floor((nh - p.height) / 2), 0);
  } else if (p.resize === 'fit' || p.resize === undefined) {
    const r = containRect(w, h, p.width, p.height);
    place(pilResize(rgb, w, h, r.width, r.height, p.resample), r.width, r.height, -r.x, -r.y, 255);
  } else {
    place(pilResize(rgb, w, h, p.width, p.height, p.resample), p.width, p.height, 0, 0, 255);
  }
  return out;
}

/** RGBA bytes (a canvas's getImageData) as RGB, alpha dropped without compositing, as PIL's convert('RGB') does. */
export function rgbOf(rgba: ArrayLike<number>): Uint8Array {
  const n = rgba.length / 4;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = rgba[i * 4]; rgb[i * 3 + 1] = rgba[i * 4 + 1]; rgb[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return rgb;
}
