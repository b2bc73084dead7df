import type { TextInputDescription } from '../../shared/model-card';
import type { TensorSpec } from '../../shared/v2';
import type { HfFolder } from './hf-folder';

/**
 * Whether a model takes a text through the tokenizer beside it, and how long a text may be. A Hugging Face text model
 * takes `input_ids` (and `attention_mask`, `token_type_ids` when it has them); any other input cannot be made from a
 * text, and then the model keeps its tensor inputs.
 */

/** transformers writes int(1e30) as `model_max_length` when a tokenizer has no limit of its own. */
const UNSET_LENGTH = 1e20;
const DEFAULT_MAX_LENGTH = 512;

const TOKEN_INPUTS = { ids: 'input_ids', attentionMask: 'attention_mask', tokenTypeIds: 'token_type_ids' } as const;
const INTEGER = new Set(['INT64', 'INT32', 'UINT32', 'UINT64']);

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < UNSET_LENGTH ? v : undefined);

export function textInputsOf(folder: HfFolder, inputs: TensorSpec[]): TextInputDescription | undefined {
  const tokenizer = folder.tokenizer;
  if (!tokenizer) return undefined;
  const ids = inputs.find((s) => s.name === TOKEN_INPUTS.ids);
  if (!ids || !INTEGER.has(ids.datatype)) {
    folder.problems.push(`tokenizer.json is beside the model, but the model has no integer '${TOKEN_INPUTS.ids}' input: it keeps its tensor inputs`);
    return undefined;
  }
  const others = inputs.filter((s) => !(Object.values(TOKEN_INPUTS) as string[]).includes(s.name));
  if (others.length > 0) {
    folder.problems.push(`input '${others[0].name}' cannot be made from a text: the model keeps its tensor inputs`);
    return undefined;
  }
  const has = (name: string) => inputs.some((s) => s.name === name);
  const { maxLength, maxLengthFrom } = maxLengthOf(folder, ids);
  return {
    inputs: {
      ids: ids.name,
      ...(has(TOKEN_INPUTS.attentionMask) ? { attentionMask: TOKEN_INPUTS.attentionMask } : {}),
      ...(has(TOKEN_INPUTS.tokenTypeIds) ? { tokenTypeIds: TOKEN_INPUTS.tokenTypeIds } : {}),
    },
    maxLength,
    maxLengthFrom,
    tokenizer: tokenizerText(folder),
  };
}

/**
 * The shortest of the limits the folder states: the tokenizer's `model_max_length`, the model's position embeddings
 * (`tokenizer.json` may say nothing about truncation while the model has only so many positions), a fixed sequence
 * dimension of `input_ids`, `tokenizer.json`'s own truncation; 512 when none is stated.
 */
export function maxLengthOf(folder: HfFolder, ids: TensorSpec): { maxLength: number; maxLengthFrom: string } {
  const tc = folder.tokenizerConfig ?? {};
  const truncation = folder.tokenizer?.truncation as { max_length?: unknown } | null | undefined;
  const candidates: Array<[number | undefined, string]> = [
    [positive(tc.model_max_length), 'tokenizer_config.json model_max_length'],
    [positive(tc.max_len), 'tokenizer_config.json max_len'],
    [positive(folder.config?.max_position_embeddings), 'config.json max_position_embeddings'],
    [typeof ids.shape[1] === 'number' && ids.shape[1] > 0 ? ids.shape[1] : undefined, `input '${ids.name}' fixed length`],
    [positive(truncation?.max_length), 'tokenizer.json truncation max_length'],
  ];
  let best: [number, string] = [DEFAULT_MAX_LENGTH, 'default (no limit stated in the folder)'];
  let found = false;
  for (const [value, from] of candidates) {
    if (value !== undefined && (!found || value < best[0])) {
      best = [value, from];
      found = true;
    }
  }
  return { maxLength: best[0], maxLengthFrom: best[1] };
}

function tokenizerText(folder: HfFolder): string {
  const model = folder.tokenizer?.model as { type?: unknown; vocab?: unknown } | undefined;
  const type = typeof model?.type === 'string' ? model.type : 'unknown model';
  const vocab = model?.vocab;
  const size = Array.isArray(vocab) ? vocab.length : typeof vocab === 'object' && vocab !== null ? Object.keys(vocab).length : undefined;
  const cls = folder.tokenizerConfig?.tokenizer_class;
  return [`${type}${typeof cls === 'string' ? ` (${cls})` : ''}`, size !== undefined ? `${size} tokens` : undefined].filter(Boolean).join(', ');
}
