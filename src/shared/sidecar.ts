import { z } from 'zod';
import { MAX_REASON, MAX_REASONS } from './feedback';

/**
 * The sidecar file `<model>.preview.json` a data scientist writes beside a model to tell the page how to present it.
 * This zod schema is the single definition: the server validates with it, `docs/sidecar.schema.json` is emitted from
 * it (`npm run schema`), and the page reads the inferred type. Unknown keys are rejected so a typo is reported, not
 * silently ignored.
 */

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const choice = z.union([z.string().max(200), finite]);

/** What one value looks like on the page: for an element of a vector input, or an input that holds one value per example. */
const valueShape = {
  unit: z.string().max(50).optional().describe('Unit shown after the field, e.g. "cm".'),
  min: finite.optional().describe('Lower end of the typical range (shown, not enforced).'),
  max: finite.optional().describe('Upper end of the typical range (shown, not enforced).'),
  step: finite.optional(),
  default: choice.optional().describe('The value the field starts with: a number, or one of `choices`.'),
  choices: z.array(choice).min(1).max(1000).optional()
    .describe('The only values the model knows (e.g. the categories of an encoded column): shown as a dropdown.'),
};

export const FieldSchema = z.strictObject({
  label: z.string().min(1).max(200).describe('What a person calls this value, e.g. "Sepal length".'),
  ...valueShape,
});

export const ImagePreprocessingSchema = z.strictObject({
  width: z.int().min(1).max(4096),
  height: z.int().min(1).max(4096),
  channels: z.enum(['RGB', 'BGR', 'L']).default('RGB').describe('Channel order the model expects; L is greyscale.'),
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
  scale: finite.default(1 / 255).describe('Each 0-255 pixel value is multiplied by this first.'),
  mean: z.array(finite).min(1).max(4).optional().describe('Subtracted per channel after scaling.'),
  std: z.array(finite).min(1).max(4).optional().describe('Divided per channel after the mean.'),
  invert: z.boolean().default(false).describe('Use 255 - pixel (dark strokes on light paper become bright).'),
  resize: z.enum(['fit', 'stretch', 'shortest-edge']).optional()
    .describe('fit (default): the whole picture, centred on white; stretch: to width x height exactly (Hugging Face size {height, width}); shortest-edge: the short side to `shortestEdge`, then a centred width x height crop (size {shortest_edge} + crop_size).'),
  shortestEdge: z.int().min(1).max(4096).optional().describe('For resize shortest-edge: the short side before the crop.'),
  resample: z.enum(['nearest', 'lanczos', 'bilinear', 'bicubic', 'box', 'hamming']).optional()
    .describe('Resize exactly as Pillow does with this filter (as Hugging Face image processors do); unset: the browser resizes.'),
});

export const AudioPreprocessingSchema = z.strictObject({
  samplingRate: z.int().min(1000).max(384_000).default(16_000).describe('Samples per second the model takes: a recording or file is resampled to it, mono.'),
  normalize: z.boolean().default(false).describe('Zero mean, unit variance per recording (Wav2Vec2 do_normalize).'),
});

export const InputHintsSchema = z.strictObject({
  kind: z.enum(['vector', 'image', 'text', 'json', 'audio']).optional().describe('Overrides the kind guessed from the signature.'),
  label: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  fields: z.array(FieldSchema).max(4096).optional().describe('One entry per element of a [batch, K] or [K] vector input.'),
  image: ImagePreprocessingSchema.optional(),
  audio: AudioPreprocessingSchema.optional(),
  // For an input that holds one value per example (a DataFrame column exported by skl2onnx): its field, inline.
  ...valueShape,
});

export const OutputHintsSchema = z.strictObject({
  kind: z.enum(['scores', 'label', 'regression', 'json']).optional(),
  label: z.string().max(200).optional(),
  classNames: z.array(z.string().max(200)).max(100_000).optional().describe('Name of each class index.'),
  unit: z.string().max(50).optional(),
});

export const ExampleSchema = z.strictObject({
  name: z.string().min(1).max(200),
  inputs: z.record(z.string(), z.unknown()).describe('Input name to data, as accepted by POST /api/predict.'),
});

export const FeedbackHintsSchema = z.strictObject({
  reasons: z.array(z.string().min(1).max(MAX_REASON)).min(1).max(MAX_REASONS)
    .refine((list) => new Set(list).size === list.length, 'must not name a reason twice')
    .optional()
    .describe('What a thumbs-down may say is wrong (chips on the page); replaces the defaults "wrong answer", "should not answer", "unfair to some group", "other".'),
});

export const SidecarSchema = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().max(200).optional(),
  description: z.string().max(10_000).optional(),
  inputs: z.record(z.string(), InputHintsSchema).optional(),
  outputs: z.record(z.string(), OutputHintsSchema).optional(),
  examples: z.array(ExampleSchema).max(50).optional(),
  feedback: FeedbackHintsSchema.optional().describe('How the page asks for feedback.'),
});

export type Sidecar = z.infer<typeof SidecarSchema>;

/** Where a model's sidecar is: `<model>.preview.json` beside `<model>.onnx` (the server, the CLI and the extension agree). */
export function sidecarPathFor(modelFile: string): string {
  return modelFile.replace(/\.onnx$/i, '') + '.preview.json';
}
export type ImagePreprocessing = z.infer<typeof ImagePreprocessingSchema>;
export type AudioPreprocessing = z.infer<typeof AudioPreprocessingSchema>;

/** The JSON Schema published as docs/sidecar.schema.json (editors validate and complete sidecar files with it). */
export function sidecarJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(SidecarSchema, { io: 'input' }), title: 'Model Preview sidecar (<model>.preview.json)' };
}
