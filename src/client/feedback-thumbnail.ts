import { stat, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { BLOB_REF, type FeedbackRecord, type StoredTensor } from '../shared/feedback-record';
import { looksLikeImage } from '../shared/input-summary';
import { tensorPicture } from './tensor-picture';

/** The longer side of a thumbnail, in pixels (the card shows it at 48 CSS pixels: crisp on a 1.5x screen). */
export const THUMBNAIL_SIDE = 64;
/** A blob bigger than this is not read for a thumbnail (a 3×1024×1024 FP32 picture as JSON is ~40 MB). */
const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/** The first input of a record that is shaped like a picture, if any (stored inline when small, else as a blob). */
export function pictureInput(record: Pick<FeedbackRecord, 'inputs'>): StoredTensor | undefined {
  return Object.values(record.inputs).find((tensor) => looksLikeImage(tensor.shape));
}

/**
 * A thumbnail of the picture a feedback record was given, as a PNG data URL (the Feedback view's CSP allows `img-src
 * data:`). A small picture is in the record; a large one the server stores once, as a blob in the preview's data
 * folder, and the record names it (`blobs/<sha256>.json`, the tensor's values as JSON). Rejects with what went wrong
 * when the blob is missing, too big or not a picture.
 */
export async function feedbackThumbnail(dataDir: string, tensor: StoredTensor): Promise<string> {
  const values = 'data' in tensor ? tensor.data : await blobValues(dataDir, tensor.blob);
  const picture = tensorPicture(values.flat(Infinity), tensor.shape, tensor.datatype, THUMBNAIL_SIDE);
  if (!picture) throw new Error(`the input is not a ${tensor.datatype} picture of shape [${tensor.shape.join(', ')}]`);
  const png = new PNG({ width: picture.width, height: picture.height });
  png.data = Buffer.from(picture.rgba);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

async function blobValues(dataDir: string, blob: string): Promise<unknown[]> {
  if (!BLOB_REF.test(blob)) throw new Error(`${JSON.stringify(blob)} is not a blob this server writes (blobs/<sha256>.json)`);
  const file = path.join(dataDir, blob);
  const { size } = await stat(file);
  if (size > MAX_BLOB_BYTES) throw new Error(`${file} is ${size} bytes: too big to make a thumbnail of (at most ${MAX_BLOB_BYTES})`);
  let values: unknown;
  try {
    values = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not the JSON of a tensor: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(values)) throw new Error(`${file} is not the JSON of a tensor: not an array`);
  return values;
}
