import { looksLikeImage } from '../shared/input-summary';

/** A small picture: `width` × `height` pixels, RGBA, row by row. */
export interface Picture {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * The picture an image tensor holds, shrunk so its longer side is at most `maxSide` pixels: for a feedback card's
 * thumbnail. The layout comes from the shape (`[1,] C, H, W` or `[1,] H, W, C`, 1, 3 or 4 channels, as
 * `looksLikeImage` tells). A model's input is usually normalised (`(x - mean) / std` per channel), so each channel is
 * stretched back to 0-255 from its own range; UINT8 values are used as they are. Undefined when the tensor is not
 * shaped like a picture or holds something else than numbers.
 */
export function tensorPicture(values: readonly unknown[], shape: readonly number[], datatype: string, maxSide = 64): Picture | undefined {
  if (!looksLikeImage(shape)) return undefined;
  const dims = shape.length === 4 ? shape.slice(1) : shape.slice();
  const channelsFirst = [1, 3, 4].includes(dims[0]) && dims[1] >= 8 && dims[2] >= 8;
  const [channels, height, width] = channelsFirst ? dims : [dims[2], dims[0], dims[1]];
  if (values.length !== channels * height * width || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
  const numbers = values as readonly number[];
  const at = (c: number, y: number, x: number) => numbers[channelsFirst ? (c * height + y) * width + x : (y * width + x) * channels + c];

  const scale = (datatype === 'UINT8' ? [...Array(channels)].map(() => ({ low: 0, span: 255 })) : [...Array(channels)].map((_, c) => {
    let low = Infinity;
    let high = -Infinity;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = at(c, y, x);
        if (v < low) low = v;
        if (v > high) high = v;
      }
    }
    return { low, span: high - low || 1 };
  }));

  const factor = Math.min(1, maxSide / Math.max(width, height));
  const outWidth = Math.max(1, Math.round(width * factor));
  const outHeight = Math.max(1, Math.round(height * factor));
  const rgba = new Uint8Array(outWidth * outHeight * 4);
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = Math.floor((oy * height) / outHeight);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * height) / outHeight));
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = Math.floor((ox * width) / outWidth);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * width) / outWidth));
      // Each output pixel is the mean of the block of input pixels it covers (a box filter: no aliasing stripes).
      const pixel = [0, 0, 0, 255];
      for (let c = 0; c < Math.min(channels, 4); c++) {
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += at(c, y, x);
        const mean = sum / ((y1 - y0) * (x1 - x0));
        pixel[c] = Math.round(Math.min(255, Math.max(0, ((mean - scale[c].low) / scale[c].span) * 255)));
      }
      if (channels === 1) pixel[1] = pixel[2] = pixel[0];
      rgba.set(pixel, (oy * outWidth + ox) * 4);
    }
  }
  return { width: outWidth, height: outHeight, rgba };
}
