import * as assert from 'node:assert/strict';
import { activationOf, configFacts, labelsFromId2label, preprocessorFacts } from '../../src/core/model/hf-facts';
import { parseHfFolder, type HfFolder } from '../../src/core/model/hf-folder';
import { maxLengthOf, textInputsOf } from '../../src/core/model/text-inputs';
import { resolvePageHints } from '../../src/shared/model-facts';
import type { TensorSpec } from '../../src/shared/v2';

/** Reading a Hugging Face export folder's JSON files: the rules transformers applies, checked one by one. */
const folder = (parts: Partial<Omit<HfFolder, 'files' | 'problems'>>): HfFolder => ({ files: [], problems: [], ...parts });
const pixelValues: TensorSpec = { name: 'pixel_values', datatype: 'FP32', shape: ['batch', 3, 'height', 'width'] };
const logits: TensorSpec = { name: 'logits', datatype: 'FP32', shape: ['batch', 3] };
const ids: TensorSpec = { name: 'input_ids', datatype: 'INT64', shape: ['batch', 'sequence'] };
const imageHints = (p: Record<string, unknown>, inputs = [pixelValues]) => resolvePageHints(preprocessorFacts(folder({ preprocessor: p }), inputs)).inputs.pixel_values?.image;

describe('Hugging Face folder: config.json', () => {
  it('id2label has string keys; a missing index is LABEL_i', () => {
    assert.deepEqual(labelsFromId2label({ 1: 'POSITIVE', 0: 'NEGATIVE' }), ['NEGATIVE', 'POSITIVE']);
    assert.deepEqual(labelsFromId2label({ 0: 'a', 2: 'c' }), ['a', 'LABEL_1', 'c']);
    assert.equal(labelsFromId2label(['a']), undefined);
  });

  it('problem_type picks the activation as the pipelines do', () => {
    assert.equal(activationOf('multi_label_classification', 5), 'sigmoid');
    assert.equal(activationOf(undefined, 1), 'sigmoid');
    assert.equal(activationOf('single_label_classification', 3), 'softmax');
    assert.equal(activationOf(undefined, 3), 'softmax');
    assert.equal(activationOf('regression', 1), 'none');
  });

  it('names the logits and says how to read them; a regression is numbers', () => {
    const hints = resolvePageHints(configFacts(folder({ config: { id2label: { 0: 'a', 1: 'b', 2: 'c' }, problem_type: 'multi_label_classification' } }), [logits]));
    assert.deepEqual(hints.outputs.logits, { classNames: ['a', 'b', 'c'], activation: 'sigmoid', kind: 'scores' });
    const score: TensorSpec = { name: 'logits', datatype: 'FP32', shape: ['batch', 1] };
    assert.equal(resolvePageHints(configFacts(folder({ config: { problem_type: 'regression' } }), [score])).outputs.logits?.kind, 'regression', 'num_labels 1: one number');
    assert.equal(resolvePageHints(configFacts(folder({ config: { problem_type: 'regression', num_labels: 3 } }), [logits])).outputs.logits.kind, 'regression');
  });

  it('a file that is not JSON is named and ignored; a missing file is simply absent', () => {
    const f = parseHfFolder({ 'config.json': '{"id2label": ', 'tokenizer_config.json': '[]', 'preprocessor_config.json': '\uFEFF{"size": 3}' });
    assert.deepEqual(f.files, ['preprocessor_config.json']);
    assert.match(f.problems[0], /^config\.json is not valid JSON \(.+\): ignored$/);
    assert.equal(f.problems[1], 'tokenizer_config.json is not a JSON object: ignored');
    assert.deepEqual(parseHfFolder(undefined), { files: [], problems: [] });
  });
});

describe('Hugging Face folder: text length', () => {
  const tokenizer = { model: { type: 'WordPiece', vocab: { a: 0 } } };
  it('the shortest stated limit wins; 1e30 (transformers\' "no limit") is no limit', () => {
    assert.deepEqual(maxLengthOf(folder({ tokenizer, tokenizerConfig: { model_max_length: 512 }, config: { max_position_embeddings: 128 } }), ids),
      { maxLength: 128, maxLengthFrom: 'config.json max_position_embeddings' });
    assert.deepEqual(maxLengthOf(folder({ tokenizer, tokenizerConfig: { model_max_length: 1e30 } }), ids), { maxLength: 512, maxLengthFrom: 'default (no limit stated in the folder)' });
    assert.deepEqual(maxLengthOf(folder({ tokenizer: { ...tokenizer, truncation: { max_length: 100 } } }), { ...ids, shape: [1, 16] }),
      { maxLength: 16, maxLengthFrom: "input 'input_ids' fixed length" });
  });

  it('a model with an input a text cannot fill keeps its tensor inputs, and says why', () => {
    const f = folder({ tokenizer });
    assert.equal(textInputsOf(f, [ids, { name: 'position_ids', datatype: 'INT64', shape: ['batch', 'sequence'] }]), undefined);
    assert.deepEqual(f.problems, ["input 'position_ids' cannot be made from a text: the model keeps its tensor inputs"]);
    assert.deepEqual(textInputsOf(folder({ tokenizer }), [ids])?.inputs, { ids: 'input_ids' }, 'DistilBERT-style: no token types, no mask');
  });
});

describe('Hugging Face folder: preprocessor_config.json (images)', () => {
  it('ViT: size {height, width} is a warp to exactly that; resample, rescale, mean, std as written', () => {
    assert.deepEqual(imageHints({ size: { height: 32, width: 48 }, resample: 3, rescale_factor: 1 / 255, image_mean: [0.485, 0.456, 0.406], image_std: [0.229, 0.224, 0.225] }), {
      width: 48, height: 32, channels: 'RGB', layout: 'NCHW', resize: 'stretch', resample: 'bicubic', scale: 1 / 255,
      mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
    });
  });

  it('CLIP: the short side to shortest_edge, then a centred crop_size; no normalisation when do_normalize is false', () => {
    const image = imageHints({ size: { shortest_edge: 256 }, crop_size: { height: 224, width: 224 }, do_normalize: false, do_rescale: false });
    assert.deepEqual(image, { width: 224, height: 224, channels: 'RGB', layout: 'NCHW', resize: 'shortest-edge', shortestEdge: 256, resample: 'bilinear', scale: 1 });
  });

  it('ConvNext: crop_pct below 384 resizes to shortest_edge / crop_pct and crops; an int size without a crop is the short side', () => {
    const image = imageHints({ size: { shortest_edge: 224 }, crop_pct: 0.875 });
    assert.equal(image?.resize, 'shortest-edge');
    assert.equal(image?.shortestEdge, 256);
    assert.equal(image?.width, 224);
  });

  it('the model\'s own fixed size wins over the file, and the difference is reported; an audio extractor is not an image', () => {
    const f = folder({ preprocessor: { size: { height: 64, width: 64 } } });
    const hints = resolvePageHints(preprocessorFacts(f, [{ ...pixelValues, shape: [1, 3, 32, 32] }]));
    assert.equal(hints.inputs.pixel_values.image?.width, 32);
    assert.match(f.problems[0], /makes 64 x 64 pictures, but input 'pixel_values' takes 32 x 32/);
    assert.deepEqual(preprocessorFacts(folder({ preprocessor: { sampling_rate: 16000 } }), [pixelValues]), []);
  });
});
