/**
 * Outputs people would rather look at than read: a mask or probability map as a picture, a sequence of class scores
 * (CTC) as the text it spells, and any other large array as a summary with the full data to download — never tens of
 * thousands of numbers on the page.
 */

/** A picture-like output: `[N, C, H, W]` with 1-4 channels, or `[N, H, W]`, at least 8 x 8. */
export function pictureLayout(shape: readonly number[]): { channels: number; height: number; width: number } | undefined {
  const big = (h: number, w: number) => h >= 8 && w >= 8;
  if (shape.length === 4 && shape[1] >= 1 && shape[1] <= 4 && big(shape[2], shape[3])) return { channels: shape[1], height: shape[2], width: shape[3] };
  if (shape.length === 3 && big(shape[1], shape[2])) return { channels: 1, height: shape[1], width: shape[2] };
  return undefined;
}

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  first: number[];
}

export function summarise(values: readonly number[], firstCount = 10): Summary {
  let min = Infinity, max = -Infinity, sum = 0, finite = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    finite++;
  }
  return { count: values.length, min: finite ? min : NaN, max: finite ? max : NaN, mean: finite ? sum / finite : NaN, first: values.slice(0, firstCount) };
}

/**
 * The first example of a map as RGBA: one channel as intensity (values already in [0, 1] kept, others scaled from
 * their min-max), several channels as the colour of the channel that wins at each pixel (a segmentation).
 * `alphaOnly`: one channel as a red layer whose opacity is the value, to lay over the picture the model saw.
 */
export function mapToRgba(values: readonly number[], layout: { channels: number; height: number; width: number }, alphaOnly: boolean): Uint8ClampedArray<ArrayBuffer> {
  const { channels, height, width } = layout;
  const plane = height * width;
  const out = new Uint8ClampedArray(plane * 4);
  if (channels === 1) {
    const { min, max } = summarise(values.slice(0, plane), 0);
    const inUnit = min >= 0 && max <= 1;
    const scale = (v: number) => (inUnit ? v : max > min ? (v - min) / (max - min) : 0);
    for (let i = 0; i < plane; i++) {
      const v = Math.round(255 * scale(values[i]));
      if (alphaOnly) out.set([255, 32, 32, Math.round(v * 0.75)], i * 4);
      else out.set([v, v, v, 255], i * 4);
    }
    return out;
  }
  for (let i = 0; i < plane; i++) {
    let best = 0;
    for (let c = 1; c < channels; c++) if (values[c * plane + i] > values[best * plane + i]) best = c;
    out.set([...PALETTE[best], alphaOnly ? (best === 0 ? 0 : 160) : 255], i * 4);
  }
  return out;
}

/** Channel colours: background black, then red, green, blue. */
export const PALETTE: ReadonlyArray<[number, number, number]> = [[0, 0, 0], [230, 40, 40], [40, 180, 60], [40, 90, 230]];

/** Names that mean the CTC blank in vocabularies (wav2vec2's `<pad>`, PaddleOCR's `blank`). */
const BLANK = /^(<blank>|blank|<pad>|\[pad\]|<ctc_blank>|_)$/i;

/**
 * Greedy CTC decoding of one example's `[T, C]` scores: the best class at each step, repeats merged, blanks dropped.
 * The blank is class 0 when its name says so (or there are no names).
 */
export function ctcDecode(scores: readonly number[], steps: number, classes: number, names: readonly string[] | undefined): { best: number[]; text: string[] } {
  const best: number[] = [];
  for (let t = 0; t < steps; t++) {
    let b = 0;
    for (let c = 1; c < classes; c++) if (scores[t * classes + c] > scores[t * classes + b]) b = c;
    best.push(b);
  }
  const blank = !names || BLANK.test(names[0] ?? '') ? 0 : -1;
  const text: string[] = [];
  best.forEach((c, t) => {
    if (c !== blank && (t === 0 || best[t - 1] !== c)) text.push(names?.[c] ?? `class ${c}`);
  });
  return { best, text };
}
