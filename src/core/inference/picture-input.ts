import type { TensorSpec } from '../../shared/v2';
import { imageToTensor, tensorValues } from '../../shared/image-tensor';
import { PICTURE_FORMAT, PictureInputSchema } from '../../shared/picture-upload';
import type { BinarySections } from './binary-tensors';
import { decodeTensor, formatShape, TensorInputError, type DecodedTensor } from './codec';

const NUMERIC: ReadonlySet<string> = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64']);

/**
 * An /api/predict input sent as a picture (shared/picture-upload.ts): its 8-bit RGB pixels become the tensor the page
 * computes for "what the model sees" — the same code (shared/image-tensor.ts), then the same JSON values and the same
 * decoding as a JSON upload, so the model's tensor and the prediction record are those of the JSON form, bit for bit.
 */
export function decodePictureInput(spec: TensorSpec, input: unknown, sections: BinarySections): DecodedTensor {
  const where = `input '${spec.name}'`;
  const parsed = PictureInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TensorInputError(`${where}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message} `
      + '(a picture is {"picture": {width, height, channels, layout, scale, mean, std, invert}, "shape": [...], "parameters": {"binary_data_size": n}})');
  }
  const { picture, shape, parameters } = parsed.data;
  if (!NUMERIC.has(spec.datatype)) throw new TensorInputError(`${where}: a picture can only fill a numeric input; this one is ${spec.datatype}`);
  const bytes = sections.take(spec.name, parameters.binary_data_size);
  const expected = picture.width * picture.height * 3;
  if (bytes.length !== expected) {
    throw new TensorInputError(`${where}: a ${picture.width}x${picture.height} picture is ${expected} bytes of 8-bit ${PICTURE_FORMAT}, but binary_data_size is ${bytes.length}`);
  }
  const values = tensorValues(imageToTensor(bytes, picture, PICTURE_FORMAT), spec.datatype);
  const count = shape.reduce((p, d) => p * d, 1);
  if (count === 0 || count % values.length !== 0) {
    throw new TensorInputError(`${where}: shape ${formatShape(shape)} holds ${count} values, which is not a whole number of `
      + `${picture.width}x${picture.height} pictures of ${values.length} values (${picture.channels}, ${picture.layout})`);
  }
  const data = count === values.length ? values : Array.from({ length: count / values.length }, () => values).flat();
  return decodeTensor(spec, { shape, data });
}
