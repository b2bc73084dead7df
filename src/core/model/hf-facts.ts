import type { InputHints, ModelFact } from '../../shared/model-facts';
import type { TensorSpec } from '../../shared/v2';
import type { HfFolder } from './hf-folder';
import { classOutputs } from './metadata-facts';

/**
 * What a Hugging Face export's `config.json` and `preprocessor_config.json` say about presenting the model, as facts of
 * the `metadata` tier (the export's own words, below a sidecar): class names from `id2label`, how scores become
 * probabilities from `problem_type`, and the image preprocessing (size, resample, rescale, mean, std).
 * Rules as transformers applies them (configuration_utils, the classification pipelines, image_processing_utils).
 */

const isFloat = (spec: TensorSpec) => spec.datatype.startsWith('FP');

/** `id2label` has string keys ("0", "1"...); a missing index is `LABEL_i`, as transformers names it. */
export function labelsFromId2label(id2label: unknown): string[] | undefined {
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label)) return undefined;
  const entries = Object.entries(id2label as Record<string, unknown>)
    .map(([k, v]) => [Number(k), v] as const)
    .filter(([k, v]) => Number.isInteger(k) && k >= 0 && k < 100_000 && typeof v === 'string');
  if (entries.length === 0) return undefined;
  const size = Math.max(...entries.map(([k]) => k)) + 1;
  const names = Array.from({ length: size }, (_, i) => `LABEL_${i}`);
  for (const [k, v] of entries) names[k] = v as string;
  return names;
}

/** The pipelines' rule: regression → none; multi-label or a single label → sigmoid; otherwise softmax. */
export function activationOf(problemType: unknown, numLabels: number): 'softmax' | 'sigmoid' | 'none' {
  if (problemType === 'regression') return 'none';
  if (problemType === 'multi_label_classification' || numLabels === 1) return 'sigmoid';
  return 'softmax';
}

export function configFacts(folder: HfFolder, outputs: TensorSpec[]): ModelFact[] {
  const config = folder.config;
  if (!config) return [];
  const facts: ModelFact[] = [];
  // The checkpoint's name ("distilbert-base-uncased-finetuned-sst-2-english"): a better title than "model".
  const checkpoint = typeof config._name_or_path === 'string' ? config._name_or_path.split('/').pop()?.trim() : undefined;
  if (checkpoint) facts.push({ tier: 'metadata', from: 'config.json _name_or_path', target: 'model', property: 'title', value: checkpoint.slice(0, 200) });
  const names = labelsFromId2label(config.id2label);
  const numLabels = names?.length ?? (typeof config.num_labels === 'number' ? config.num_labels : 2);
  const activation = activationOf(config.problem_type, numLabels);
  const targets = names ? classOutputs(outputs, names.length).filter(isFloat) : outputs.filter((s) => isFloat(s) && s.shape.length === 2);
  // The first float output is the logits a *ForSequenceClassification / *ForImageClassification export returns.
  const logits = targets[0];
  if (!logits) return [];
  if (names) facts.push({ tier: 'metadata', from: 'config.json id2label', target: 'output', output: logits.name, property: 'classNames', value: names });
  if (activation === 'none') {
    facts.push({ tier: 'metadata', from: 'config.json problem_type', target: 'output', output: logits.name, property: 'kind', value: 'regression' });
  } else if (names || config.problem_type !== undefined) {
    const from = config.problem_type !== undefined ? 'config.json problem_type' : 'config.json id2label (one label: sigmoid)';
    facts.push({ tier: 'metadata', from, target: 'output', output: logits.name, property: 'activation', value: activation });
    facts.push({ tier: 'metadata', from, target: 'output', output: logits.name, property: 'kind', value: 'scores' });
  }
  return facts;
}

/** Pillow's filter codes, as `preprocessor_config.json` stores `resample`. */
const RESAMPLE = ['nearest', 'lanczos', 'bilinear', 'bicubic', 'box', 'hamming'] as const;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const side = (v: unknown): number | undefined => {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 4096 ? n : undefined;
};
const numbers = (v: unknown): number[] | undefined =>
  Array.isArray(v) && v.length >= 1 && v.length <= 4 && v.every((x) => num(x) !== undefined) ? (v as number[]) : typeof v === 'number' ? [v] : undefined;

/** `size` in its forms: {height, width}, {shortest_edge}, an int, [h, w] (transformers' convert_to_size_dict). */
function sizeOf(size: unknown, squareInt: boolean): { height: number; width: number } | { shortestEdge: number } | undefined {
  if (side(size) !== undefined) return squareInt ? { height: size as number, width: size as number } : { shortestEdge: size as number };
  if (Array.isArray(size) && size.length === 2 && side(size[0]) && side(size[1])) return { height: size[0] as number, width: size[1] as number };
  if (typeof size !== 'object' || size === null) return undefined;
  const s = size as Record<string, unknown>;
  if (side(s.height) && side(s.width)) return { height: s.height as number, width: s.width as number };
  if (side(s.shortest_edge)) return { shortestEdge: s.shortest_edge as number };
  return undefined;
}

/** The image input a preprocessor config describes: `pixel_values`, else the only rank-4 numeric input. */
function imageInput(inputs: TensorSpec[]): TensorSpec | undefined {
  const named = inputs.find((s) => s.name === 'pixel_values');
  if (named) return named;
  const rank4 = inputs.filter((s) => s.shape.length === 4 && s.datatype !== 'BYTES');
  return rank4.length === 1 ? rank4[0] : undefined;
}

