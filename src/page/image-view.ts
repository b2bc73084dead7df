import { el, replaceChildren, uid } from '../browser/dom';
import type { Collected, InputView } from './input-views';
import { channelCount, imageToTensor, tensorValues } from '../shared/image-tensor';
import { containRect, tensorToPreview } from './logic/image-math';
import { PictureUpload } from './logic/compact-predict';
import { batchNote } from './field-control';
import { flatten, nest, repeatForBatch, type ImagePlan } from './logic/input-plan';
import { modelPicture, rgbOf } from './logic/model-picture';

interface Picture {
  source: CanvasImageSource;
  width: number;
  height: number;
  /** Object URL of the original file, for the "your picture" thumbnail. */
  url?: string;
}

/**
 * An image input: choose a file, drop one, paste one, or take a photo (phones). The picture is fitted whole into the
 * model's width x height on white, then turned into the tensor by shared/image-tensor.ts; the canvas beside it shows
 * exactly that tensor, scaled up with crisp pixels ("what the model sees"). The picture is uploaded as those RGB
 * pixels, which the server turns into the same tensor with the same code.
 */
export class ImageView implements InputView {
  readonly element: HTMLElement;
  private readonly fileInput: HTMLInputElement;
  private readonly preview: HTMLCanvasElement;
  private readonly original: HTMLImageElement;
  private readonly status: HTMLElement;
  private readonly dropzone: HTMLElement;
  private picture?: Picture;
  private tensor?: Float32Array;
  /** The resized picture's RGB bytes, when the tensor came from a picture (not an example): what is uploaded. */
  private pixels?: Uint8Array;
  private busy?: Promise<void>;

  constructor(readonly plan: ImagePlan) {
    const p = plan.preprocessing;
    const fileId = uid('image');
    const cameraId = uid('camera');
    const statusId = uid('image-status');
    this.fileInput = el('input', {
      id: fileId, type: 'file', accept: 'image/*', class: 'visually-hidden', 'data-testid': 'image-input', 'aria-describedby': statusId,
    });
    const camera = el('input', {
      id: cameraId, type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden', 'data-testid': 'camera-input',
    });
    const onPick = (input: HTMLInputElement) => () => {
      const file = input.files?.[0];
      if (file) void this.useFile(file);
      input.value = ''; // choosing the same file again must fire `change` again
    };
    this.fileInput.addEventListener('change', onPick(this.fileInput));
    camera.addEventListener('change', onPick(camera));
    // `capture` opens the camera on phones and tablets; elsewhere the same input would be a second file picker.
    const phoneLike = (typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches) || navigator.maxTouchPoints > 0;

    this.preview = el('canvas', {
      width: p.width, height: p.height, class: 'model-view pixelated', 'data-testid': 'image-preview',
      role: 'img', 'aria-label': `What the model sees: nothing yet`,
    });
    this.original = el('img', { class: 'original', alt: 'Your picture', hidden: true });
    this.status = el('p', { class: 'hint image-status', id: statusId, 'aria-live': 'polite' }, 'No picture chosen yet.');
    this.dropzone = el('div', { class: 'dropzone' },
      el('p', { class: 'dropzone-text' }, 'Drag a picture here, paste one, or'),
      el('div', { class: 'button-row' },
        this.fileInput, el('label', { for: fileId, class: 'button secondary' }, 'Choose a picture'),
        // Only where there is a camera to open: elsewhere it would be a second, invisible-purpose file picker.
        phoneLike && camera, phoneLike && el('label', { for: cameraId, class: 'button secondary' }, 'Take a photo')));
    this.dropzone.addEventListener('dragover', (e) => {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      this.dropzone.classList.add('dragging');
    });
    this.dropzone.addEventListener('dragleave', () => this.dropzone.classList.remove('dragging'));
    this.dropzone.addEventListener('drop', (e) => {
      e.preventDefault();
      this.dropzone.classList.remove('dragging');
      const file = Array.from(e.dataTransfer?.files ?? []).find((f) => f.type.startsWith('image/')) ?? e.dataTransfer?.files[0];
      if (file) void this.useFile(file);
    });

    const c = channelCount(p) === 1 ? 'greyscale' : p.channels;
    this.element = el('fieldset', { class: 'input input-image' },
      el('legend', {}, plan.label),
      plan.description ? el('p', { class: 'hint' }, plan.description) : undefined,
      batchNote(plan.batch),
      this.dropzone,
      el('div', { class: 'image-previews' },
        el('figure', { class: 'original-figure' }, this.original, el('figcaption', {}, 'Your picture')),
        el('figure', {}, this.preview, el('figcaption', {}, `What the model sees (${p.width} × ${p.height}, ${c}${p.invert ? ', inverted' : ''})`))),
      p.resample ? el('p', { class: 'hint', 'data-testid': 'image-preprocessing' }, preprocessingText(p)) : undefined,
      this.status);
  }

