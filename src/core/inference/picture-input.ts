import type { TensorSpec } from '../../shared/v2';
import { imageToTensor, tensorValues } from '../../shared/image-tensor';
import { PICTURE_FORMAT, PictureInputSchema } from '../../shared/picture-upload';
import { INLINE_ELEMENTS, JsonText } from '../feedback/stored-prediction';
import type { BinarySections } from './binary-tensors';
import { checkShape, decodeTensor, formatShape, readGivenShape, TensorInputError, type DecodedTensor } from './codec';
import { fewValues, valuesTextBytes } from './few-values';

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
  const tensor = imageToTensor(bytes, picture, PICTURE_FORMAT);
  const count = shape.reduce((p, d) => p * d, 1);
  if (count === tensor.length && count > INLINE_ELEMENTS) {
    const decoded = decodeFewValues(spec, tensor, readGivenShape(shape, where), where);
    if (decoded) return decoded;
  }
  const values = tensorValues(tensor, spec.datatype);
  if (count === 0 || count % values.length !== 0) {
    throw new TensorInputError(`${where}: shape ${formatShape(shape)} holds ${count} values, which is not a whole number of `
      + `${picture.width}x${picture.height} pictures of ${values.length} values (${picture.channels}, ${picture.layout})`);
  }
  const data = count === values.length ? values : Array.from({ length: count / values.length }, () => values).flat();
  return decodeTensor(spec, { shape, data });
}

/**
 * The same tensor, values and record as the path below (tensorValues, then decodeTensor), worked out once per distinct
 * value rather than per element: a picture's tensor holds a few hundred distinct values (256 per channel from 8-bit
 * pixels) among its 307,200 (3x320x320), and writing each as a JSON number was most of a prediction's time. The JSON
 * text of the values is made here too, for the record's blob. Undefined when the values are not few, or when one of
 * them is refused (the path below then says which element, as it always did).
 */
function decodeFewValues(spec: TensorSpec, tensor: Float32Array, shape: number[], where: string): DecodedTensor | undefined {
  const few = fewValues(tensor);
  if (!few) return undefined;
  const numbers = tensorValues(few.distinct, spec.datatype);
  let converted: DecodedTensor;
  try {
    converted = decodeTensor({ ...spec, shape: [numbers.length] }, { data: numbers });
  } catch {
    return undefined;
  }
  checkShape(spec, shape, where);
  const table = converted.data as Exclude<DecodedTensor['data'], string[]>;
  const { index } = few;
  const sent = new JsonText(tensor.length, valuesTextBytes(numbers, index));
  // A float32 model takes the picture's tensor itself (its values round-trip through 9 digits): no copy to make.
  if (table instanceof Float32Array && table.every((v, k) => Object.is(v, few.distinct[k]))) return { type: converted.type, dims: shape, data: tensor, sent };
  const data = new (table.constructor as new (length: number) => typeof table)(tensor.length);
  for (let i = 0; i < index.length; i++) data[i] = table[index[i]];
  return { type: converted.type, dims: shape, data, sent };
}