/** The preprocessing a `preprocessor_config.json` of an image processor describes, for its image input. */
export function preprocessorFacts(folder: HfFolder, inputs: TensorSpec[]): ModelFact[] {
  const p = folder.preprocessor;
  if (!p) return [];
  if (p.sampling_rate !== undefined) return audioFacts(folder, inputs);
  const input = imageInput(inputs);
  if (!input) {
    folder.problems.push('preprocessor_config.json describes images, but no input is a picture (pixel_values, or one [N, C, H, W] input): ignored');
    return [];
  }
  const declared = { height: side(input.shape[2]), width: side(input.shape[3]) };
  // ViT-style processors square an int size; CLIP/ConvNext-style ones (which have a crop) take it as the short side.
  const squareInt = p.crop_size === undefined && p.crop_pct === undefined;
  const size = p.do_resize === false ? undefined : sizeOf(p.size, squareInt);
  const crop = p.do_center_crop === false ? undefined : sizeOf(p.crop_size, true);
  const image: NonNullable<InputHints['image']> = { width: declared.width ?? 224, height: declared.height ?? 224, channels: 'RGB', layout: 'NCHW' };
  if (size && 'height' in size) Object.assign(image, size, { resize: 'stretch' });
  else if (size && 'shortestEdge' in size) {
    const pct = num(p.crop_pct);
    if (pct !== undefined && crop === undefined) {
      // ConvNext: below 384 the short side goes to shortest_edge / crop_pct, then a shortest_edge square is cut.
      if (size.shortestEdge < 384) Object.assign(image, { resize: 'shortest-edge', shortestEdge: Math.floor(size.shortestEdge / pct), width: size.shortestEdge, height: size.shortestEdge });
      else Object.assign(image, { resize: 'stretch', width: size.shortestEdge, height: size.shortestEdge });
    } else if (crop && 'height' in crop) {
      Object.assign(image, { resize: 'shortest-edge', shortestEdge: size.shortestEdge, width: crop.width, height: crop.height });
    } else {
      folder.problems.push(`preprocessor_config.json size {shortest_edge: ${size.shortestEdge}} without a crop gives pictures of varying size: the page makes them ${size.shortestEdge} x ${size.shortestEdge}`);
      Object.assign(image, { resize: 'stretch', width: size.shortestEdge, height: size.shortestEdge });
    }
  }
  const resample = num(p.resample);
  image.resample = resample !== undefined && RESAMPLE[resample] ? RESAMPLE[resample] : 'bilinear';
  image.scale = p.do_rescale === false ? 1 : num(p.rescale_factor) ?? 1 / 255;
  if (p.do_normalize !== false) {
    image.mean = numbers(p.image_mean) ?? [0.5, 0.5, 0.5];
    image.std = numbers(p.image_std) ?? [0.5, 0.5, 0.5];
  }
  if (declared.width !== undefined && declared.height !== undefined && (declared.width !== image.width || declared.height !== image.height)) {
    folder.problems.push(`preprocessor_config.json makes ${image.width} x ${image.height} pictures, but input '${input.name}' takes ${declared.width} x ${declared.height}: the model's size is used`);
    Object.assign(image, declared);
  }
  return [
    { tier: 'metadata', from: 'preprocessor_config.json', target: 'input', input: input.name, property: 'kind', value: 'image' },
    { tier: 'guess', from: 'preprocessor_config.json', target: 'input', input: input.name, property: 'label', value: 'Picture' },
    { tier: 'metadata', from: 'preprocessor_config.json', target: 'input', input: input.name, property: 'image', value: image },
  ];
}

/** A vocabulary beside the model names the classes of each `[N, T, C]` output with C entries (a CTC recogniser's steps). */
export function vocabularyFacts(folder: HfFolder, outputs: TensorSpec[]): ModelFact[] {
  const names = folder.vocabulary;
  if (!names) return [];
  const from = folder.files.includes('vocab.json') ? 'vocab.json' : 'vocab.txt';
  return outputs
    .filter((s) => s.shape.length === 3 && s.shape[2] === names.length && s.datatype !== 'BYTES')
    .map((s): ModelFact => ({ tier: 'metadata', from, target: 'output', output: s.name, property: 'classNames', value: names }));
}

/** The waveform input an audio feature extractor describes: `input_values`, else the only `[N, samples]` float input. */
function audioFacts(folder: HfFolder, inputs: TensorSpec[]): ModelFact[] {
  const p = folder.preprocessor!;
  const input = inputs.find((s) => s.name === 'input_values') ?? (() => {
    const waves = inputs.filter((s) => s.shape.length === 2 && isFloat(s));
    return waves.length === 1 ? waves[0] : undefined;
  })();
  if (!input) {
    folder.problems.push('preprocessor_config.json describes audio (sampling_rate), but no input is a waveform (input_values, or one [N, samples] float input): ignored');
    return [];
  }
  const rate = num(p.sampling_rate);
  const audio = { samplingRate: rate !== undefined && Number.isInteger(rate) && rate >= 1000 && rate <= 384_000 ? rate : 16_000, normalize: p.do_normalize === true };
  return [
    { tier: 'metadata', from: 'preprocessor_config.json', target: 'input', input: input.name, property: 'kind', value: 'audio' },
    { tier: 'metadata', from: 'preprocessor_config.json', target: 'input', input: input.name, property: 'audio', value: audio },
    { tier: 'guess', from: 'preprocessor_config.json', target: 'input', input: input.name, property: 'label', value: 'Sound' },
  ];
}