  /** Decodes, resizes and converts a picture file; errors are shown beside the input. */
  useFile(file: Blob): Promise<void> {
    this.busy = (async () => {
      this.setStatus('Reading the picture…');
      try {
        // A Pillow filter (a Hugging Face preprocessor): the file's own pixels, as PIL reads them (no colour management).
        const picture = await decodePicture(file, this.plan.preprocessing.resample !== undefined);
        this.replacePicture(picture);
        this.process();
        this.setStatus(`Picture ready (${picture.width} × ${picture.height}).`);
      } catch {
        this.setStatus('This file is not a picture this browser can read. Try a JPEG or PNG.', true);
      }
    })();
    return this.busy;
  }

  /** Keeps the previous view's picture (a new model version may want another size) and converts it again. */
  adoptPictureFrom(previous: ImageView): boolean {
    if (!previous.picture) return false;
    this.picture = previous.picture;
    previous.picture = undefined;
    if (this.picture.url) {
      this.original.src = this.picture.url;
      this.original.hidden = false;
    }
    this.process();
    this.setStatus('Using your previous picture.');
    return true;
  }

  async collect(): Promise<Collected> {
    await this.busy;
    if (!this.tensor) return { ok: false, message: `Choose a picture for “${this.plan.label}” first.`, focus: this.fileInput };
    // A picture goes up as its pixels; the server turns them into this very tensor (shared/image-tensor.ts).
    if (this.pixels) return { ok: true, data: new PictureUpload(this.pixels, this.plan.preprocessing, this.plan.tensorShape) };
    try {
      const picture = tensorValues(this.tensor, this.plan.datatype);
      return { ok: true, data: nest(repeatForBatch(picture, this.plan.batch).flat(), this.plan.tensorShape) };
    } catch (err) {
      return { ok: false, message: `“${this.plan.label}”: ${(err as Error).message}` };
    }
  }

  /** Example data (numbers laid out as the model takes them) is shown in the preview and sent as is. */
  fill(data: unknown): boolean {
    const p = this.plan.preprocessing;
    const size = p.width * p.height * channelCount(p);
    // An example written for a fixed batch holds several pictures: the first is shown, and repeated when sent.
    const flat = flatten(data).map(Number).slice(0, size);
    if (flat.length !== size || flat.some((v) => !Number.isFinite(v))) return false;
    this.replacePicture(undefined);
    this.pixels = undefined;
    this.tensor = Float32Array.from(flat);
    this.drawPreview();
    this.setStatus('Using the example picture.');
    return true;
  }

  dispose(): void {
    this.replacePicture(undefined);
  }

  private replacePicture(picture: Picture | undefined): void {
    if (this.picture?.url && this.picture.url !== picture?.url) URL.revokeObjectURL(this.picture.url);
    this.picture = picture;
    this.original.hidden = !picture?.url;
    if (picture?.url) this.original.src = picture.url;
    else this.original.removeAttribute('src');
  }

  private process(): void {
    if (!this.picture) return;
    const p = this.plan.preprocessing;
    const rgba = p.resample
      ? modelPicture(rgbOf(naturalPixels(this.picture)), this.picture.width, this.picture.height, { ...p, resample: p.resample })
      : drawFitted(this.picture, p.width, p.height);
    this.tensor = imageToTensor(rgba, p);
    this.pixels = rgbOf(rgba);
    this.drawPreview();
  }

