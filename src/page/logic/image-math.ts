import { channelCount, perChannel, type Preprocessing } from '../../shared/image-tensor';

/*
 * The page's side of the picture arithmetic, kept apart from the canvas so it can be tested in Node. The tensor itself
 * comes from shared/image-tensor.ts (the server's workers use the same code on an uploaded picture).
 */

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