  private drawPreview(): void {
    if (!this.tensor) return;
    const p = this.plan.preprocessing;
    const ctx = this.preview.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(tensorToPreview(this.tensor, p), p.width, p.height), 0, 0);
    this.preview.setAttribute('aria-label', `What the model sees: your picture at ${p.width} × ${p.height} pixels`);
  }

  private setStatus(text: string, isError = false): void {
    replaceChildren(this.status, text);
    this.status.classList.toggle('error', isError);
  }
}

/** How the picture is prepared, in words, when the model's export says so (a Hugging Face preprocessor_config.json). */
function preprocessingText(p: ImagePlan['preprocessing']): string {
  const size = p.resize === 'shortest-edge' ? `short side to ${p.shortestEdge} px, then the centre ${p.width} × ${p.height}` : `${p.width} × ${p.height}`;
  const norm = p.mean && p.std ? `, normalised with mean ${p.mean.join('/')} and std ${p.std.join('/')}` : '';
  return `Resized as the model was trained (${size}, ${p.resample} like Pillow)${norm}.`;
}

/** The picture's pixels at its own size, as RGBA bytes. */
function naturalPixels(picture: Picture): Uint8ClampedArray {
  const [, ctx] = canvas(picture.width, picture.height, 'low');
  ctx.drawImage(picture.source, 0, 0);
  return ctx.getImageData(0, 0, picture.width, picture.height).data;
}

async function decodePicture(file: Blob, exact = false): Promise<Picture> {
  const url = URL.createObjectURL(file);
  try {
    if (typeof createImageBitmap === 'function') {
      try {
        // A phone photo's EXIF orientation is applied, so the model sees it upright. `exact`: no colour-profile
        // conversion and no premultiplied alpha, the closest to PIL's Image.open + convert('RGB').
        const bitmap = await createImageBitmap(file, exact
          ? { imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none' }
          : { imageOrientation: 'from-image' });
        return { source: bitmap, width: bitmap.width, height: bitmap.height, url };
      } catch {
        // fall through to <img>, which decodes a few formats createImageBitmap does not (e.g. SVG)
      }
    }
    const img = new Image();
    img.src = url;
    await img.decode();
    if (!img.naturalWidth || !img.naturalHeight) throw new Error('empty picture');
    return { source: img, width: img.naturalWidth, height: img.naturalHeight, url };
  } catch (err) {
    URL.revokeObjectURL(url);
    throw err;
  }
}

/** `quality`: 'low' is plain bilinear, which at an exact halving is the 2x2 average; 'high' (bicubic) for enlarging. */
function canvas(width: number, height: number, quality: ImageSmoothingQuality): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = quality;
  return [c, ctx];
}

/**
 * The picture fitted whole and centred into width x height over white, as RGBA bytes. A large reduction is done in
 * halving steps: one bilinear step from 4000 px to 8 px would sample a handful of pixels and miss thin strokes, while
 * halving averages every pixel (a box filter).
 */
function drawFitted(picture: Picture, width: number, height: number): Uint8ClampedArray {
  const target = containRect(picture.width, picture.height, width, height);
  let source: CanvasImageSource = picture.source;
  let w = picture.width;
  let h = picture.height;
  while (w >= target.width * 2 && h >= target.height * 2) {
    const nw = Math.max(target.width, Math.ceil(w / 2));
    const nh = Math.max(target.height, Math.ceil(h / 2));
    const [c, ctx] = canvas(nw, nh, 'low');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, nw, nh);
    ctx.drawImage(source, 0, 0, w, h, 0, 0, nw, nh);
    source = c;
    w = nw;
    h = nh;
  }
  const [, ctx] = canvas(width, height, target.width < w ? 'low' : 'high');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(source, 0, 0, w, h, target.x, target.y, target.width, target.height);
  return ctx.getImageData(0, 0, width, height).data;
}
